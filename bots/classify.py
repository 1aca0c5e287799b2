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
    """An emergency (``urgency == "emergency"``)."""
    urgent_reason: str | None
    evidence: tuple[str, ...]
    topic_confidence: float = 0.0
    urgency: str = "normal"
    """``emergency`` (danger to life or a crime now: emergency numbers first), ``hazard``
    (could hurt someone soon: flagged for agents) or ``normal``."""
    urgency_reason: str | None = None
    """The kind of danger of an emergency or a hazard (`urgent_reason` is an emergency's
    only)."""


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
    add(lexicon.CHRONIC_CUES, "chronic")
    add(lexicon.HAZARD_CUES, "hazard")
    for word in lexicon.BLOCKERS:  # a word that hides the cues inside it: no feature
        owner.setdefault(word.lower(), []).append("block")
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


def _cue_features(cues: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    out: list[str] = []
    for cue, key in cues:
        if key == "block":
            continue
        kind, _, label = key.partition(":")
        if kind == "topic":
            out.append(f"c:{label}")
        elif kind == "type":
            out.append(f"t:{label}")
        out.append(f"k:{cue}")
    return tuple(dict.fromkeys(out))


class Matcher:
    """Reads a message as the tokenizer segments it (`bots.tokenise`): each token the
    model knows is a word feature, and a cue word counts only where it is a run of whole
    tokens — ``ลูกหาย`` is not in ``ลูก|หายใจ``, ``ขัง`` (trapped) is not in ``น้ำ|ขัง``
    unless the lexicon says ``น้ำขัง`` means it."""

    MAX_CUE_TOKENS = 6

    def __init__(self, words: set[str] | frozenset[str]) -> None:
        from bots.locate import place_words

        self.owner = {w: tuple(keys) for w, keys in cue_owners().items()}
        self.places = frozenset(w.lower() for w in place_words())
        self.words = frozenset(words)
        self.blockers = frozenset(lexicon.BLOCKERS)
        self._features: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._inherited: dict[str, tuple[str, tuple[str, ...]] | None] = {}

    def compound_cue(self, token: str) -> tuple[str, tuple[str, ...]] | None:
        """A dictionary compound that starts with a cue and ends with a word means the cue
        (``ทำร้ายร่างกาย`` is ``ทำร้าย``): (cue, keys), the longest such cue; not for the
        words of `lexicon.BLOCKERS` (``พังงา`` is not ``พัง``)."""
        if token in self._inherited:
            return self._inherited[token]
        from bots.tokenise import base_words

        found = None
        if token not in self.blockers and token[:1] >= "\u0e00":
            base = base_words()
            for i in range(len(token) - 1, 1, -1):
                cue = token[:i]
                if cue in self.owner and token[i:] in base and "block" not in self.owner[cue]:
                    found = (cue, self.owner[cue])
                    break
        if len(self._inherited) < 200_000:
            self._inherited[token] = found
        return found

    def vocabulary(self) -> frozenset[str]:
        return self.words | frozenset(self.owner)

    def word(self, token: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(topic features, type features) of one token as a word."""
        got = self._features.get(token)
        if got is None:
            if token in self.words and token not in self.places:
                name = (f"w:{token}",)
                got = (() if token in STOPWORDS else name, name)
            else:
                got = ((), ())
            if len(self._features) < 200_000:
                self._features[token] = got
        return got

    def read(self, text: str):
        """(start, end, cue, keys) of every cue, the longest run of tokens first, and the
        word features, in one pass over the tokens of `text`."""
        from bots.tokenise import segment

        tokens = [t.lower() for t in segment(text)]
        starts = []
        pos = 0
        for t in tokens:
            starts.append(pos)
            pos += len(t)
        owner = self.owner
        topic: list[str] = []
        type_: list[str] = []
        cues: list[tuple[int, int, str, tuple[str, ...]]] = []
        covered = 0  # a cue inside a longer cue already read counts once
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if tok.isspace():
                continue
            t_names, y_names = self.word(tok)
            topic += t_names
            type_ += y_names
            if starts[i] < covered:
                continue
            phrase = ""
            best = None
            shorter = []  # cues of another kind inside the longest: "beating" in "beating his wife"
            for j in range(i, min(n, i + self.MAX_CUE_TOKENS)):
                phrase += tokens[j]
                if phrase in owner:
                    if best is not None:
                        shorter.append(best)
                    best = (starts[i], starts[i] + len(phrase), phrase, owner[phrase])
            if best is not None and "block" not in best[3]:
                kinds = {k.partition(":")[0] for k in best[3]}
                cues += [c for c in shorter if {k.partition(":")[0] for k in c[3]} - kinds
                         and "block" not in c[3]]  # fmt: skip
            inherited = self.compound_cue(tok)
            if (inherited is not None and (best is None or not set(inherited[1]) <= set(best[3]))
                and (best is None or "block" not in best[3])):
                cue, keys = inherited  # ทำร้ายร่างกาย: a family cue, and violence (ทำร้าย)
                cues.append((starts[i], starts[i] + len(cue), cue, keys))
            if best is not None:
                cues.append(best)
                covered = best[1]
        return topic, type_, cues


@cache
def _matcher() -> Matcher:
    return Matcher(frozenset(_raw_model()["words"]))


_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def features(masked: str, matcher: Matcher | None = None) -> Features:
    """What the models see in a masked, normalised message."""
    text = for_features(masked[:MAX_FEATURE_CHARS])
    if "[" in text:
        text = _PLACEHOLDER_RE.sub(" ", text)
    m = matcher or _matcher()
    topic_names, type_names, found = m.read(text)
    cues: dict[str, list[str]] = {}
    spans: list[tuple[int, int, str]] = []
    for start, end, cue, keys in found:
        extra = _cue_features(tuple((cue, key) for key in keys))
        topic_names += extra
        type_names += extra
        for key in keys:
            cues.setdefault(key, []).append(cue)
            spans.append((start, end, key))
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
    """Load the models, word lists and the tokenizer's dictionary now rather than on the
    first message."""
    from bots import tokenise

    _models()
    _matcher()
    tokenise.load()


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


EMERGENCY, HAZARD, NORMAL = "emergency", "hazard", "normal"


class Urgency(NamedTuple):
    level: str
    reason: str | None
    words: list[str]

    @property
    def urgent(self) -> bool:
        return self.level == EMERGENCY


def urgency(f: Features) -> Urgency:
    """How urgent: a danger cue happening now is an **emergency**; the same danger talked
    about as possible (``อาจ``, ``เสี่ยง``, ``ถ้า``, ``กลัวว่า``) or as going on for long
    (``ทุกครั้งที่ฝนตก``, ``มาหลายเดือน``) is a **hazard**, as is a hazard cue (a hanging
    wire, a deep pothole); a danger told as past (``ปีที่แล้ว``, ``เมื่อวาน``) is
    **normal**. A "now" marker in the cue's clause (``ตอนนี้``, ``กำลัง``, ``ช่วยด้วย``)
    makes it an emergency whatever else the message says; threats are conditional by
    nature and stay emergencies ("ถ้าไม่จ่ายจะฆ่า")."""
    danger = [(a, b, k[7:]) for a, b, k in f.spans if k.startswith("urgent:")]
    hazards = [f.text[a:b] for a, b, k in f.spans if k == "hazard"]
    # the longest cue at a place is the most specific: จะฆ่าตัวตาย (suicide), not จะฆ่า (threat)
    longest: dict[int, int] = {}
    for a, b, _ in danger:
        longest[a] = max(longest.get(a, 0), b)
    danger = [d for d in danger if d[1] == longest[d[0]]]
    past = [a for a, _, k in f.spans if k == "past"]
    now = [a for a, _, k in f.spans if k == "now"]
    hypo = [a for a, _, k in f.spans if k == "hypo"]
    chronic = [a for a, _, k in f.spans if k == "chronic"]
    order = list(lexicon.URGENT_CUES)
    live: list[tuple[int, str, str]] = []
    possible: list[tuple[int, str, str]] = []
    standing_water = any(k == "block" and "ขัง" in f.text[a:b] for a, b, k in f.spans)
    for a, b, reason in danger:
        if _negated(f.text, a):
            continue
        if standing_water and "ขัง" in f.text[a:b]:
            continue  # "น้ำท่วมขัง … ขังอยู่ 2-3 วัน": the water stays, nobody is trapped
        lo, hi = _clause(f.text, a, b)
        rank = (order.index(reason), reason, f.text[a:b])
        if any(lo <= x < hi for x in now):
            live.append(rank)
            continue
        if reason in lexicon.NEEDS_NOW and not now:
            continue  # "บ้านถูกงัด": found afterwards, for the police and the centre
        threat = reason.endswith("threat")
        if not threat and any(lo <= x < a for x in hypo):
            possible.append(rank)  # "could make a motorbike fall", "risk of a shock"
        elif any(lo <= x < hi for x in past) or (past and not now):
            continue  # narrated past: "a fire last year"
        elif not threat and chronic and not now:
            possible.append(rank)  # "every time it rains", "for months"
        else:
            live.append(rank)
    if live:
        live.sort()
        return Urgency(EMERGENCY, live[0][1], [live[0][2]])
    if possible:
        possible.sort()  # named as a risk, not as what is happening: "อาจเกิด: …"
        return Urgency(HAZARD, f"อาจเกิด: {possible[0][1]}", [possible[0][2]])
    if hazards:
        return Urgency(HAZARD, "สภาพอันตราย / unsafe condition", hazards[:1])
    return Urgency(NORMAL, None, [])


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
    level = urgency(f)
    urgent, urgent_words = level.urgent, level.words
    reason = level.reason if urgent else None
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
        urgency=level.level,
        urgency_reason=level.reason,
    )
