"""Normalise Thai text as people type it on phones."""

from __future__ import annotations

import re
import unicodedata

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_THAI_DIGIT = re.compile("[๐-๙]")
# Zero-width characters, C0/C1 controls except tab and newlines, lone surrogates, and the
# object-replacement character some apps send for a sticker or an attachment.
_JUNK = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffc\ufffd]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_REPEATS = re.compile(r"(\D)\1{3,}")  # มากกกกก → มากกก; never digits (10000, 000001)
_NIKHAHIT_TONE = re.compile("\u0e4d([\u0e48-\u0e4b])\u0e32")
_UPPER = re.compile("[A-Z]")


def normalise(text: str) -> str:
    """NFC, Arabic digits, no zero-width or control characters, แ/ำ composed, tidy spacing.

    Runs of four or more identical characters are cut to three (`มากกกกก` → `มากกก`)."""
    if not text:
        return ""
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if _THAI_DIGIT.search(text):
            text = text.translate(_THAI_DIGITS)
        text = text.replace("เเ", "แ")
        if "\u0e4d" in text:
            text = _NIKHAHIT_TONE.sub("\\1\u0e33", text)  # ํ่า (as PDFs give it) → ่ำ
            text = text.replace("\u0e4d\u0e32", "\u0e33")  # ํา → ำ
    text = _JUNK.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _REPEATS.sub(r"\1\1\1", text)
    if "\n" not in text:
        return _SPACES.sub(" ", text).strip()
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def for_features(text: str) -> str:
    """What the classifier reads: the normalised text in lower case."""
    return text.lower() if _UPPER.search(text) else text
