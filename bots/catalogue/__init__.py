"""Message catalogues: every text the bot sends to people, per audience, Thai first.

- `citizen` — what a citizen reads (answers at a centre address, `bot.D`, a case address);
- `room` — what a centre's room reads (new cases, follow-ups, routing, SLA flags);
- `agent` — what one agent reads in a case chat, the agent commands' answers included.

Each entry has a stable key (``"citizen.case_opened"``), a Thai template, an English template
and a layout that puts them together; fields are named (`str.format`)::

    from bots.catalogue import render
    render("citizen.unknown_case", ref="TH57-2569-000001")
    # 'ไม่พบเรื่องเลขที่ TH57-2569-000001 · No case TH57-2569-000001 exists.'

`render` refuses a missing or unexpected field. Tests read texts back by key, not by their
wording: `matches(body, key)` (the whole body), `contains(body, key)`, `key_of(body)`, and
`values(body, key)` for the fields (a reference, a PIN). No XMPP, no Flask here.

An agent command that says something of its own declares its entries in its own module with
`entry("agent.<command>_…", th, en)`: they join the catalogue when the command registry loads
the command, so adding a command is one file (and its test).
"""

from __future__ import annotations

from bots.catalogue import agent, citizen, room  # noqa: F401  (registers their entries)
from bots.catalogue._entry import REGISTRY, Entry, entry

__all__ = ["REGISTRY", "Entry", "contains", "entry", "key_of", "matches", "render", "values"]


def render(key: str, **values: object) -> str:
    """The text of `key` with `values` filled in (KeyError for an unknown key or field)."""
    return REGISTRY[key].render(**values)


def matches(body: str, key: str) -> bool:
    """Whether the whole of `body` is a text of `key`."""
    return REGISTRY[key].match(body) is not None


def contains(body: str, key: str) -> bool:
    """Whether a text of `key` is inside `body` (a text that embeds it, or several lines)."""
    return REGISTRY[key].search(body) is not None


def values(body: str, key: str) -> dict[str, str]:
    """The fields of `key` as read from `body` (ValueError when it is not such a text)."""
    found = REGISTRY[key].match(body) or REGISTRY[key].search(body)
    if found is None:
        raise ValueError(f"not a {key} text: {body!r}")
    return found.groupdict()


def key_of(body: str) -> str | None:
    """The key whose text is the whole of `body` (the most specific when several fit)."""
    fits = [k for k, e in REGISTRY.items() if e.match(body) is not None]
    return max(fits, key=lambda k: REGISTRY[k].literal_chars, default=None)
