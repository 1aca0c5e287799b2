"""No-agent routing without XMPP: who is on duty, and the citizen told once that it is queued."""

from __future__ import annotations

import pytest

from bots import catalogue
from bots.presence import RoomPresence
from bots.relay import Relay
from casestore import CaseStore
from kernel.addresses import Addresses, Outgoing

D = "damrongdham.localhost"
ADDR = Addresses.for_domain(D)
CITIZEN = f"nok@citizens.{D}"
ROOM = f"phrae@rooms.{D}"
SOMCHAI = f"somchai.phrae@{D}"


@pytest.fixture
def presence() -> RoomPresence:
    return RoomPresence()


@pytest.fixture
def relay(store: CaseStore, presence: RoomPresence) -> Relay:
    return Relay(store, ADDR, presence)


@pytest.fixture
def ref(store: CaseStore) -> str:
    return store.open_case(
        centre="phrae", province="TH-54", citizen_jid=CITIZEN, body="น้ำประปาไม่ไหล"
    ).case.ref


def citizen_says(relay: Relay, ref: str, body: str) -> list[Outgoing]:
    return relay.from_case_address(CITIZEN, ref.lower(), body, None, False)


def queued(outs: list[Outgoing]) -> list[Outgoing]:
    return [o for o in outs if o.to == CITIZEN]


def test_on_duty_means_present_and_available() -> None:
    p = RoomPresence()
    assert p.on_duty(ROOM) == frozenset()
    p.update(ROOM, "สมชาย", SOMCHAI, True)
    p.update(ROOM, "มะลิ", None, True, "chat")  # a hidden real JID counts by nick
    assert p.on_duty(ROOM) == {SOMCHAI, "มะลิ"}
    for show in ("away", "xa", "dnd"):
        p.update(ROOM, "สมชาย", SOMCHAI, True, show)
        assert SOMCHAI not in p.on_duty(ROOM)
    p.update(ROOM, "สมชาย", SOMCHAI, True)
    p.update(ROOM, "มะลิ", None, False)
    assert p.on_duty(ROOM) == {SOMCHAI}
    assert p.on_duty(f"nan@rooms.{D}") == frozenset()
    p.forget()
    assert p.on_duty(ROOM) == frozenset()


def test_nobody_on_duty_the_citizen_is_told_once_and_nothing_is_dropped(
    store, relay, presence, ref
) -> None:
    outs = citizen_says(relay, ref, "ยังไม่มีน้ำเลยครับ")
    (notice,) = queued(outs)
    assert notice.sender == "phrae"
    assert catalogue.matches(notice.body, "citizen.queued")
    assert catalogue.values(notice.body, "citizen.queued")["ref"] == ref
    room = [o for o in outs if o.groupchat]
    assert room and room[0].to == ROOM and "ยังไม่มีน้ำเลยครับ" in room[0].body
    again = citizen_says(relay, ref, "ตอบด้วยครับ")
    assert queued(again) == [] and [o.to for o in again] == [ROOM]
    assert [e.kind for e in store.events(ref)] == ["opened", "queued"]
    assert [m.direction for m in store.transcript(ref)] == [
        "citizen",
        "citizen",
        "system",
        "citizen",
    ]


def test_an_agent_away_does_not_count_one_available_does(store, relay, presence, ref) -> None:
    presence.update(ROOM, "สมชาย", SOMCHAI, True, "away")
    assert queued(citizen_says(relay, ref, "สวัสดีครับ"))
    other = store.open_case(
        centre="phrae", province="TH-54", citizen_jid=f"mai@citizens.{D}", body="ไฟดับ"
    ).case.ref
    presence.update(ROOM, "สมชาย", SOMCHAI, True)
    outs = relay.from_case_address(f"mai@citizens.{D}", other.lower(), "ด่วนครับ", None, False)
    assert [o.to for o in outs] == [ROOM]
    assert [e.kind for e in store.events(other)] == ["opened"]


def test_a_held_case_goes_to_its_agent_without_a_queue_notice(store, relay, ref) -> None:
    store.claim(ref, SOMCHAI)
    outs = citizen_says(relay, ref, "ขอบคุณครับ")
    assert [o.to for o in outs] == [SOMCHAI]


def test_without_presence_information_nobody_is_told(store, ref) -> None:
    outs = Relay(store, ADDR).from_case_address(CITIZEN, ref.lower(), "x", None, False)
    assert [o.to for o in outs] == [ROOM]


def test_a_new_case_with_nobody_on_duty_is_queued_once(store, relay, ref) -> None:
    (notice,) = relay.queued(store.get(ref))  # what the bridge does on `case_opened`
    assert notice.to == CITIZEN and ref in notice.body
    assert relay.queued(store.get(ref)) == []
    assert queued(citizen_says(relay, ref, "เพิ่มเติมครับ")) == []
