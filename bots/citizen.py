"""Citizens' commands to a centre address or `bot.D`: exact words, no NLP. Pure.

| Thai | English | does |
|---|---|---|
| `สถานะ <ref>` | `status <ref>` | the case's status, last update and centre (own cases only) |
| `สถานะ` | `status` | the citizen's open cases |
| `ให้คะแนน <1–5> [ref]` | `rate <1–5> [ref]` | rate a resolved case (the latest one without `ref`) |
| `<1–5>` alone | | the same, only as the answer to the invitation in the resolved notice |
| `เปิดเรื่องใหม่ [ref]` | `reopen [ref]` | reopen a resolved or closed case within the reopen period |

Thai words may be glued to what follows (`สถานะTH57-2569-000001`). A message that starts
with a command word but goes on with something else (`สถานะเรื่องที่ดินเป็นยังไง`) is not a
command: it goes to intake like any other message.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from casestore import parse_ref

STATUS, RATE, REOPEN = "status", "rate", "reopen"
WORDS: dict[str, str] = {
    "สถานะ": STATUS,
    "status": STATUS,
    "ให้คะแนน": RATE,
    "rate": RATE,
    "เปิดเรื่องใหม่": REOPEN,
    "reopen": REOPEN,
}
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_THAI = sorted((w for w in WORDS if not w.isascii()), key=len, reverse=True)


@dataclass(frozen=True)
class CitizenCommand:
    kind: str  # status | rate | reopen
    ref: str | None = None  # canonical reference, when one was given
    score: int | None = None  # rate: 1–5; 0 for a number out of range
    bare: bool = False  # rate: a digit alone (an answer to the invitation)


def _ref(text: str) -> str | bool | None:
    """The canonical reference in `text`, None when empty, False when it is not one."""
    text = text.strip().removeprefix("xmpp:").partition("@")[0].strip()
    if not text:
        return None
    parsed = parse_ref(text)
    return str(parsed) if parsed else False


def parse(body: str) -> CitizenCommand | None:
    """The citizen command in `body`, or None for an ordinary message."""
    # Not bots.normalise: it shortens runs of a character, and references have 0000.
    text = unicodedata.normalize("NFC", body).translate(_INVISIBLE).translate(_THAI_DIGITS)
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) == 1 and text.isdecimal():
        score = int(text)
        return CitizenCommand(RATE, score=score if 1 <= score <= 5 else 0, bare=True)
    head, _, rest = text.partition(" ")
    kind = WORDS.get(head.casefold())
    if kind is None:
        for word in _THAI:
            if text.startswith(word):
                kind, rest = WORDS[word], text[len(word) :]
                break
        else:
            return None
    rest = rest.strip()
    if kind == RATE:
        number, _, tail = rest.partition(" ")
        if not number.isdecimal():
            return None
        ref = _ref(tail)
        if ref is False:
            return None
        score = int(number)
        return CitizenCommand(RATE, ref or None, score if 1 <= score <= 5 else 0)
    ref = _ref(rest)
    if ref is False:
        return None
    return CitizenCommand(kind, ref or None)
