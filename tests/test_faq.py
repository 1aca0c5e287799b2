"""FAQ: common questions get an answer from the knowledge base; a complaint never does."""

from __future__ import annotations

import re

import pytest

from bots import corpus
from bots.faq import answer, entries, match

QUESTIONS = {
    "what": [
        "ศูนย์ดำรงธรรมคืออะไรคะ",
        "ศูนย์ดำรงธรรมรับเรื่องอะไรบ้าง",
        "สวัสดีค่ะ ศูนย์ดำรงธรรมทำอะไรบ้างคะ",
        "What is this service?",
    ],
    "hours": [
        "ศูนย์เปิดกี่โมงครับ",
        "วันเสาร์เปิดไหมคะ",
        "เวลาทำการของศูนย์ดำรงธรรม",
        "What are your opening hours?",
    ],
    "hotline": ["1567 คือเบอร์อะไร", "โทร 1567 ได้ตลอดไหม", "ขอเบอร์โทรศูนย์ดำรงธรรมหน่อย"],
    "documents": [
        "ร้องเรียนต้องใช้เอกสารอะไรบ้าง",
        "ยื่นเรื่องต้องมีหลักฐานอะไรบ้างคะ",
        "What documents do I need to file a complaint?",
    ],
    "track": [
        "จะติดตามเรื่องยังไงครับ",
        "ตรวจสอบสถานะเรื่องได้ที่ไหน",
        "อยากทราบว่าเรื่องถึงไหนแล้ว ต้องทำยังไง",
        "How can I track my case?",
    ],
    "anonymous": [
        "แจ้งแบบไม่ระบุชื่อได้ไหม",
        "แจ้งเบาะแสไม่บอกชื่อได้มั้ยคะ",
        "Can I report anonymously?",
    ],
    "how": ["ร้องเรียนยังไงครับ", "แจ้งเรื่องได้ที่ไหนบ้าง", "How do I complain?"],
    "cost": ["ร้องเรียนเสียเงินไหม", "Is it free to file a complaint?"],
    "where": ["ศูนย์ดำรงธรรมอยู่ที่ไหน"],
    "duration": ["ร้องเรียนแล้วใช้เวลากี่วัน"],
    "emergency": ["เบอร์ฉุกเฉินเบอร์อะไร"],
}

# Complaints that happen to contain question words or FAQ words: each must open a case.
COMPLAINTS = [
    "ถนนหน้าบ้านพังมา 3 เดือนแล้ว จะซ่อมเมื่อไหร่ครับ",
    "ศูนย์ดำรงธรรมช่วยเรื่องหนี้นอกระบบได้ไหมคะ เจ้าหนี้ทวงโหดมาก",
    "อยากร้องเรียนเรื่องเสียงดัง ต้องทำยังไง",
    "ร้องเรียนตำรวจเรียกเงินได้ที่ไหน",
    "เปิดกี่โมงครับ ผมจะไปแจ้งเรื่องที่ดิน",
    "นายจ้างไม่จ่ายเงิน ติดตามเรื่องยังไง",
    "ทำไมไม่มีใครมาซ่อมไฟถนน ติดต่อเบอร์อะไรได้บ้าง",
    "ยาบ้าระบาดในหมู่บ้าน แจ้งแบบไม่ระบุชื่อได้ไหม",
    "How do I report my employer who has not paid me?",
    "Is it free to complain about a scam shop?",
    "มีบ่อนการพนันในหมู่บ้าน แจ้งที่ไหนได้บ้าง",
    "ขยะไม่มีคนเก็บ 2 อาทิตย์แล้ว ศูนย์รับเรื่องไหม",
    "ร้องเรียนเรื่องถนนพังได้ที่ไหน",
    "ร้องเรียนเรื่องเพื่อนบ้านเสียงดังต้องใช้เอกสารอะไรบ้าง",
    "ไฟไหม้บ้านข้างๆ เบอร์ฉุกเฉินเบอร์อะไร",
    "แจ้งเรื่องโฉนดที่ดินหายต้องใช้หลักฐานอะไรบ้าง",
    "โทรหา 1567 ไม่มีใครรับเลย เรื่องที่ดินผมเงียบมา 3 เดือน",
    "ติดต่อกลับเบอร์ 081-234-5678 ด้วยค่ะ ศูนย์เปิดกี่โมง",
    "สามีทำร้ายร่างกาย ศูนย์ดำรงธรรมช่วยอะไรได้บ้าง",
    "เจ้าหน้าที่อำเภอเรียกเงินค่าทำบัตร ร้องเรียนยังไงครับ",
]


@pytest.mark.parametrize(("entry", "question"), [(k, q) for k, qs in QUESTIONS.items() for q in qs])
def test_common_questions_are_answered(entry: str, question: str) -> None:
    found = match(question)
    assert found is not None and found.id == entry, question


@pytest.mark.parametrize("text", COMPLAINTS)
def test_a_complaint_is_never_answered_by_the_faq(text: str) -> None:
    assert answer(text) is None


def test_no_corpus_message_is_swallowed() -> None:
    """A report is never answered instead of opening a case; a plain question about the
    centre itself (an inquiry whose topic is "other": where it is, when it opens) may be."""
    swallowed = [ex.text for ex in corpus.load() if answer(ex.text) is not None
                 and not (ex.type == "inquiry" and ex.topic == "other")]
    assert swallowed == []


def test_answers_are_thai_with_a_short_english_line() -> None:
    for entry in entries():
        thai, _, english = entry.answer.rpartition("\n\n")
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in thai), entry.id
        assert re.match(r"[A-Z][A-Za-z]+\W", english) and 20 <= len(english) <= 220, entry.id


def test_every_entry_has_a_question_that_reaches_it() -> None:
    assert {e.id for e in entries()} == set(QUESTIONS)


def test_urgent_or_empty_messages_get_no_answer() -> None:
    assert answer("ไฟไหม้ ช่วยด้วย เบอร์ฉุกเฉินเบอร์อะไร") is None
    assert answer("") is None
    assert answer("😀") is None
