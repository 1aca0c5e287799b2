"""Thai word segmentation for the classifier: nlpo3 (Rust, about 0.02 ms a message) over
PyThaiNLP's word list, loaded once from the installed package, never downloaded."""

from __future__ import annotations

import os
import re
from functools import cache
from importlib.util import find_spec

_FALLBACK = re.compile(r"[\u0e00-\u0e7f]+|[a-z0-9]+(?:['.\-][a-z0-9]+)*", re.IGNORECASE)
_DICT_NAME = "damrongdham"


@cache
def _nlpo3() -> object | None:
    """The nlpo3 module with our dictionary loaded, or None when it is not installed."""
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    try:
        import nlpo3
    except ImportError:
        return None
    spec = find_spec("pythainlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(next(iter(spec.submodule_search_locations)), "corpus", "words_th.txt")
    if not os.path.exists(path):
        return None
    nlpo3.load_dict(path, _DICT_NAME)
    return nlpo3


def backend() -> str:
    return "nlpo3" if _nlpo3() is not None else "regex"


def segment(text: str) -> list[str]:
    """All pieces of `text` in order, spaces included: "".join(segment(t)) == t."""
    nlpo3 = _nlpo3()
    if nlpo3 is None:
        out: list[str] = []
        pos = 0
        for m in _FALLBACK.finditer(text):
            if m.start() > pos:
                out.append(text[pos : m.start()])
            out.append(m.group(0))
            pos = m.end()
        if pos < len(text):
            out.append(text[pos:])
        return out
    return nlpo3.segment(text, _DICT_NAME)


def tokenize(text: str) -> list[str]:
    """Words of `text` without spaces; Thai segmented by dictionary, other scripts by runs."""
    nlpo3 = _nlpo3()
    if nlpo3 is None:
        return _FALLBACK.findall(text)
    return [t for t in nlpo3.segment(text, _DICT_NAME) if not t.isspace()]
