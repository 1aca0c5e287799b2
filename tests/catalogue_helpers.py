"""Reading what an agent command says by catalogue key: an agent is told from the case
address as ``[REF] <text>``, and the text after the reference is the whole of one entry."""

from __future__ import annotations

import re

from bots import catalogue
from bots.agent_commands.registry import commands

commands()  # the commands' own catalogue entries (whoami, due…) are declared as they load

_TOLD = re.compile(r"\[(?P<case>[A-Za-z]{2}\d{2}-\d{4}-\d{6})\] (?P<text>.*)", re.DOTALL)


def is_told(body: str, key: str) -> bool:
    """Whether `body` is ``[REF] `` followed by a text of `key`."""
    found = _TOLD.fullmatch(body)
    return found is not None and catalogue.matches(found["text"], key)


def told(body: str, key: str) -> dict[str, str]:
    """The fields of `key` in ``[REF] <text>``, with the reference as ``case``."""
    found = _TOLD.fullmatch(body)
    assert found is not None and catalogue.matches(found["text"], key), f"not {key}: {body!r}"
    return {"case": found["case"], **catalogue.values(found["text"], key)}


def read(body: str, key: str) -> dict[str, str] | None:
    """The fields of `key` when the whole of `body` is such a text, else None (for the
    predicates of `Person.expect`)."""
    return catalogue.values(body, key) if catalogue.matches(body, key) else None


def status_notice(body: str, ref: str) -> dict[str, str]:
    """The fields of the citizen's status notice of case `ref` ({} when `body` is not one)."""
    found = read(body, "citizen.status_notice")
    return found if found is not None and found["ref"] == ref else {}
