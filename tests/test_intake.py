"""Intake.handle against a real CaseStore on a temporary SQLite file (no XMPP)."""

from __future__ import annotations

import re

import pytest

from bots import catalogue
from bots.intake import MAX_CHARS, Intake
from casestore import CaseStore
from kernel.addresses import Addresses

CITIZEN = "x@citizens.d.example"
ROAD = "ร้องเรียนถนนหน้าบ้านพังมานาน ฝนตกทีเละทุกที ไม่มีใครมาซ่อม"
REF_RE = re.compile(r"TH\d\d-\d{4}-\d{6}")


@pytest.fixture
def intake(store: CaseStore) -> Intake:
    return Intake(store, Addresses.for_domain("d.example"))


def test_first_message_opens_a_case(intake: Intake, store: CaseStore) -> None:
    result = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")

    assert result.opened is not None
    ref = result.opened.ref
    assert ref.startswith("TH57-")
    assert result.opened.centre == "chiangrai"
    assert result.opened.citizen_jid == CITIZEN
    assert len(result.out) == 2

    reply, room = result.out
    assert reply.to == CITIZEN and not reply.groupchat
    assert reply.sender == "chiangrai"  # answered from the address the citizen wrote to
    assert catalogue.matches(reply.body, "citizen.case_opened")
    told = catalogue.values(reply.body, "citizen.case_opened")
    assert told["ref"] == ref and told["warning"] == ""
    assert re.fullmatch(r"\d{6}", told["pin"])
    assert store.check_pin(ref, told["pin"])

    assert room.groupchat
    assert room.to == "chiangrai@rooms.d.example"
    assert catalogue.matches(room.body, "room.new_case")
    assert catalogue.values(room.body, "room.new_case")["ref"] == ref
    assert f"xmpp:{ref.lower()}@bot.d.example?message" in room.body

    assert store.count() == 1
    assert [m.body for m in store.transcript(ref)] == [ROAD]


def test_second_message_is_a_follow_up(intake: Intake, store: CaseStore) -> None:
    first = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")
    assert first.opened is not None

    second = intake.handle(CITIZEN, "chiangrai", "เพิ่มเติม: หลุมลึกประมาณครึ่งเมตร", "m2")

    assert second.opened is None
    assert second.out == []  # no second case number
    assert len(second.follow_ups) == 1
    case, msg = second.follow_ups[0]
    assert case.ref == first.opened.ref
    assert msg.body == "เพิ่มเติม: หลุมลึกประมาณครึ่งเมตร"
    assert msg.origin_id == "m2"
    assert store.count() == 1
    assert len(store.transcript(first.opened.ref)) == 2


def test_follow_up_is_masked_before_storing(intake: Intake, store: CaseStore) -> None:
    first = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")
    assert first.opened is not None
    second = intake.handle(CITIZEN, "chiangrai", "โทรกลับ 081-234-5678", "m2")
    assert second.follow_ups[0][1].body == "โทรกลับ [เบอร์โทร]"
    assert "081" not in store.transcript(first.opened.ref)[-1].body


def test_same_origin_id_twice_is_one_case(intake: Intake, store: CaseStore) -> None:
    first = intake.handle(CITIZEN, "chiangrai", ROAD, "same-id")
    again = intake.handle(CITIZEN, "chiangrai", ROAD, "same-id")

    assert first.opened is not None
    assert again.out == [] and again.follow_ups == [] and again.opened is None
    assert store.count() == 1
    assert len(store.transcript(first.opened.ref)) == 1


def test_redelivered_follow_up_is_stored_once(intake: Intake, store: CaseStore) -> None:
    first = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")
    assert first.opened is not None
    assert intake.handle(CITIZEN, "chiangrai", "อีกเรื่อง", "m2").follow_ups
    again = intake.handle(CITIZEN, "chiangrai", "อีกเรื่อง", "m2")
    assert again.follow_ups == [] and again.out == []
    assert len(store.transcript(first.opened.ref)) == 2


def test_unknown_centre_is_refused(intake: Intake, store: CaseStore) -> None:
    result = intake.handle(CITIZEN, "atlantis", ROAD, "m1")
    assert result.opened is None
    assert len(result.out) == 1
    assert result.out[0].to == CITIZEN
    assert catalogue.matches(result.out[0].body, "citizen.unknown_centre")
    assert catalogue.values(result.out[0].body, "citizen.unknown_centre")["local"] == "atlantis"
    assert store.count() == 0


@pytest.mark.parametrize("staff", ["chiangrai@d.example", "someone@rooms.d.example"])
def test_staff_sender_is_refused(intake: Intake, store: CaseStore, staff: str) -> None:
    result = intake.handle(staff, "chiangrai", ROAD, "m1")
    assert result.opened is None
    assert [o.to for o in result.out] == [staff]
    assert catalogue.matches(result.out[0].body, "agent.not_citizen_address")
    assert store.count() == 0


def test_anonymous_host_counts_as_citizen(intake: Intake) -> None:
    result = intake.handle("tip123@anon.d.example", "chiangrai", ROAD, "m1")
    assert result.opened is not None


