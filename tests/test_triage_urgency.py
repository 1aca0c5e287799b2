"""Urgency: danger to life happening now. Recall first; past events are not urgent."""

from __future__ import annotations

import pytest

from bots.triage import triage


@pytest.mark.parametrize(
    "text",
    [
        "ไฟไหม้บ้านข้างๆ ตอนนี้ลามมาแล้ว",
        "ช่วยด้วย สามีถือมีดไล่ฟันอยู่",
        "น้ำท่วมสูงถึงหลังคา ยายติดอยู่บนหลังคา",
        "เจ้าหนี้ขู่จะฆ่าถ้าไม่จ่ายคืนนี้",
        "ไม่อยากอยู่แล้ว คิดจะฆ่าตัวตาย",
        "ลูกกินยาเกินขนาด หมดสติ",
        "มีคนยิงกันหน้าหมู่บ้าน",
        "เด็กจมน้ำที่ท่าน้ำ",
        "There is a fire in the building next door",
        "My husband is beating me, please help",
        "A man is threatening us with a gun",
        "He says he will kill himself tonight, I think it is suicide",
        "ปีที่แล้วโดนทำร้าย ตอนนี้เค้ากลับมาอีกแล้ว ทุบประตูอยู่",  # past, then now
    ],
)
def test_danger_now_is_urgent(text: str) -> None:
    result = triage(text)
    assert result.urgent, text
    assert result.urgent_reason


@pytest.mark.parametrize(
    "text",
    [
        "I was fired from my job without severance",  # fire is not fired
        "The employer fired ten workers",
        "เมื่อปีที่แล้วบ้านไฟไหม้ ยังไม่ได้เงินช่วยเหลือ",  # a past fire
        "ปีที่แล้วโดนสามีทำร้าย ตอนนี้หย่าแล้ว อยากได้สินสมรส",
        "Last year my shop was on fire, the insurance has not paid",
        "ถนนพังเป็นหลุมใหญ่",
        "หลังคารั่ว ฝนตกเปียกทั้งบ้าน",  # a leak is not a gas leak
        "แทงบอลออนไลน์เสียเงินหมด",  # betting, not stabbing
        "ปวดฟัน หมอฟันไม่ว่าง",  # teeth, not slashing
        "ขอเบอร์ติดต่อศูนย์ดำรงธรรม",
    ],
)
def test_no_danger_now_is_not_urgent(text: str) -> None:
    result = triage(text)
    assert not result.urgent, (text, result.urgent_reason, result.evidence)
    assert result.urgent_reason is None


def test_the_reason_names_the_danger() -> None:
    assert "fire" in (triage("ไฟไหม้โรงงาน ตอนนี้ควันเต็มซอย").urgent_reason or "")
    assert "suicide" in (triage("น้องบอกว่าจะฆ่าตัวตาย").urgent_reason or "")
    assert "violence" in (triage("พ่อทุบตีแม่อยู่ตอนนี้").urgent_reason or "")


def test_the_danger_word_is_evidence() -> None:
    result = triage("สามีเอามีดจ่อคอ ช่วยด้วย")
    assert any(w in result.evidence for w in ("มีดจ่อ", "เอามีด"))


def test_english_messages_get_province_topic_and_urgency() -> None:
    result = triage("My employer in Phuket has not paid my salary for 3 months")
    assert (result.province, result.topic, result.urgent) == ("TH-83", "labour", False)
    result = triage("Help! Fire at our hotel in Pattaya, people are trapped on the 5th floor")
    assert result.province == "TH-20" and result.urgent


@pytest.mark.parametrize(
    "text",
    [
        "สามีติดยา ตอนนี้ยังไม่ทำร้ายใคร แต่อยากพาไปบำบัด",  # negated
        "ถ้าโดนสามีทำร้ายร่างกาย ต้องไปแจ้งที่ไหน",  # hypothetical question
        "ควรมีบ้านพักฉุกเฉินสำหรับผู้หญิงที่ถูกทำร้าย",  # a suggestion
    ],
)
def test_danger_talked_about_is_not_urgent(text: str) -> None:
    assert not triage(text).urgent, text


def test_a_conditional_threat_is_urgent() -> None:
    assert triage("เจ้าหนี้บอกว่าถ้าไม่จ่ายจะฆ่าทิ้ง").urgent
    assert triage("He said if I go to the police he will kill me").urgent


def test_more_threats_and_dangers() -> None:
    assert triage("แฟนเก่าขู่จะสาดน้ำกรดใส่หน้า").urgent
    assert triage("There is a cobra in the kitchen right now").urgent
