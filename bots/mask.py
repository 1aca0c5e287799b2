"""Mask personal data before anything is stored, logged or learned from."""

from __future__ import annotations

import re

HOTLINES = frozenset({"1567", "1111", "191", "199", "1669", "1300", "1155", "1193"})

_ID13 = re.compile(r"(?<!\d)\d(?:[ -]?\d){12}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(?:\+66[ -]?|0)\d(?:[ -]?\d){7,8}(?!\d)")
_ACCOUNT = re.compile(r"(?<!\d)\d{3}-?\d-?\d{5}-?\d(?!\d)")


def mask(text: str) -> str:
    """Replace ID numbers, phone numbers, e-mail and bank accounts with placeholders.

    Expects normalised text (Arabic digits). Hotlines such as 1567 are kept."""
    text = _EMAIL.sub("[อีเมล]", text)
    text = _ID13.sub("[เลขบัตร]", text)
    text = _PHONE.sub("[เบอร์โทร]", text)
    return _ACCOUNT.sub("[เลขบัญชี]", text)
