"""Type, topic and urgency of a complaint, with the words that decided them.

Topic and type come from two small multinomial logistic-regression models trained on the
project's corpus (``scripts/train_triage.py``) and shipped as JSON
(``bots/data/model.json``): prediction is a sum of a few dictionary look-ups, no
scikit-learn. Their features are the message's words (nlpo3 segmentation), word pairs, and
the hand-written cue words of ``bots.lexicon`` (so a word the corpus never saw still counts
when an agent would have underlined it). Urgency is a rule over the urgency cues, with
past-tense markers ("เมื่อปีที่แล้ว", "last year") switching it off unless the message also
says it is happening now."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from bots import lexicon
from bots.mask import PLACEHOLDERS
from bots.normalise import for_features
from bots.tokenise import segment
from bots.trie import compile_words, cut_inside_word
from casestore.vocab import TOPICS as _TOPICS
from casestore.vocab import TYPES as _TYPES

TYPES: tuple[str, ...] = ("complaint", "help", "tip", "inquiry", "suggestion")
TOPICS: tuple[str, ...] = (*sorted(_TOPICS - {"other"}), "other")
assert set(TYPES) == _TYPES

MAX_FEATURE_CHARS = 2000  # the classifier reads the start of very long messages only
MIN_EVIDENCE_WEIGHT = 0.03  # a word counts as evidence when it pulls at least this much


@dataclass(frozen=True)
class Classification:
    type: str
    topic: str
    urgent: bool
    urgent_reason: str | None
    evidence: tuple[str, ...]
    topic_confidence: float = 0.0


@dataclass(frozen=True)
class Features:
    words: tuple[str, ...]
    names: tuple[str, ...]
    """Model feature names: ``w:`` word, ``k:`` cue word, ``c:``/``cc:`` one/several cues of a
    topic, ``t:`` a type cue."""
    cues: dict[str, list[str]]
    """Cue words found, by ``topic:<t>``, ``type:<t>``, ``urgent:<reason>``, ``now``, ``past``."""
    spans: tuple[tuple[int, int, str], ...] = ()
    """Where each cue is: (start, end, key) in `text`."""
    text: str = ""
    type_names: tuple[str, ...] = ()
    """Feature names for the type model: as `names`, function words kept (คะ, ไหม…)."""


@cache
def _cue_index() -> tuple[object, dict[str, list[str]]]:
    owner: dict[str, list[str]] = {}

    def add(words: tuple[str, ...], key: str) -> None:
        for w in words:
            owner.setdefault(w.lower(), []).append(key)

    for topic, words in lexicon.TOPIC_CUES.items():
        add(words, f"topic:{topic}")
    for type_, words in lexicon.TYPE_CUES.items():
        add(words, f"type:{type_}")
    for reason, words in lexicon.URGENT_CUES.items():
        add(words, f"urgent:{reason}")
    add(lexicon.NOW_CUES, "now")
    add(lexicon.PAST_CUES, "past")
    return compile_words([*owner, *lexicon.BLOCKERS]), owner


def _cue_regex() -> re.Pattern[str]:
    return _cue_index()[0]  # type: ignore[return-value]


@cache
def _prefixes() -> dict[str, tuple[str, ...]]:
    owner = _cue_index()[1]
    return {w: tuple(w[:i] for i in range(len(w), 0, -1) if w[:i] in owner) for w in owner}


@cache
def _blockers() -> frozenset[str]:
    return frozenset(w for w in lexicon.BLOCKERS if w not in _cue_index()[1])


_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_DIGITS_ONLY = re.compile(r"^\d+(?:[.,:/]\d+)*$")


@cache
def _skip_words() -> tuple[frozenset[str], frozenset[str]]:
    """Place names (the locator's business, noise to a model) and the commonest function
    words (noise to the topic model, with a corpus this small)."""
    from bots.locate import place_words

    return frozenset(place_words()), frozenset(_STOPWORDS)


_STOPWORDS = (
    "ที่",
    "ก็",
    "และ",
    "ของ",
    "ใน",
    "มี",
    "ได้",
    "จะ",
    "ให้",
    "ไป",
    "มา",
    "แล้ว",
    "ว่า",
    "กับ",
    "เป็น",
    "อยู่",
    "นี้",
    "นั้น",
    "คือ",
    "ครับ",
    "ค่ะ",
    "คะ",
    "นะ",
    "จ้า",
    "จ้ะ",
    "ๆ",
    "the",
    "a",
    "an",
    "is",
    "are",
    "was",
    "to",
    "of",
    "in",
    "and",
    "my",
    "i",
    "we",
    "it",
    "on",
    "at",
)


def _scan(text: str, starts: set[int]) -> list[tuple[int, int, str]]:
    """Every cue word in `text` that starts where a word starts, as (start, end, word),
    overlapping ones included; a blocker (บ่อย, พังงา…) hides the cues inside it."""
    regex = _cue_regex()
    out: list[tuple[int, int, str]] = []
    blocked_until = 0
    blockers = _blockers()
    prefixes = _prefixes()
    pos = 0
    n = len(text)
    while pos < n:
        m = regex.search(text, pos)
        if m is None:
            break
        start, end = m.span()
        pos = start + 1
        if start < blocked_until or start not in starts or cut_inside_word(text, start, end):
            continue
        word = m.group(0)
        if word in blockers:
            blocked_until = end
            continue
        # the longest cue at this place, and the shorter cues it starts with
        # (ทำร้ายร่างกาย is a family cue and starts with the danger cue ทำร้าย)
        out.extend((start, start + len(w), w) for w in prefixes[word])
    return out


def features(masked: str) -> Features:
    """What the models see in a masked, normalised message."""
    text = for_features(masked[:MAX_FEATURE_CHARS])
    if "[" in text:
        text = _PLACEHOLDER_RE.sub(" ", text)
    owner = _cue_index()[1]
    cues: dict[str, list[str]] = {}
    spans: list[tuple[int, int, str]] = []
    pieces = segment(text)
    starts: set[int] = set()
    pos = 0
    for piece in pieces:
        starts.add(pos)
        pos += len(piece)
    for start, end, word in _scan(text, starts):
        for key in owner[word]:
            cues.setdefault(key, []).append(word)
            spans.append((start, end, key))
    words: list[str] = []
    places, stop = _skip_words()
    for tok in pieces:
        tok = tok.strip()
        if not tok or tok in places or (_PUNCT_ONLY.match(tok) and tok != "?"):
            continue
        words.append("<n>" if _DIGITS_ONLY.match(tok) else tok)
    names = [f"w:{w}" for w in words if w not in stop]
    type_names = [f"w:{w}" for w in words]
    for key, found in cues.items():
        kind, _, label = key.partition(":")
        if kind == "topic":
            names.append(f"c:{label}")
            if len(set(found)) > 1:
                names.append(f"cc:{label}")
        elif kind == "type":
            names.append(f"t:{label}")
    names += [f"k:{w}" for ws in cues.values() for w in ws]
    cue_names = [n for n in names if not n.startswith("w:")]
    return Features(
        words=tuple(words),
        names=tuple(dict.fromkeys(names)),
        cues=cues,
        spans=tuple(spans),
        text=text,
        type_names=tuple(dict.fromkeys(type_names + cue_names)),
    )


@dataclass(frozen=True)
class _Model:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]

    def scores(self, names: tuple[str, ...]) -> tuple[list[float], list[tuple[float, str, int]]]:
        s = list(self.bias)
        used: list[tuple[float, str, int]] = []
        get = self.weights.get
        for name in names:
            row = get(name)
            if row:
                for i, w in row:
                    s[i] += w
                used.append((0.0, name, 0))
        return s, used

    def weight(self, name: str, cls: int) -> float:
        for i, w in self.weights.get(name, ()):
            if i == cls:
                return w
        return 0.0


@cache
def _models() -> dict[str, _Model]:
    raw = json.loads(files("bots").joinpath("data/model.json").read_text(encoding="utf-8"))
    out = {}
    for key in ("topic", "type"):
        m = raw[key]
        out[key] = _Model(
            classes=tuple(m["classes"]),
            bias=tuple(m["bias"]),
            weights={
                f: tuple((int(i), float(w)) for i, w in row) for f, row in m["weights"].items()
            },
        )
    return out


def load() -> None:
    """Load the models and word lists now rather than on the first message."""
    _models()
    _cue_index()
    segment("ทดสอบ")


def _softmax_top(scores: list[float]) -> tuple[int, float]:
    best = max(range(len(scores)), key=scores.__getitem__)
    top = scores[best]
    total = sum(math.exp(s - top) for s in scores)
    return best, 1.0 / total


def _display(name: str, cues: dict[str, list[str]], cls: str) -> str:
    kind, _, rest = name.partition(":")
    if kind in ("c", "cc"):
        return cues.get(f"topic:{rest}", [rest])[0]
    if kind == "t":
        return cues.get(f"type:{rest}", [rest])[0]
    if kind == "b":
        return rest.replace("_", "")
    return rest


def _explain(model: _Model, names: tuple[str, ...], cls: int, cues: dict, n: int) -> list[str]:
    # a feature's pull towards the chosen class compared with its pull elsewhere
    ranked = sorted(
        ((model.weight(name, cls), name) for name in names if name in model.weights),
        reverse=True,
    )
    out: list[str] = []
    for w, name in ranked:
        if w <= MIN_EVIDENCE_WEIGHT or len(out) >= n:
            break
        word = _display(name, cues, model.classes[cls])
        if word not in out and word.strip():
            out.append(word)
    return out


_CLAUSE_END = re.compile(r"[\s.!?,;]")


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The stretch between spaces or punctuation around text[start:end] (a Thai clause)."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right_m = _CLAUSE_END.search(text, end)
    return left, right_m.start() if right_m else len(text)


def urgency(f: Features) -> tuple[bool, str | None, list[str]]:
    """Urgent when a danger cue is present and the message does not put it in the past.

    A danger cue is history when its own clause has a past marker ("ปีที่แล้ว", "last year")
    and no "now" marker ("ตอนนี้", "now"), or when the message has a past marker and no
    "now" marker anywhere."""
    danger = [(a, b, k[7:]) for a, b, k in f.spans if k.startswith("urgent:")]
    if not danger:
        return False, None, []
    past = [(a, b) for a, b, k in f.spans if k == "past"]
    now = [(a, b) for a, b, k in f.spans if k == "now"]
    order = list(lexicon.URGENT_CUES)
    live: list[tuple[int, str, str]] = []
    for a, b, reason in danger:
        lo, hi = _clause(f.text, a, b)
        clause_past = any(lo <= x < hi for x, _ in past)
        clause_now = any(lo <= x < hi for x, _ in now)
        if clause_now or (not clause_past and (not past or now)):
            live.append((order.index(reason), reason, f.text[a:b]))
    if not live:
        return False, None, []
    live.sort()
    return True, live[0][1], [live[0][2]]


def classify(text: str) -> Classification:
    """Classify a normalised, masked message."""
    f = features(text)
    models = _models()
    topic_model, type_model = models["topic"], models["type"]
    topic_scores, topic_used = topic_model.scores(f.names)
    type_scores, type_used = type_model.scores(f.type_names)
    urgent, reason, urgent_words = urgency(f)
    if not topic_used:
        topic, confidence, topic_words = "other", 0.0, []
    else:
        t, confidence = _softmax_top(topic_scores)
        topic = topic_model.classes[t]
        # "other" is the absence of a topic: nothing to underline
        topic_words = _explain(topic_model, f.names, t, f.cues, 3) if topic != "other" else []
    if not type_used:
        type_, type_words = "complaint", []
    else:
        k, _ = _softmax_top(type_scores)
        type_ = type_model.classes[k]
        # only the cue words explain a type: "ช่วยด้วย", "แจ้งเบาะแส", "ไหม"…
        cue_names = tuple(n for n in f.type_names if n[:2] in ("t:", "k:"))
        type_words = _explain(type_model, cue_names, k, f.cues, 2)
    evidence = list(dict.fromkeys(topic_words + type_words + urgent_words))
    return Classification(
        type=type_,
        topic=topic,
        urgent=urgent,
        urgent_reason=reason,
        evidence=tuple(evidence),
        topic_confidence=round(confidence, 3),
    )
