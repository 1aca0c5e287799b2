"""One catalogue entry: a stable key, a Thai template, an English template and the layout
that puts them together (Thai first). Templates use `str.format` fields by name."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

_FORMATTER = string.Formatter()
_PART = re.compile(r"\{(th|en)(?:\[(\d+)\])?\}")

#: Every entry of every audience, by key (filled as the audience modules are imported).
REGISTRY: dict[str, Entry] = {}


@dataclass(frozen=True)
class Entry:
    """`th` and `en` are one template each, or tuples of parts for a text whose lines mix
    both languages (`{th[0]} · {en[0]}\\n{th[1]} · {en[1]}`). One of them is None only for
    the few lines written in one language today (Thai-only room and agent lines, English
    fragments that go inside an English template), listed by the catalogue test. `layout` may
    name other fields too: language-neutral values such as a case address or another
    entry's rendered text."""

    key: str
    th: str | tuple[str, ...] | None
    en: str | tuple[str, ...] | None
    layout: str = "{th}\n{en}"
    template: str = field(init=False, repr=False, compare=False)
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def part(match: re.Match[str]) -> str:
            texts = self.th if match[1] == "th" else self.en
            if texts is None:
                raise ValueError(f"{self.key}: the layout names {match[0]} but there is none")
            if match[2] is None:
                if not isinstance(texts, str):
                    raise ValueError(f"{self.key}: {match[0]} of a tuple needs an index")
                return texts
            if isinstance(texts, str):
                raise ValueError(f"{self.key}: {match[0]} indexes a single template")
            return texts[int(match[2])]

        object.__setattr__(self, "template", _PART.sub(part, self.layout))
        object.__setattr__(self, "_regex", _pattern(self.template))

    @property
    def fields(self) -> frozenset[str]:
        """The names the template needs."""
        return frozenset(
            name for _lit, name, _spec, _conv in _FORMATTER.parse(self.template) if name
        )

    @property
    def literal_chars(self) -> int:
        """How much of the template is fixed text (the more, the more specific)."""
        return sum(len(lit) for lit, _name, _spec, _conv in _FORMATTER.parse(self.template))

    def render(self, **values: object) -> str:
        missing = self.fields - values.keys()
        extra = values.keys() - self.fields
        if missing or extra:
            raise KeyError(f"{self.key}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        return self.template.format(**values)

    def match(self, body: str) -> re.Match[str] | None:
        """The whole of `body` read as this entry (values as named groups), else None."""
        return self._regex.fullmatch(body)

    def search(self, body: str) -> re.Match[str] | None:
        """This entry somewhere inside `body` (a text that embeds it)."""
        return self._regex.search(body)


#: Fields that never hold a space (references, addresses, slugs, numbers): read as one
#: token, so that `{ref}{why}` splits where the reference ends.
TOKEN_FIELDS = frozenset(
    {"ref", "agent", "target", "own", "slug", "link", "case_jid", "iso", "domain", "pin"}
    | {"score", "days", "count", "attempts", "limit", "got", "waited", "into"}
    | {"agency", "agency_ref", "channel"}
)

#: Optional pieces that are whole lines of their own (empty, or a new line and the text),
#: and the urgent mark (empty, agent.urgent_mark or agent.hazard_mark: it ends with a space).
LINE_FIELDS = {
    "urgent": r"(?:.*? )?",
    "merged": r"(?:\n.*)?",
    "more": r"(?:\n.*)?",
    "evidence": r"(?:\n.*?)?",
    "warning": r"(?:.*?\n\n)?",
}


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression: literal text exact, each field any text (a
    token for `TOKEN_FIELDS`; a field used twice must read the same both times)."""
    out, seen = [], set()
    for literal, name, _spec, _conv in _FORMATTER.parse(template):
        out.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            pattern = r"\S*" if name in TOKEN_FIELDS else LINE_FIELDS.get(name, ".*?")
            out.append(f"(?P<{name}>{pattern})")
    return re.compile("".join(out), re.DOTALL)


def entry(
    key: str,
    th: str | tuple[str, ...] | None,
    en: str | tuple[str, ...] | None,
    layout: str = "{th}\n{en}",
) -> None:
    """Register an entry under its key (each key once)."""
    if key in REGISTRY:
        raise ValueError(f"{key}: defined twice")
    REGISTRY[key] = Entry(key, th, en, layout)
