"""Thai word segmentation: PyThaiNLP's newmm through nlpo3 (Rust, about 0.05 ms a message)
over the project's dictionary, loaded once from the installed packages, never downloaded.

The dictionary is PyThaiNLP's word list plus the project's words that it cannot build from
its own words (a cue such as ``ลูกหาย`` is two dictionary words and stays two tokens, so
``ลูกหายใจไม่สะดวก`` reads ``ลูก|หายใจ|ไม่|สะดวก``; a coinage that is no sequence of
dictionary words is added whole). Cue words are then matched as runs of whole tokens
(`bots.classify`), never across a boundary the tokenizer does not agree with."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib.util import find_spec
from pathlib import Path

_BASE = "pythainlp"
_PROJECT = "damrongdham"


class TokenizerMissing(RuntimeError):
    """nlpo3 or PyThaiNLP's word list is not installed (both are dependencies)."""


def _words_file() -> Path:
    spec = find_spec("pythainlp")
    if spec is None or not spec.submodule_search_locations:
        raise TokenizerMissing("pythainlp is not installed: pip install -e .")
    path = Path(next(iter(spec.submodule_search_locations))) / "corpus" / "words_th.txt"
    if not path.exists():
        raise TokenizerMissing(f"{path} is missing from the pythainlp package")
    return path


@cache
def _nlpo3():
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    try:
        import nlpo3
    except ImportError as exc:
        raise TokenizerMissing("nlpo3 is not installed: pip install -e .") from exc
    nlpo3.load_dict(str(_words_file()), _BASE)
    return nlpo3


@cache
def base_words() -> frozenset[str]:
    """PyThaiNLP's word list."""
    return frozenset(
        w.strip() for w in _words_file().read_text(encoding="utf-8").splitlines() if w.strip()
    )


def _project_words() -> Iterable[str]:
    from bots import lexicon

    words = set(lexicon.all_cue_words())
    return sorted(w for w in words if w and w[0] >= "\u0e00")


@cache
def _project_dictionary() -> str:
    """Load PyThaiNLP's words + the project's words the base list cannot build; its name."""
    nlpo3 = _nlpo3()
    base = base_words()
    extra = []
    for word in _project_words():
        if word in base:
            continue
        pieces = [p for p in nlpo3.segment(word, _BASE) if not p.isspace()]
        if not all(p in base for p in pieces):
            extra.append(word)  # not a sequence of dictionary words: keep it whole
    fd, path = tempfile.mkstemp(prefix="damrongdham-words-", suffix=".txt")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_words_file().read_text(encoding="utf-8"))
            f.write("\n" + "\n".join(extra) + "\n")
        nlpo3.load_dict(path, _PROJECT)
    finally:
        os.unlink(path)
    return _PROJECT


def backend() -> str:
    return "nlpo3"


def load() -> None:
    """Load the dictionary now rather than on the first message."""
    _project_dictionary()


def segment(text: str) -> list[str]:
    """All pieces of `text` in order, spaces included: "".join(segment(t)) == t."""
    if not text:
        return []
    return _nlpo3().segment(text, _project_dictionary())


def tokenize(text: str) -> list[str]:
    """Words of `text` without spaces."""
    return [t for t in segment(text) if not t.isspace()]
