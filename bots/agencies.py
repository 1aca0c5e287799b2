"""Agencies a case can be forwarded to: one reviewed data file, overridable per deployment.

``bots/data/agencies.json`` lists them (id, Thai and English name, endpoint URL or null);
the file named by the environment variable ``DAMRONGDHAM_AGENCIES`` replaces it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

ENV = "DAMRONGDHAM_AGENCIES"
DEFAULT = Path(__file__).with_name("data") / "agencies.json"
_ID_RE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name_th: str
    name_en: str
    url: str | None
    """HTTP(S) endpoint that takes an Open311 request as JSON; None: not configured yet."""


def parse_agencies(text: str, source: str = "agencies.json") -> dict[str, Agency]:
    """The agencies of a file's text, by id; ValueError naming the source when malformed."""
    try:
        rows = json.loads(text)["agencies"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{source}: not an agencies file ({exc})") from exc
    agencies: dict[str, Agency] = {}
    for i, row in enumerate(rows):
        try:
            agency = Agency(row["id"], row["name_th"], row["name_en"], row.get("url"))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{source}: agency #{i + 1} lacks {exc}") from exc
        if not _ID_RE.match(agency.id) or agency.id in agencies:
            raise ValueError(f"{source}: bad or repeated agency id {agency.id!r}")
        if agency.url is not None and not agency.url.startswith(("http://", "https://")):
            raise ValueError(f"{source}: agency {agency.id}: url must be http(s) or null")
        agencies[agency.id] = agency
    return agencies


def load_agencies(path: str | Path | None = None) -> dict[str, Agency]:
    """`path`, else the file in $DAMRONGDHAM_AGENCIES, else the packaged list."""
    chosen = Path(path or os.environ.get(ENV) or DEFAULT)
    return parse_agencies(chosen.read_text(encoding="utf-8"), str(chosen))


def find_agency(word: str, agencies: dict[str, Agency]) -> Agency | None:
    """An agency by id or by its Thai or English name (case-insensitive)."""
    key = word.strip().casefold()
    if not key:
        return None
    for agency in agencies.values():
        if key in (agency.id, agency.name_th.casefold(), agency.name_en.casefold()):
            return agency
    return None
