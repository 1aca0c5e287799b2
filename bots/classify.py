"""Type, topic and urgency of a complaint, with the words that decided them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

TYPES = ("complaint", "help", "tip", "inquiry", "suggestion")
TOPICS = (
    "land",
    "debt",
    "drugs",
    "gambling",
    "nuisance",
    "infrastructure",
    "corruption",
    "consumer",
    "environment",
    "labour",
    "family",
    "welfare",
    "other",
)

TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "land": ("ที่ดิน", "โฉนด", "รุกล้ำ", "บุกรุก", "แนวเขต", "land"),
    "debt": ("หนี้", "ดอกเบี้ย", "เงินกู้", "ทวงหนี้", "loan", "debt"),
    "drugs": ("ยาบ้า", "ยาเสพติด", "ไอซ์", "กัญชา", "drug"),
    "gambling": ("การพนัน", "บ่อน", "หวยเถื่อน", "พนันออนไลน์", "gambling"),
    "nuisance": ("เสียงดัง", "รบกวน", "กลิ่นเหม็น", "เหตุเดือดร้อนรำคาญ", "noise"),
    "infrastructure": ("ถนน", "ไฟฟ้า", "ประปา", "น้ำไม่ไหล", "ไฟดับ", "สะพาน", "ท่อ", "road"),
    "corruption": ("ทุจริต", "ติดสินบน", "เรียกเงิน", "คอร์รัปชัน", "ส่วย", "bribe", "corrupt"),
    "consumer": ("สินค้า", "โกง", "หลอกลวง", "ไม่ได้รับของ", "ร้านค้า", "scam"),
    "environment": ("ขยะ", "น้ำเสีย", "ฝุ่น", "ควัน", "ตัดไม้", "มลพิษ", "pollution"),
    "labour": ("ค่าจ้าง", "นายจ้าง", "เลิกจ้าง", "แรงงาน", "ค่าแรง", "salary", "employer"),
    "family": ("สามี", "ภรรยา", "ลูก", "ทะเลาะ", "ครอบครัว", "family"),
    "welfare": ("เบี้ยยังชีพ", "สวัสดิการ", "บัตรคนจน", "ผู้สูงอายุ", "คนพิการ", "welfare"),
}
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "help": ("ช่วยด้วย", "ขอความช่วยเหลือ", "ช่วยหน่อย", "help"),
    "tip": ("แจ้งเบาะแส", "เบาะแส", "tip"),
    "inquiry": ("สอบถาม", "อยากทราบ", "ยังไง", "อย่างไร", "ไหม", "?", "how"),
    "suggestion": ("เสนอแนะ", "ข้อเสนอ", "ควรจะ", "suggest"),
    "complaint": ("ร้องเรียน", "ร้องทุกข์", "complain"),
}
URGENT_WORDS: dict[str, tuple[str, ...]] = {
    "ความรุนแรง / violence": ("ทำร้าย", "ตบตี", "ถูกตี", "มีดขู่", "ปืน", "ยิง", "ทุบตี"),
    "ไฟไหม้ / fire": ("ไฟไหม้", "ไฟกำลังไหม้", "fire"),
    "น้ำท่วม ติดอยู่ / trapped by flood": ("ติดอยู่", "น้ำท่วมบ้าน", "ติดค้าง", "trapped"),
    "ถูกข่มขู่ / threat": ("ขู่ฆ่า", "ขู่จะฆ่า", "จะฆ่า", "threat"),
    "เสี่ยงฆ่าตัวตาย / suicide risk": ("ฆ่าตัวตาย", "อยากตาย", "ไม่อยากอยู่", "suicide"),
}


@dataclass(frozen=True)
class Classification:
    type: str
    topic: str
    urgent: bool
    urgent_reason: str | None
    evidence: tuple[str, ...]


# A Thai keyword followed by a vowel or tone mark is part of another word (ไหม ≠ ไหม้).
_THAI_MARK = "[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]"


@cache
def _word_pattern(word: str) -> re.Pattern[str]:
    pattern = re.escape(word)
    if word[0].isascii() and word[0].isalnum():  # "land" is not in "Thailand"
        pattern = r"(?<![a-z0-9])" + pattern
    if not word.isascii():
        pattern += f"(?!{_THAI_MARK})"
    return re.compile(pattern)


def _first_hit(text: str, table: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    lowered = text.lower()
    for label, words in table.items():
        for word in words:
            if _word_pattern(word).search(lowered):
                return label, word
    return None


def classify(text: str) -> Classification:
    """Keyword rules (to be replaced by the trained model of the triage issue)."""
    evidence: list[str] = []
    topic_hit = _first_hit(text, TOPIC_WORDS)
    type_hit = _first_hit(text, TYPE_WORDS)
    urgent_hit = _first_hit(text, URGENT_WORDS)
    for hit in (topic_hit, type_hit, urgent_hit):
        if hit:
            evidence.append(hit[1])
    return Classification(
        type=type_hit[0] if type_hit else "complaint",
        topic=topic_hit[0] if topic_hit else "other",
        urgent=urgent_hit is not None,
        urgent_reason=urgent_hit[0] if urgent_hit else None,
        evidence=tuple(evidence),
    )
