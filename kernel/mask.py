"""Mask personal data before anything is stored, logged or learned from.

One pass finds every run of digit groups (``081.234.5678``, ``(02) 123 4567``,
``+66 (0) 81 234 5678``, ``1-2345-67890-12-3``…); the groups are then read left to right
and the longest span that forms an ID number, a phone number or a bank account is masked.
A case reference (``TH57-2569-000123``) and the hotlines are left alone."""

from __future__ import annotations

import re

HOTLINES = frozenset({"1567", "1111", "191", "199", "1669", "1300", "1155", "1193", "1506"})

ID = "[เลขบัตร]"
PHONE = "[เบอร์โทร]"
EMAIL = "[อีเมล]"
ACCOUNT = "[เลขบัญชี]"
NUMBER = "[หมายเลข]"
PLACEHOLDERS = (ID, PHONE, EMAIL, ACCOUNT, NUMBER)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A digit group may carry a leading "+" or sit in brackets; groups are joined by at most
# three of space, dot or dash ("081 - 234 - 5678").
_GROUP = r"(?:\+\s?)?\(?\d+\)?"
# Parcel tracking codes (UPU S10 "EF123456789TH", Thai carriers' "TH0123456789") are
# kept; digits glued to letters ("call0812345678") are still read as a number.
_KEPT = r"TH\d\d-\d{4}-\d{6}|[A-Z]{2}\d{9}[A-Z]{2}|TH\d{10,13}"
_RUN = re.compile(
    r"(?<![0-9])(?:" + _KEPT + "|" + _GROUP + r"(?:[ .\-]{0,3}" + _GROUP + r")*)(?![0-9])"
)
_KEPT_RE = re.compile(r"(?:" + _KEPT + r")$")
_DIGITS = re.compile(r"\d+")
_ANY_DIGIT = re.compile(r"\d")
_ACCOUNT_CONTEXT = re.compile(
    r"(?:บัญชี|บช\.?|เลขที่บัญชี|โอนเข้า|โอนไป|พร้อมเพย์|พร้อมเพ|account|acct|a/c|promptpay)"
    r"[^\n]{0,25}$",
    re.IGNORECASE,
)
_DECIMAL = re.compile(r"-?(?:[1-9]\d{0,2}|0)\.\d+$")  # a coordinate or an amount, not a phone


def _kind(groups: list[str], plus: bool, context: bool) -> str | None:
    digits = "".join(groups)
    n = len(digits)
    if n == 13 and not plus and digits[0] != "0":  # Thai IDs start with 1-8
        return ID
    if plus and digits.startswith("66"):
        rest = digits[2:]
        if rest.startswith("0"):  # +66 (0) 81 …
            rest = rest[1:]
        if len(rest) in (8, 9) and rest[0] != "0":
            return PHONE
        return None
    if digits.startswith("0") and not plus:
        if n == 10 and digits[1] in "689":
            return PHONE
        if n == 9 and digits[1] in "234567":
            return PHONE
        if (n == 10 and digits[1] in "234567" and len(groups) > 1 and len(groups[0]) <= 3
                and len(groups[-1]) > 1):  # not a lone digit: the next number's "0"
            return PHONE  # landline with an extension digit, "02 123 45678"
    if 10 <= n <= 12 and context:
        return ACCOUNT
    if n == 10 and [len(g) for g in groups] == [3, 1, 5, 1]:
        return ACCOUNT  # the usual xxx-x-xxxxx-x
    return None


def _mask_run(match: re.Match[str], text: str) -> str:
    run = match.group(0)
    if _KEPT_RE.match(run) or _DECIMAL.match(run):
        return run
    spans = [(m.start(), m.end(), m.group(0)) for m in _DIGITS.finditer(run)]
    if len(spans) == 1 and len(run) < 9 and "+" not in run:
        return run  # one short number: a year, an amount, a hotline
    context = bool(_ACCOUNT_CONTEXT.search(text, max(0, match.start() - 40), match.start()))
    out: list[str] = []
    pos = 0
    # A "+" starts a new number: "100.00011000 +66-20001000" is two numbers, not one.
    plus_before = ["+" in run[spans[k - 1][1] if k else 0 : spans[k][0]] for k in range(len(spans))]
    i = 0
    while i < len(spans):
        found: tuple[int, str] | None = None
        last = i
        while last + 1 < len(spans) and not plus_before[last + 1]:
            last += 1
        for j in range(min(len(spans), i + 13, last + 1) - 1, i - 1, -1):  # longest first
            groups = [s[2] for s in spans[i : j + 1]]
            plus = plus_before[i]
            kind = _kind(groups, plus, context)
            if kind:
                found = (j, kind)
                break
        if found is None:
            i += 1
            continue
        j, kind = found
        start = spans[i][0]
        # take a leading "+" or "(" and a trailing ")" with the number
        while start > pos and run[start - 1] in "+(":
            start -= 1
        end = spans[j][1]
        if end < len(run) and run[end] == ")":
            end += 1
        out.append(_leftover(run[pos:start]))
        out.append(kind)
        pos = end
        i = j + 1
    if not out:
        digits = "".join(s[2] for s in spans)
        # Long unexplained digit strings may still be personal data.
        hotlines_only = all(s[2] in HOTLINES for s in spans)
        return NUMBER if len(digits) >= 9 and not hotlines_only else run
    out.append(_leftover(run[pos:]))
    return "".join(out)


def _leftover(piece: str) -> str:
    """What is left between masked numbers: nine digits or more may still be personal."""
    if sum(ch.isdigit() for ch in piece) < 9:
        return piece
    lead = len(piece) - len(piece.lstrip(" .-"))
    trail = len(piece) - len(piece.rstrip(" .-"))
    return piece[:lead] + NUMBER + piece[len(piece) - trail :]


# A link (a shared file's upload URL, a map) is kept whole: its digits and "@" are not
# personal data, and a masked link no longer works.
_URL = re.compile(r"(?:https?|aesgcm)://[^\s<>\"'«»]+", re.IGNORECASE)


def mask(text: str) -> str:
    """Replace ID numbers, phone numbers, e-mail and bank accounts with placeholders.

    Expects normalised text (Arabic digits). Hotlines such as 1567 and links are kept."""
    if "://" in text:
        links = _URL.findall(text)
        pieces = _URL.split(text)
        return "".join(
            _mask_text(piece) + (links[i] if i < len(links) else "")
            for i, piece in enumerate(pieces)
        )
    return _mask_text(text)


def _mask_text(text: str) -> str:
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    if not _ANY_DIGIT.search(text):
        return text
    return _RUN.sub(lambda m: _mask_run(m, text), text)