@pytest.mark.parametrize("body", ["", "   ", "\n\t  \n", "\u200b\u200b\ufeff"])
def test_empty_message_is_refused(intake: Intake, store: CaseStore, body: str) -> None:
    result = intake.handle(CITIZEN, "chiangrai", body, "m1")
    assert result.opened is None
    assert len(result.out) == 1 and result.out[0].to == CITIZEN
    assert catalogue.matches(result.out[0].body, "citizen.empty_message")
    assert store.count() == 0


def test_too_long_message_is_refused(intake: Intake, store: CaseStore) -> None:
    body = "ก" * (MAX_CHARS + 1)
    result = intake.handle(CITIZEN, "chiangrai", body, "m1")
    assert result.opened is None
    assert len(result.out) == 1
    assert catalogue.matches(result.out[0].body, "citizen.too_long")
    assert catalogue.values(result.out[0].body, "citizen.too_long")["got"] == f"{MAX_CHARS + 1:,}"
    assert store.count() == 0
    # exactly the limit is still accepted
    assert intake.handle(CITIZEN, "chiangrai", "ถนน" + "ก" * (MAX_CHARS - 3), "m2").opened


def test_too_long_follow_up_is_refused_too(intake: Intake, store: CaseStore) -> None:
    first = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")
    assert first.opened is not None
    result = intake.handle(CITIZEN, "chiangrai", "ข" * (MAX_CHARS + 1), "m2")
    assert result.follow_ups == [] and len(result.out) == 1
    assert len(store.transcript(first.opened.ref)) == 1


def test_general_entry_finds_the_province(intake: Intake, store: CaseStore) -> None:
    result = intake.handle(CITIZEN, "", "ถนนพังที่ จ.เลย ซ่อมด้วย", "m1")
    assert result.opened is not None
    assert result.opened.centre == "loei"
    assert result.opened.ref.startswith("TH42-")
    reply, room = result.out
    assert reply.to == CITIZEN and reply.sender == ""  # answered from bot.D itself
    assert room.to == "loei@rooms.d.example" and room.groupchat
    assert store.count() == 1


def test_general_entry_without_province_asks_for_one(intake: Intake, store: CaseStore) -> None:
    result = intake.handle(CITIZEN, "", ROAD, "m1")
    assert result.opened is None
    assert len(result.out) == 1
    assert catalogue.matches(result.out[0].body, "citizen.need_province")
    assert store.count() == 0


def test_general_entry_for_a_province_without_centre(intake: Intake, store: CaseStore) -> None:
    # Bangkok is a province but has no provincial Damrongdham centre in the seed list.
    result = intake.handle(CITIZEN, "", "ถนนพังที่กรุงเทพ", "m1")
    assert result.opened is None
    assert len(result.out) == 1
    assert catalogue.matches(result.out[0].body, "citizen.no_centre_for")
    assert catalogue.values(result.out[0].body, "citizen.no_centre_for")["iso"] == "TH-10"
    assert store.count() == 0


def test_urgent_message_gets_emergency_numbers(intake: Intake) -> None:
    result = intake.handle(CITIZEN, "chiangrai", "สามีเมาแล้วทำร้ายร่างกายผม ช่วยด้วย", "m1")
    assert result.opened is not None and result.opened.urgent
    reply, room = result.out
    assert catalogue.matches(reply.body, "citizen.case_opened")
    assert catalogue.contains(reply.body, "citizen.emergency")
    assert catalogue.matches(room.body, "room.new_case_urgent")


def test_ordinary_message_gets_no_emergency_numbers(intake: Intake) -> None:
    reply = intake.handle(CITIZEN, "chiangrai", ROAD, "m1").out[0]
    assert catalogue.matches(reply.body, "citizen.case_opened")
    assert not catalogue.contains(reply.body, "citizen.emergency")
    assert "191" not in reply.body and "1669" not in reply.body


def test_cases_at_two_centres_are_separate(intake: Intake, store: CaseStore) -> None:
    a = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")
    b = intake.handle(CITIZEN, "loei", ROAD, "m2")
    assert a.opened is not None and b.opened is not None
    assert a.opened.ref != b.opened.ref
    assert b.opened.centre == "loei"
    assert store.count() == 2


# -- FAQ, detail, urgent follow-ups (triage issue) -------------------------------------------


@pytest.mark.parametrize("to_local", ["chiangrai", ""])
def test_faq_question_gets_an_answer_and_no_case(
    intake: Intake, store: CaseStore, to_local: str
) -> None:
    result = intake.handle(CITIZEN, to_local, "ศูนย์เปิดกี่โมงครับ", "m1")
    assert result.opened is None and result.follow_ups == []
    assert len(result.out) == 1
    reply = result.out[0]
    assert reply.to == CITIZEN and reply.sender == to_local and not reply.groupchat
    assert "1567" in reply.body and "08.30" in reply.body
    assert store.count() == 0


def test_complaint_with_a_question_word_still_opens_a_case(
    intake: Intake, store: CaseStore
) -> None:
    body = "ถนนหน้าบ้านพังมา 3 เดือนแล้ว จะซ่อมเมื่อไหร่ครับ ติดตามเรื่องยังไง"
    result = intake.handle(CITIZEN, "chiangrai", body, "m1")
    assert result.opened is not None
    assert result.opened.topic == "infrastructure"
    assert store.count() == 1


