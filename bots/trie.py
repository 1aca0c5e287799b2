"""One compiled regular expression for many literal words (a trie), so a message is
scanned once whatever the size of the word list."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Thai characters that attach to the consonant before them: a word ending right before one
# of these was cut inside a syllable (ไหม in ไหม้, ตาย in ตายาย).
THAI_FOLLOWING = frozenset(
    "\u0e30\u0e31\u0e32\u0e33\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e45"
    "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)
# Vowels written before their consonant: a word starting right after one was cut too.
THAI_LEADING = frozenset("เแโใไ")


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of `words`, longest first at each position."""
    root: dict[str, dict] = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        end = "" in node
        keys = sorted(k for k in node if k)
        if not keys:
            return ""
        alts = [re.escape(k) + build(node[k]) for k in keys]
        if len(alts) == 1 and not end:
            return alts[0]
        body = "(?:" + "|".join(alts) + ")"
        return body + "?" if end else body

    return build(root)


def compile_words(words: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    pattern = trie_pattern(sorted(set(words)))
    return re.compile(pattern or "(?!)", flags)


def cut_inside_word(text: str, start: int, end: int) -> bool:
    """True when text[start:end] starts or ends inside a Thai syllable or an ASCII word."""
    if end < len(text):
        after = text[end]
        if after in THAI_FOLLOWING:
            return True
        if (
            after.isascii()
            and after.isalnum()
            and text[end - 1].isascii()
            and text[end - 1].isalnum()
        ):
            return True
    if start > 0:
        before = text[start - 1]
        if before in THAI_LEADING:
            return True
        if (
            before.isascii()
            and before.isalnum()
            and text[start].isascii()
            and text[start].isalnum()
        ):
            return True
    return False
