"""The triage brain as pure functions: normalise, mask, locate, classify, triage."""

from __future__ import annotations

import pytest

from bots.classify import TOPICS, TYPES, classify
from bots.locate import locate_province
from bots.normalise import normalise
from bots.triage import Triage, triage
from kernel.mask import mask

# -- normalise ----------------------------------------------------------------------------


def test_thai_digits_become_arabic() -> None:
    assert normalise("๐๑๒๓๔๕๖๗๘๙") == "0123456789"
    assert normalise("บ้านเลขที่ ๑๒/๓") == "บ้านเลขที่ 12/3"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_characters_are_removed(invisible: str) -> None:
    assert normalise(f"ร้อง{invisible}เรียน") == "ร้องเรียน"


def test_double_sara_e_becomes_sara_ae() -> None:
    assert normalise("เเม่น้ำ") == "แม่น้ำ"  # เ + เ typed for แ
    assert "เเ" not in normalise("เเละเเล้ว")


def test_decomposed_sara_am_is_composed() -> None:
    assert normalise("ท\u0e4d\u0e32งาน") == "ทำงาน"
    assert normalise("ท\u0e4d\u0e32งาน") == normalise("ทำงาน")


def test_decomposed_sara_am_with_tone_mark_in_pdf_order() -> None:
    # PDFs give นํ้า as NIKHAHIT, MAI THO, SARA AA; the word is น + MAI THO + SARA AM.
    assert normalise("น\u0e4d\u0e49\u0e32ท่วม") == "น\u0e49\u0e33ท่วม"
    assert normalise("น\u0e49\u0e4d\u0e32ท่วม") == "น\u0e49\u0e33ท่วม"


def test_runs_of_repeated_characters_are_cut_to_three() -> None:
    assert normalise("มากกกกกกกกก") == "มากกก"
    assert normalise("!!!!!!!") == "!!!"
    assert normalise("มากกก") == "มากกก"  # three is left alone
    assert normalise("ดีมาก") == "ดีมาก"


def test_spacing_is_tidied() -> None:
    assert normalise("  ถนน \t\u00a0 พัง  ") == "ถนน พัง"
    assert normalise("บรรทัด 1\r\n\r\n\r\n\r\nบรรทัด 2") == "บรรทัด 1\n\nบรรทัด 2"


# -- mask ---------------------------------------------------------------------------------


def _masked(text: str) -> str:
    return mask(normalise(text))


@pytest.mark.parametrize(
    "id_number",
    [
        "1234567890123",
        "1 2345 67890 12 3",
        "1-2345-67890-12-3",
        "๑๒๓๔๕๖๗๘๙๐๑๒๓",
        "๑ ๒๓๔๕ ๖๗๘๙๐ ๑๒ ๓",
    ],
)
def test_thai_id_numbers_are_masked(id_number: str) -> None:
    out = _masked(f"เลขบัตรประชาชน {id_number} ครับ")
    assert out == "เลขบัตรประชาชน [เลขบัตร] ครับ"


@pytest.mark.parametrize(
    "phone",
    [
        "081-234-5678",
        "0812345678",
        "02-123-4567",
        "021234567",
        "+66 81 234 5678",
        "+66812345678",
        "+66-81-234-5678",
        "๐๘๑-๒๓๔-๕๖๗๘",
    ],
)
def test_phone_numbers_are_masked(phone: str) -> None:
    out = _masked(f"ติดต่อ {phone} ได้ตลอด")
    assert out == "ติดต่อ [เบอร์โทร] ได้ตลอด"


def test_phone_glued_to_thai_text_is_masked() -> None:
    assert _masked("โทร.0812345678ครับ") == "โทร.[เบอร์โทร]ครับ"


def test_email_is_masked() -> None:
    assert _masked("อีเมล somchai.j+dd@example.co.th ครับ") == "อีเมล [อีเมล] ครับ"
    assert "@" not in _masked("mail me: a_b@mail.example")


def test_hotlines_and_ordinary_numbers_are_kept() -> None:
    text = "โทร 1567 หรือ 191 หรือ 1669 หรือ 199 เมื่อปี 2567 บ้านเลขที่ 99/1 เงิน 1,500,000 บาท"
    assert _masked(text) == text


def test_several_kinds_in_one_message() -> None:
    out = _masked("ผม 1-2345-67890-12-3 โทร 081 234 5678 mail x@y.th ด่วน 191")
    assert out == "ผม [เลขบัตร] โทร [เบอร์โทร] mail [อีเมล] ด่วน 191"


