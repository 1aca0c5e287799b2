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
from typing import NamedTuple

from bots import lexicon
from bots.normalise import for_features
from bots.trie import THAI_FOLLOWING, trie_pattern
from casestore.vocab import TOPICS as _TOPICS
from casestore.vocab import TYPES as _TYPES
from kernel.mask import PLACEHOLDERS

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


class Features(NamedTuple):
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


def cue_owners() -> dict[str, list[str]]:
    """Each cue word (lower case) and what it is a cue for: ``topic:<t>``, ``type:<t>``,
    ``urgent:<reason>``, ``now`` or ``past``."""
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
    add(lexicon.HYPOTHETICAL_CUES, "hypo")
    return owner


STOPWORDS = frozenset(
    [
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
    ]
)


class _Entry(NamedTuple):
    """What one dictionary match gives."""

    topic: tuple[str, ...]
    """Feature names for the topic model (the word unless a function word, its cues)."""
    type: tuple[str, ...]
    """Feature names for the type model (the word, its cues)."""
    cues: tuple[tuple[str, str], ...]
    """(cue word, key) for each cue the word is or starts with (ทำร้ายร่างกาย → ทำร้าย)."""


def _cue_features(cues: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    out: list[str] = []
    for cue, key in cues:
        kind, _, label = key.partition(":")
        if kind == "topic":
            out.append(f"c:{label}")
        elif kind == "type":
            out.append(f"t:{label}")
        out.append(f"k:{cue}")
    return tuple(dict.fromkeys(out))


class Matcher:
    """Reads a message in one pass of one compiled regular expression: the longest known
    word at each place (the model's vocabulary, the cue words, the place names), the way
    maximal-matching word segmentation does, but in C."""

    def __init__(self, words: set[str] | frozenset[str]) -> None:
        from bots.locate import place_words

        owner = cue_owners()
        places = frozenset(w.lower() for w in place_words())
        blockers = frozenset(lexicon.BLOCKERS) - set(owner)
        # Thai place names are read as one word (and give no feature); English ones need
        # not be in the expression: they only have to give no feature when they are words.
        everything = set(words) | set(owner) | set(place_words(english=False)) | blockers
        # A Thai word never ends before a vowel or tone mark (the engine then tries the next
        # shorter word); an English word never starts or ends inside another ("fired").
        thai = sorted(w for w in everything if w[0] >= "\u0e00")
        other = sorted(w for w in everything if w[0] < "\u0e00")
        self.regex = re.compile(
            f"(?:{trie_pattern(thai)})(?![{_FOLLOWING}])"
            f"|(?<![a-z0-9])(?:{trie_pattern(other)})(?![a-z0-9])"
        )
        self.entries: dict[str, _Entry | None] = {}
        for w in everything:
            if w in blockers:
                self.entries[w] = None  # a blocker: บ่อย is not บ่อ
                continue
            cues = tuple(
                (w[:i], key)
                for i in range(len(w), 0, -1)
                if w[:i] in owner and (i == len(w) or _boundary(w, i))
                for key in owner[w[:i]]
            )
            extra = _cue_features(cues)
            word = () if w in places else (f"w:{w}",)
            topic = word if w not in STOPWORDS else ()
            self.entries[w] = _Entry(topic + extra, word + extra, cues)

    def vocabulary(self) -> frozenset[str]:
        return frozenset(self.entries)


@cache
def _matcher() -> Matcher:
    return Matcher(frozenset(_raw_model()["words"]))


_FOLLOWING = "".join(sorted(THAI_FOLLOWING))
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def features(masked: str, matcher: Matcher | None = None) -> Features:
    """What the models see in a masked, normalised message."""
    text = for_features(masked[:MAX_FEATURE_CHARS])
    if "[" in text:
        text = _PLACEHOLDER_RE.sub(" ", text)
    m = matcher or _matcher()
    entries = m.entries
    cues: dict[str, list[str]] = {}
    spans: list[tuple[int, int, str]] = []
    topic_names: list[str] = []
    type_names: list[str] = []
    for found in m.regex.finditer(text):
        entry = entries[found.group()]
        if entry is None:  # a blocker
            continue
        topic_names += entry[0]
        type_names += entry[1]
        if entry[2]:
            start = found.start()
            for cue, key in entry[2]:
                cues.setdefault(key, []).append(cue)
                spans.append((start, start + len(cue), key))
    for key, found_cues in cues.items():
        if key[:6] == "topic:" and len(found_cues) > 1 and len(set(found_cues)) > 1:
            topic_names.append(f"cc:{key[6:]}")
            type_names.append(f"cc:{key[6:]}")
    return Features(
        names=tuple(dict.fromkeys(topic_names)),
        cues=cues,
        spans=tuple(spans),
        text=text,
        type_names=tuple(dict.fromkeys(type_names)),
    )


def _boundary(word: str, i: int) -> bool:
    """Can a word end at word[:i]? Not before a Thai vowel or tone mark, nor inside an
    ASCII word ("fire" in "fired")."""
    after = word[i]
    if after in THAI_FOLLOWING:
        return False
    return not (after.isascii() and after.isalnum() and word[i - 1].isascii())


@dataclass(frozen=True)
class _Models:
    """The topic and the type model side by side: one dense row per feature holds the
    feature's weight for every topic, then for every type, so one pass of column sums
    scores both."""

    topics: tuple[str, ...]
    types: tuple[str, ...]
    bias: tuple[float, ...]
    rows: dict[str, tuple[float, ...]]

    def scores(self, names: tuple[str, ...]) -> tuple[list[float], list[str]]:
        """Scores (topics then types) and the names of the features the models know."""
        rows = self.rows
        known = [n for n in names if n in rows]
        if not known:
            return list(self.bias), known
        return [
            sum(col) for col in zip(self.bias, *map(rows.__getitem__, known), strict=True)
        ], known


@cache
def _raw_model() -> dict:
    return json.loads(files("bots").joinpath("data/model.json").read_text(encoding="utf-8"))


@cache
def _models() -> _Models:
    raw = _raw_model()
    topic, type_ = raw["topic"], raw["type"]
    width = len(topic["classes"]) + len(type_["classes"])
    offset = len(topic["classes"])
    rows: dict[str, list[float]] = {}
    for model, shift in ((topic, 0), (type_, offset)):
        for feature, sparse in model["weights"].items():
            row = rows.setdefault(feature, [0.0] * width)
            for i, w in sparse:
                row[shift + int(i)] = float(w)
    return _Models(
        topics=tuple(topic["classes"]),
        types=tuple(type_["classes"]),
        bias=tuple(topic["bias"]) + tuple(type_["bias"]),
        rows={f: tuple(r) for f, r in rows.items()},
    )


def load() -> None:
    """Load the models and word lists now rather than on the first message."""
    _models()
    _matcher()


def _best(scores: list[float]) -> int:
    return max(range(len(scores)), key=scores.__getitem__)


def _display(name: str, cues: dict[str, list[str]]) -> str:
    kind, _, rest = name.partition(":")
    if kind in ("c", "cc"):
        return cues.get(f"topic:{rest}", [rest])[0]
    if kind == "t":
        return cues.get(f"type:{rest}", [rest])[0]
    return rest


def _explain(rows: dict, known: list[str], column: int, cues: dict, n: int) -> list[str]:
    """The words that pulled most towards the class of `column`."""
    pulls = [(rows[name][column], name) for name in known]
    pulls = [p for p in pulls if p[0] > MIN_EVIDENCE_WEIGHT]
    out: list[str] = []
    for _, name in sorted(pulls, reverse=True):
        word = _display(name, cues)
        if word not in out and word.strip():
            out.append(word)
            if len(out) >= n:
                break
    return out


def urgency(f: Features) -> tuple[bool, str | None, list[str]]:
    """Urgent when a danger cue is present and the message does not put it in the past.

    A danger cue is history when its own clause has a past marker ("ปีที่แล้ว", "last year")
    and no "now" marker ("ตอนนี้", "now"), or when the message has a past marker and no
    "now" marker anywhere."""
    danger = [(a, b, k[7:]) for a, b, k in f.spans if k.startswith("urgent:")]
    if not danger:
        return False, None, []
    # the longest cue at a place is the most specific: จะฆ่าตัวตาย (suicide), not จะฆ่า (threat)
    longest: dict[int, int] = {}
    for a, b, _ in danger:
        longest[a] = max(longest.get(a, 0), b)
    danger = [d for d in danger if d[1] == longest[d[0]]]
    past = [a for a, _, k in f.spans if k == "past"]
    now = [a for a, _, k in f.spans if k == "now"]
    hypo = [a for a, _, k in f.spans if k == "hypo"]
    order = list(lexicon.URGENT_CUES)
    live: list[tuple[int, str, str]] = []
    for a, b, reason in danger:
        if _negated(f.text, a):
            continue
        lo, hi = _clause(f.text, a, b)
        clause_now = any(lo <= x < hi for x in now)
        clause_past = any(lo <= x < hi for x in past)
        if not reason.endswith("threat"):  # a threat is conditional by nature
            clause_past = clause_past or any(lo <= x < a for x in hypo)
        if clause_now or (not clause_past and (not past or now)):
            live.append((order.index(reason), reason, f.text[a:b]))
    if not live:
        return False, None, []
    live.sort()
    return True, live[0][1], [live[0][2]]


_NEGATION = re.compile(
    "(?:"
    + "|".join(
        re.escape(w) for w in sorted(lexicon.NEGATIONS, key=len, reverse=True) if w >= "\u0e00"
    )
    + r")$|\b(?:"
    + "|".join(re.escape(w) for w in lexicon.NEGATIONS if w < "\u0e00")
    + r") $"
)


def _negated(text: str, start: int) -> bool:
    """A danger cue right after a negation: "ยังไม่ทำร้ายใคร", "not on fire"."""
    return bool(_NEGATION.search(text, max(0, start - 7), start))


_CLAUSE_END = re.compile(r"[\s.!?,;]")


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The stretch between spaces or punctuation around text[start:end] (a Thai clause)."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right_m = _CLAUSE_END.search(text, end)
    return left, right_m.start() if right_m else len(text)


def classify(text: str) -> Classification:
    """Classify a normalised, masked message."""
    f = features(text)
    models = _models()
    scores, known = models.scores(f.type_names)
    urgent, reason, urgent_words = urgency(f)
    n_topics = len(models.topics)
    topic_names = set(f.names)
    topic_known = [n for n in known if n in topic_names]
    topic_words: list[str] = []
    type_words: list[str] = []
    if not topic_known:
        topic, confidence = "other", 0.0
    else:
        topic_scores = scores[:n_topics]
        t = _best(topic_scores)
        top = topic_scores[t]
        confidence = 1.0 / sum(math.exp(s - top) for s in topic_scores)
        topic = models.topics[t]
        if topic != "other":  # "other" is the absence of a topic: nothing to underline
            topic_words = _explain(models.rows, topic_known, t, f.cues, 3)
    if not known:
        type_ = "complaint"
    else:
        k = _best(scores[n_topics:])
        type_ = models.types[k]
        # only the cue words explain a type: "ช่วยด้วย", "แจ้งเบาะแส", "ไหม"…
        cue_known = [n for n in known if n[:2] in ("t:", "k:")]
        type_words = _explain(models.rows, cue_known, n_topics + k, f.cues, 2)
    return Classification(
        type=type_,
        topic=topic,
        urgent=urgent,
        urgent_reason=reason,
        evidence=tuple(dict.fromkeys(topic_words + type_words + urgent_words)),
        topic_confidence=round(confidence, 3),
    )