def test_faq_does_not_apply_to_a_follow_up(intake: Intake, store: CaseStore) -> None:
    first = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")
    assert first.opened is not None
    second = intake.handle(CITIZEN, "chiangrai", "ศูนย์เปิดกี่โมงครับ", "m2")
    assert second.out == [] and len(second.follow_ups) == 1
    assert len(store.transcript(first.opened.ref)) == 2


def test_urgent_follow_up_gets_the_emergency_numbers(intake: Intake, store: CaseStore) -> None:
    first = intake.handle(CITIZEN, "chiangrai", ROAD, "m1")
    assert first.opened is not None and not first.opened.urgent
    second = intake.handle(CITIZEN, "chiangrai", "ตอนนี้เพื่อนบ้านถือมีดมาขู่จะฆ่า ช่วยด้วย", "m2")
    assert len(second.follow_ups) == 1  # still stored on the case, still routed to agents
    assert len(second.out) == 1
    reply = second.out[0]
    assert reply.to == CITIZEN
    assert catalogue.matches(reply.body, "citizen.urgent_follow_up")
    assert catalogue.values(reply.body, "citizen.urgent_follow_up")["ref"] == first.opened.ref
    assert catalogue.contains(reply.body, "citizen.emergency")
    # a redelivery of the same message does not repeat the warning
    again = intake.handle(CITIZEN, "chiangrai", "ตอนนี้เพื่อนบ้านถือมีดมาขู่จะฆ่า ช่วยด้วย", "m2")
    assert again.out == [] and again.follow_ups == []


def test_ordinary_follow_up_gets_no_emergency_numbers(intake: Intake) -> None:
    assert intake.handle(CITIZEN, "chiangrai", ROAD, "m1").opened is not None
    second = intake.handle(CITIZEN, "chiangrai", "เพิ่มเติม: หลุมลึกมาก", "m2")
    assert second.out == []


@pytest.mark.parametrize("body", ["😡😡😡", "\ufffc", "ok"])
def test_nothing_to_read_asks_for_detail_and_opens_no_case(
    intake: Intake, store: CaseStore, body: str
) -> None:
    result = intake.handle(CITIZEN, "chiangrai", body, "m1")
    assert result.opened is None
    assert len(result.out) == 1  # (an object replacement character alone reads as empty)
    assert catalogue.key_of(result.out[0].body) in (
        "citizen.need_detail", "citizen.empty_message", "citizen.greeting")
    assert store.count() == 0


def test_english_complaint_opens_a_case_with_its_topic(intake: Intake) -> None:
    body = "My employer has not paid my salary for 3 months, I work in Chiang Rai"
    result = intake.handle(CITIZEN, "", body, "m1")
    assert result.opened is not None
    assert result.opened.centre == "chiangrai" and result.opened.topic == "labour"


def test_a_hazard_is_flagged_for_agents_without_emergency_numbers(intake: Intake) -> None:
    """A pothole that could make a motorbike fall: a hazard. The citizen gets the ordinary
    answer (no 191/1669/199), the room sees it marked with its kind of danger."""
    text = "ถนนหน้าโรงเรียนเป็นหลุมลึก อาจทำให้รถมอไซค์ล้มได้ อยากให้มาซ่อม"
    result = intake.handle(CITIZEN, "chiangrai", text, "hz1")
    assert result.opened is not None
    assert (result.opened.urgency, result.opened.urgent) == ("hazard", False)
    reply, room = result.out
    assert catalogue.values(reply.body, "citizen.case_opened")["warning"] == ""
    assert not catalogue.contains(reply.body, "citizen.emergency")
    assert catalogue.matches(room.body, "room.new_case_hazard")
    assert catalogue.values(room.body, "room.new_case_hazard")["reason"]


@pytest.mark.parametrize("text", [
    "สวัสดีครับ", "ขอบคุณค่ะ", "hello", "ทดสอบระบบ", "55555", "มีใครอยู่ไหมคะ",
    "สวัสดีค่ะ มีเรื่องจะร้องเรียนค่ะ", "Hi, good morning", "ขอบคุณนะคะ 🙏",
])
def test_greetings_and_small_talk_open_no_case(intake: Intake, store, text: str) -> None:
    before = store.count()
    result = intake.handle(CITIZEN, "chiangrai", text, f"st-{abs(hash(text))}")
    assert result.opened is None and store.count() == before
    (reply,) = result.out
    assert catalogue.matches(reply.body, "citizen.greeting")


@pytest.mark.parametrize("text", ["ช่วยด้วยค่ะ", "สวัสดีครับ ถนนหน้าบ้านพังมาสามเดือนแล้ว อ.แม่สาย"])
def test_a_greeting_with_a_matter_is_not_small_talk(intake: Intake, text: str) -> None:
    result = intake.handle(CITIZEN, "chiangrai", text, f"nst-{abs(hash(text))}")
    assert result.out and not catalogue.matches(result.out[0].body, "citizen.greeting")
