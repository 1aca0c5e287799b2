"""Answers to common questions (what the centre does, hours, 1567, documents, tracking,
anonymous reports…) from the Thai knowledge base ``bots/data/faq.json``.

Precision first: a complaint must never be answered with an FAQ text instead of opening a
case. So a message gets an answer only when it matches an entry *and* reads as a question
about the service: short, not urgent, no personal data in it, no sign of a grievance
("ถูก…", "โดน…", "ไม่ยอม…") and no confident complaint topic."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from bots.triage import Triage, triage
from kernel.mask import PLACEHOLDERS

MAX_CHARS = 180  # a longer message tells a story: it is a complaint, not a question
TOPIC_CONFIDENCE = 0.35  # a topic this sure means the message is about a problem

# Signs that the writer has a problem to report, not a question about the service.
GRIEVANCE = (
    "ถูก",
    "โดน",
    "ไม่ยอม",
    "เดือดร้อน",
    "ยังไม่มีใคร",
    "ไม่มีใคร",
    "ไม่มีคน",
    "ไม่มีความคืบหน้า",
    "แจ้งไปแล้ว",
    "แจ้งแล้ว",
    "เพื่อนบ้าน",
    "ข้างบ้าน",
    "นายจ้าง",
    "เจ้าหนี้",
    "สามี",
    "ภรรยา",
    "ผัว",
    "เมีย",
    "ทำร้าย",
    "โกง",
    "หลอก",
    "ขโมย",
    "เรียกเงิน",
    "ไม่จ่าย",
    "ไม่ได้รับ",
    "ไม่ได้เงิน",
    # a thing broken or wrong: a report, even when asked as "where do I report…"
    "พัง",
    "ชำรุด",
    "หลุม",
    "ไม่ไหล",
    "ไฟดับ",
    "น้ำท่วม",
    "เหม็น",
    "เสียงดัง",
    "ช่วยด้วย",
    "ด่วน",
    "ตอนนี้",
    "ขอร้องเรียน",
    "อยากร้องเรียน",
    "จะร้องเรียน",
    "i was",
    "they ",
    "my employer",
    "my husband",
    "my wife",
    "neighbour",
    "neighbor",
    "stolen",
    "scam",
)
QUESTION = (
    "?",
    "ไหม",
    "มั้ย",
    "หรือเปล่า",
    "หรือไม่",
    "ไหน",
    "อะไร",
    "ยังไง",
    "อย่างไร",
    "กี่",
    "เมื่อไหร่",
    "เท่าไหร่",
    "บ้าง",
    "ได้ไหม",
    "ขอทราบ",
    "อยากทราบ",
    "สอบถาม",
    "ถาม",
    "คือ",
    "how",
    "what",
    "when",
    "where",
    "which",
    "can i",
    "do i",
    "is it",
    "are you",
)
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


@dataclass(frozen=True)
class Entry:
    id: str
    patterns: tuple[tuple[tuple[str, ...], ...], ...]
    th: str
    en: str

    def matches(self, text: str) -> bool:
        return any(all(any(w in text for w in group) for group in p) for p in self.patterns)

    @property
    def answer(self) -> str:
        return f"{self.th}\n\n{self.en}"


@cache
def entries() -> tuple[Entry, ...]:
    raw = json.loads(files("bots").joinpath("data/faq.json").read_text(encoding="utf-8"))
    return tuple(
        Entry(
            id=e["id"],
            patterns=tuple(tuple(tuple(w.lower() for w in g) for g in p) for p in e["match"]),
            th=e["th"],
            en=e["en"],
        )
        for e in raw["entries"]
    )


def match(text: str, found: Triage | None = None) -> Entry | None:
    """The FAQ entry that answers `text`, or None when it may be a complaint."""
    found = found or triage(text)
    masked = found.masked
    if not masked or len(masked) > MAX_CHARS or found.urgent:
        return None
    if _PLACEHOLDER.search(masked):  # a phone or ID number: they expect a case
        return None
    lowered = masked.lower()
    if any(g in lowered for g in GRIEVANCE):
        return None
    if found.topic != "other" and found.confidence >= TOPIC_CONFIDENCE:
        return None
    if not any(q in lowered for q in QUESTION) and len(lowered) > 40:
        return None
    for entry in entries():
        if entry.matches(lowered):
            return entry
    return None


def answer(text: str, found: Triage | None = None) -> str | None:
    """A Thai answer (with a short English line) when `text` is a common question about
    the service; None otherwise, and always None for anything that may be a complaint."""
    try:
        entry = match(text, found)
    except Exception:  # never lose a message to the FAQ
        return None
    return entry.answer if entry else None
