"""Cue words count only on the tokenizer's word boundaries (issue 16): the letters of a cue
inside another word are not the cue. Messages written for this test."""

from __future__ import annotations

import pytest

from bots.classify import features
from bots.normalise import normalise
from bots.tokenise import segment
from kernel.mask import mask


def _cues(text: str) -> set[str]:
    return set(features(mask(normalise(text))).cues)


MISSING = "urgent:เด็กหาย / missing person"
MEDICAL = "urgent:เจ็บป่วยฉุกเฉิน / medical emergency"
TRAPPED = "urgent:ติดอยู่ / trapped"
VIOLENCE = "urgent:ความรุนแรง / violence"

# (message, a cue key that must be found, a cue key that must not)
TRAPS = [
    ("ลูกหายใจไม่สะดวก ตัวเขียวๆ ช่วยด้วยค่ะ", MEDICAL, MISSING),
    ("ลูกหายใจหอบมากค่ะ ตอนนี้อยู่บ้าน", MEDICAL, MISSING),
    ("ลูกหายไปตั้งแต่เมื่อวานเย็น ยังไม่กลับบ้าน", MISSING, MEDICAL),
    ("เด็กหายที่ตลาดนัด ใส่เสื้อสีแดง", MISSING, None),
    ("น้ำขังหน้าบ้านมาสามเดือน ยุงเยอะมาก", None, TRAPPED),
    ("ถนนมีน้ำขังเป็นแอ่ง รถวิ่งผ่านกระเด็นใส่", None, TRAPPED),
    ("ถูกขังอยู่ในห้อง นายจ้างไม่ให้ออก", TRAPPED, None),
    ("สามีทำร้ายร่างกายทุกคืน", VIOLENCE, None),
    ("โดนทำร้ายร่างกายที่หน้าร้าน", VIOLENCE, None),
    ("ลูกค้าร้องเรียนว่าสินค้าเสีย", None, MISSING),
    ("แม่ค้าในตลาดขายของเกินราคา", None, MISSING),
    ("ไฟไหม้บ้านข้างๆ ตอนนี้ลามมาแล้ว", "urgent:ไฟไหม้ / fire", None),
    ("เผยแพร่ข่าวปลอมในกลุ่มไลน์หมู่บ้าน", None, None),
    ("ตลาดสดพังงาสกปรกมาก", None, None),
]


@pytest.mark.parametrize("text,want,unwanted", TRAPS)
def test_cues_on_word_boundaries_only(text: str, want: str | None, unwanted: str | None) -> None:
    found = _cues(text)
    if want:
        assert want in found, (segment(text), found)
    if unwanted:
        assert unwanted not in found, (segment(text), found)


def test_the_tokenizer_reads_breathing_as_one_word() -> None:
    assert segment("ลูกหายใจไม่สะดวก")[:2] == ["ลูก", "หายใจ"]
    assert "".join(segment("อ.แม่สาย จ.เชียงราย มีน้ำขัง")) == "อ.แม่สาย จ.เชียงราย มีน้ำขัง"


def test_a_blocker_word_hides_the_cue_it_starts_with() -> None:
    """พังงา (a province) starts with พัง (broken) + งา (a word): listed in BLOCKERS."""
    assert not any(k.startswith("topic:infrastructure") and "พัง" in v
                   for k, v in features("จังหวัดพังงา").cues.items())  # fmt: skip
