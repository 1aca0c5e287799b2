"""Canned replies for `/reply <name>`: one reviewed data file, per-centre overrides. Pure.

``bots/data/canned.json`` holds ``defaults`` (every centre) and ``centres.<slug>`` (a
centre's own replies: they add to the defaults or replace one of the same name). Each reply
has an English ``name`` (the key), a Thai name ``th_name``, and the text ``th`` then ``en``
with ``{ref}``, ``{centre}`` and ``{centre_en}`` filled in. The file named by the
environment variable ``DAMRONGDHAM_CANNED`` replaces the packaged one.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

ENV = "DAMRONGDHAM_CANNED"
DEFAULT = Path(__file__).with_name("data") / "canned.json"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_FIELDS = frozenset({"ref", "centre", "centre_en"})


@dataclass(frozen=True, slots=True)
class Canned:
    name: str
    th_name: str
    th: str
    en: str

    def text(self, ref: str, centre_th: str, centre_en: str) -> str:
        values = {"ref": ref, "centre": centre_th, "centre_en": centre_en}
        return f"{self.th.format(**values)}\n{self.en.format(**values)}"


class CannedReplies:
    """The replies of every centre: defaults plus each centre's own."""

    def __init__(self, defaults: dict[str, Canned], centres: dict[str, dict[str, Canned]]):
        self.defaults = defaults
        self.centres = centres

    def of(self, centre: str) -> dict[str, Canned]:
        """The replies a centre can send, by name (its own win over the defaults)."""
        return {**self.defaults, **self.centres.get(centre, {})}

    def find(self, centre: str, word: str) -> Canned | None:
        """A reply of the centre by its English or Thai name (case-insensitive)."""
        key = word.strip().casefold()
        if not key:
            return None
        for reply in self.of(centre).values():
            if key in (reply.name, reply.th_name.casefold()):
                return reply
        return None


def _replies(rows: object, source: str, where: str) -> dict[str, Canned]:
    if not isinstance(rows, dict):
        raise ValueError(f"{source}: {where} must be an object of name → reply")
    out: dict[str, Canned] = {}
    for name, row in rows.items():
        if not _NAME_RE.match(name):
            raise ValueError(f"{source}: {where}: bad reply name {name!r}")
        try:
            reply = Canned(name, row["th_name"].strip(), row["th"], row["en"])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{source}: {where}.{name} lacks {exc}") from exc
        if not reply.th_name or " " in reply.th_name:
            raise ValueError(f"{source}: {where}.{name}: th_name must be one word")
        for text in (reply.th, reply.en):
            try:
                fields = set(re.findall(r"{(\w*)}", text))
                text.format(ref="", centre="", centre_en="")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"{source}: {where}.{name}: bad placeholder {exc}") from exc
            if fields - _FIELDS:
                raise ValueError(f"{source}: {where}.{name}: unknown {sorted(fields - _FIELDS)}")
        out[name] = reply
    return out


def parse_canned(text: str, source: str = "canned.json") -> CannedReplies:
    """The canned replies of a file's text; ValueError naming the source when malformed."""
    try:
        data = json.loads(text)
        defaults, centres = data["defaults"], data.get("centres", {})
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{source}: not a canned replies file ({exc})") from exc
    if not isinstance(centres, dict):
        raise ValueError(f"{source}: centres must be an object of slug → replies")
    return CannedReplies(
        _replies(defaults, source, "defaults"),
        {slug: _replies(rows, source, f"centres.{slug}") for slug, rows in centres.items()},
    )


def load_canned(path: str | Path | None = None) -> CannedReplies:
    """`path`, else the file in $DAMRONGDHAM_CANNED, else the packaged one."""
    chosen = Path(path or os.environ.get(ENV) or DEFAULT)
    return parse_canned(chosen.read_text(encoding="utf-8"), str(chosen))