# -- locate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("ถนนพังที่อำเภอเมืองเชียงราย", "TH-57"),
        ("อยู่โคราชครับ", "TH-30"),
        ("เกิดเหตุที่ จ.เลย", "TH-42"),
        ("จังหวัดเลย ถนนพัง", "TH-42"),
        ("จ.แพร่", "TH-54"),
        ("I live in Chiang Mai", "TH-50"),
        ("chiang mai road", "TH-50"),
        ("นครพนม", "TH-48"),  # the longer name wins over any shorter one inside it
        ("กทม.", "TH-10"),
    ],
)
def test_province_is_found(text: str, iso: str) -> None:
    assert locate_province(normalise(text)) == iso


@pytest.mark.parametrize(
    "text",
    [
        "เลยไม่รู้จะทำยังไง",  # เลย = "so", not Loei
        "ช่วยเผยแพร่ข่าวนี้ด้วย",  # เผยแพร่ = publish, not Phrae
        "ตากผ้าไม่ได้เพราะควัน",  # ตาก = to dry, not Tak
        "ถนนหน้าบ้านพัง",
    ],
)
def test_no_province_in_ordinary_words(text: str) -> None:
    assert locate_province(normalise(text)) is None


def test_first_named_province_wins() -> None:
    """Where the citizen came from counts less than where they are (issue 16)."""
    assert locate_province("ย้ายจากเชียงใหม่มาอยู่เชียงราย") == "TH-57"
    assert locate_province("เชียงใหม่ เชียงราย ถนนพัง") is None  # two bare names: ask


# -- classify -----------------------------------------------------------------------------


def test_violence_is_urgent() -> None:
    found = classify(normalise("สามีทำร้ายร่างกายทุกวัน ช่วยด้วย"))
    assert found.urgent
    assert found.urgent_reason is not None and "violence" in found.urgent_reason
    assert "ทำร้าย" in found.evidence
    assert found.type == "help"
    assert found.topic == "family"


def test_fire_is_urgent_and_not_a_question() -> None:
    found = classify(normalise("ไฟไหม้บ้านข้างๆ"))
    assert found.urgent
    assert found.urgent_reason is not None and "fire" in found.urgent_reason
    assert found.type == "complaint"  # ไหม้ (burn) is not the question word ไหม


def test_question_particle_still_makes_an_inquiry() -> None:
    assert classify("ถนนจะซ่อมเมื่อไหร่ ซ่อมได้ไหมครับ").type == "inquiry"


def test_plain_road_complaint_is_not_urgent() -> None:
    found = classify(normalise("ร้องเรียนถนนเป็นหลุมเป็นบ่อ ไม่มีใครซ่อม"))
    assert not found.urgent
    assert found.urgent_reason is None
    assert found.topic == "infrastructure"
    assert found.type == "complaint"


def test_english_keywords_match_whole_words_only() -> None:
    found = classify("I moved to Thailand and have multiple problems to show")
    assert found.topic == "other"  # not "land" inside Thailand
    assert found.type == "complaint"  # not "tip" in multiple, nor "how" in show
    assert classify("how do I report a bribe").topic == "corruption"


def test_unknown_text_falls_back_to_complaint_other() -> None:
    found = classify("สวัสดีครับ")
    assert (found.type, found.topic, found.urgent, found.evidence) == (
        "complaint",
        "other",
        False,
        (),
    )


# -- triage -------------------------------------------------------------------------------

PINNED_KEYS = {
    "type", "topic", "province", "district", "urgent", "urgent_reason", "urgency", "masked",
}


def test_triage_as_json_has_exactly_the_pinned_keys() -> None:
    out = triage("ถนนพังที่เชียงราย โทร 081-234-5678").as_json()
    assert set(out) == PINNED_KEYS
    assert out["province"] == "TH-57"
    assert out["masked"] == "ถนนพังที่เชียงราย โทร [เบอร์โทร]"
    assert out["topic"] == "infrastructure"
    assert out["urgent"] is False
    assert out["type"] in TYPES and out["topic"] in TOPICS


def test_triage_masks_and_normalises_before_classifying() -> None:
    result = triage("ถูก\u200bทำร้าย ที่ จ.เลย บัตร ๑๒๓๔๕๖๗๘๙๐๑๒๓")
    assert isinstance(result, Triage)
    assert result.urgent
    assert result.province == "TH-42"
    assert result.masked == "ถูกทำร้าย ที่ จ.เลย บัตร [เลขบัตร]"
    assert "evidence" not in result.as_json()
    assert "ทำร้าย" in result.evidence
