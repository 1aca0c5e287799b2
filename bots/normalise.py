"""Normalise Thai text as people type it on phones."""

from __future__ import annotations

import re
import unicodedata

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_REPEATS = re.compile(r"(.)\1{3,}")
_NIKHAHIT_TONE = re.compile("\u0e4d([\u0e48-\u0e4b])\u0e32")


def normalise(text: str) -> str:
    """NFC, Arabic digits, no zero-width characters, แ/ำ composed, tidy spacing.

    Runs of four or more identical characters are cut to three (`มากกกกก` → `มากกก`)."""
    text = unicodedata.normalize("NFC", text).translate(_THAI_DIGITS)
    text = _ZERO_WIDTH.sub("", text)
    text = text.replace("เเ", "แ")
    text = _NIKHAHIT_TONE.sub("\\1\u0e33", text)  # ํ่า (as PDFs give it) → ่ำ
    text = text.replace("\u0e4d\u0e32", "\u0e33")  # ํา → ำ
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _REPEATS.sub(r"\1\1\1", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
