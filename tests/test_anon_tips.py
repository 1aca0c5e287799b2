"""Whistle-blower mode without XMPP: intake and relay on a SQLite store, memory-only JIDs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from bots import catalogue
from bots.anon import AnonSessions, citizen_address, parse_pin, placeholder
from bots.intake import Intake
from bots.relay import Relay
from casestore import CaseStore, Status
from kernel.addresses import Addresses, Outgoing

D = "d.example"
ADDR = Addresses.for_domain(D)
TIPSTER = f"3f9a1c7e-55b2@anon.{D}"  # what Prosody hands an anonymous session
OTHER_TIPSTER = f"77aa0b12-9c31@anon.{D}"
PLACEHOLDER = f"anonymous@anon.{D}"
AGENT = f"chiangrai@{D}"
STAFF = frozenset({AGENT})
TIP = "แจ้งเบาะแสบ่อนการพนันหลังตลาดสดเทศบาลนครเชียงราย เปิดทุกคืนตั้งแต่สามทุ่ม"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def anon(clock: Clock) -> AnonSessions:
    from datetime import timedelta

    return AnonSessions(idle=timedelta(minutes=30), clock=clock)


@pytest.fixture
def intake(store: CaseStore, anon: AnonSessions) -> Intake:
    return Intake(store, ADDR, anon=anon)


@pytest.fixture
def relay_anon(store: CaseStore, anon: AnonSessions) -> Relay:
    return Relay(store, ADDR, anon=anon)


def _open_tip(intake: Intake, jid: str = TIPSTER, origin: str = "o1") -> tuple[str, str]:
    result = intake.handle(jid, "chiangrai", TIP, origin)
    assert result.opened is not None
    reply = result.out[0]
    assert reply.to == jid  # the reference and PIN go to the live session
    told = catalogue.values(reply.body, "citizen.case_opened")
    assert told["ref"] == result.opened.ref and re.fullmatch(r"\d{6}", told["pin"]), reply.body
    return result.opened.ref, told["pin"]


def _everything_stored(store: CaseStore) -> str:
    """Every text cell of every table: what a stolen database would show."""
    cells: list[str] = []
    with store.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                cells += [str(v) for v in row if v is not None]
    return "\n".join(cells)


def agent_says(relay: Relay, ref: str, body: str) -> list[Outgoing]:
    return relay.from_case_address(AGENT, ref.lower(), body, None, True, STAFF)


def test_placeholder_is_fixed_and_documented() -> None:
    assert placeholder(D) == PLACEHOLDER
    assert parse_pin("PIN 123456") == "123456"
    assert parse_pin("pin: ๑๒๓๔๕๖") == "123456"
    assert parse_pin("พิน 654321") == "654321"
    assert parse_pin("PIN 12345") is None and parse_pin("my pin is 123456") is None


def test_anonymous_case_stores_no_session_jid(intake: Intake, store: CaseStore) -> None:
    ref, pin = _open_tip(intake)
    case = store.get(ref)
    assert case is not None and case.citizen_jid == PLACEHOLDER
    assert store.check_pin(ref, pin)
    follow = intake.handle(TIPSTER, "chiangrai", "มีรถเข้าออกตลอดคืน ทะเบียนกรุงเทพ", "o2")
    assert follow.opened is None and [c.ref for c, _ in follow.follow_ups] == [ref]
    assert [m.sender for m in store.transcript(ref)] == [PLACEHOLDER, PLACEHOLDER]
    assert all(e.actor != TIPSTER for e in store.events(ref))
    dump = _everything_stored(store)
    assert "3f9a1c7e" not in dump and "o1" not in dump.split("\n")


def test_redelivered_anonymous_message_opens_no_second_case(
    intake: Intake, store: CaseStore
) -> None:
    _open_tip(intake)
    again = intake.handle(TIPSTER, "chiangrai", TIP, "o1")
    assert again.opened is None and again.out == []
    assert store.count() == 1


def test_two_tipsters_never_share_a_case(intake: Intake, store: CaseStore) -> None:
    ref1, _ = _open_tip(intake, TIPSTER, "same-id")
    ref2, _ = _open_tip(intake, OTHER_TIPSTER, "same-id")  # even with the same origin id
    assert ref1 != ref2 and store.count() == 2
    # Each session sees only its own case, although both are stored as the placeholder.
    status = intake.handle(OTHER_TIPSTER, "", f"สถานะ {ref1}", "s1")
    assert catalogue.matches(status.out[0].body, "citizen.case_not_found")
    mine = intake.handle(OTHER_TIPSTER, "", "status", "s2").out[0].body
    assert ref2 in mine and ref1 not in mine


def test_agent_reply_reaches_only_the_live_session(
    intake: Intake, relay_anon: Relay, store: CaseStore, anon: AnonSessions, caplog
) -> None:
    ref, _ = _open_tip(intake)
    caplog.set_level(logging.DEBUG)
    outs = agent_says(relay_anon, ref, "ขอบคุณสำหรับข้อมูล จะส่งเจ้าหน้าที่ไปตรวจสอบ")
    assert [o.to for o in outs if not o.groupchat] == [TIPSTER]
    # The tipster closes the page: the session bounces, memory forgets it.
    anon.forget_jid(TIPSTER)
    assert citizen_address(ref, PLACEHOLDER, D, anon) is None
    outs = agent_says(relay_anon, ref, "ตรวจแล้วพบจริง")
    assert [o for o in outs if not o.groupchat] == []  # dropped: read it on /track
    assert [m.body for m in store.transcript(ref)][-1] == "ตรวจแล้วพบจริง"  # but kept
    assert "not connected" in caplog.text
    assert "anon." not in caplog.text  # no session JID in any log line
    assert all(o.to != PLACEHOLDER for o in outs)


def test_status_notice_goes_to_the_live_session(
    intake: Intake, relay_anon: Relay, anon: AnonSessions
) -> None:
    ref, _ = _open_tip(intake)
    outs = agent_says(relay_anon, ref, "/resolve ส่งตำรวจดำเนินการแล้ว")
    assert TIPSTER in [o.to for o in outs]
    assert PLACEHOLDER not in [o.to for o in outs]
    anon.forget_jid(TIPSTER)
    outs = agent_says(relay_anon, ref, "/close")
    assert all(o.to not in (TIPSTER, PLACEHOLDER) for o in outs)


def test_idle_sessions_are_forgotten(
    intake: Intake, relay_anon: Relay, anon: AnonSessions, clock: Clock
) -> None:
    ref, _ = _open_tip(intake)
    clock.now += 29 * 60
    intake.handle(TIPSTER, "chiangrai", "ข้อมูลเพิ่มเติม มีเด็กเข้าไปเล่นด้วย", "o3")  # keeps it alive
    clock.now += 29 * 60
    assert anon.jid_for(ref) == TIPSTER
    clock.now += 2 * 60
    assert anon.jid_for(ref) is None and len(anon) == 0
    outs = agent_says(relay_anon, ref, "ยังอยู่ไหมครับ")
    assert [o for o in outs if not o.groupchat] == []


def test_session_writes_to_its_case_address(
    intake: Intake, relay_anon: Relay, store: CaseStore
) -> None:
    ref, _ = _open_tip(intake)
    outs = relay_anon.from_case_address(TIPSTER, ref.lower(), "รูปถ่ายส่งตามมา", "x1", False)
    assert outs and all(o.to != TIPSTER for o in outs)  # to the agents (room)
    assert store.transcript(ref)[-1].sender == PLACEHOLDER


def test_another_session_cannot_write_to_the_case(
    intake: Intake, relay_anon: Relay, store: CaseStore
) -> None:
    ref, _ = _open_tip(intake)
    before = len(store.transcript(ref))
    outs = relay_anon.from_case_address(OTHER_TIPSTER, ref.lower(), "สวัสดี", "x1", False)
    assert [o.to for o in outs] == [OTHER_TIPSTER]
    assert catalogue.values(outs[0].body, "citizen.not_allowed")["ref"] == ref
    assert catalogue.contains(outs[0].body, "citizen.anon_hint")  # how to come back
    assert len(store.transcript(ref)) == before


def test_reattach_with_the_pin_after_a_restart(store: CaseStore, clock: Clock) -> None:
    from datetime import timedelta

    first = AnonSessions(idle=timedelta(minutes=30), clock=clock)
    ref, pin = _open_tip(Intake(store, ADDR, anon=first))
    # The bot restarts: a new, empty memory. The tipster opens the page again (new JID).
    after = AnonSessions(idle=timedelta(minutes=30), clock=clock)
    relay = Relay(store, ADDR, anon=after)
    assert [o for o in agent_says(relay, ref, "ยังอยู่ไหม") if not o.groupchat] == []
    wrong = "000000" if pin != "000000" else "111111"
    outs = relay.from_case_address(OTHER_TIPSTER, ref.lower(), f"PIN {wrong}", None, False)
    assert catalogue.matches(outs[0].body, "citizen.wrong_pin") and after.jid_for(ref) is None
    outs = relay.from_case_address(OTHER_TIPSTER, ref.lower(), f"PIN {pin}", None, False)
    assert outs[0].to == OTHER_TIPSTER
    assert catalogue.values(outs[0].body, "citizen.reattached") == {"ref": ref}
    assert after.jid_for(ref) == OTHER_TIPSTER
    assert [o.to for o in agent_says(relay, ref, "ครับ") if not o.groupchat] == [OTHER_TIPSTER]
    assert "reattached" in [e.kind for e in store.events(ref)]
    assert "77aa0b12" not in _everything_stored(store)


def test_pin_guessing_is_limited_per_session(
        store: CaseStore, relay_anon: Relay, intake: Intake) -> None:
    ref, pin = _open_tip(intake)
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(3):
        outs = relay_anon.from_case_address(OTHER_TIPSTER, ref.lower(), f"PIN {wrong}", None, False)
        assert catalogue.values(outs[0].body, "citizen.wrong_pin")["ref"] == ref
    # The next try from that session, even the right PIN, waits for the back-off.
    outs = relay_anon.from_case_address(OTHER_TIPSTER, ref.lower(), f"PIN {pin}", None, False)
    assert catalogue.values(outs[0].body, "citizen.pin_wait")["ref"] == ref
    assert relay_anon.anon.jid_for(ref) == TIPSTER
    # Counted per session under a hash: the random session JID is written nowhere.
    assert OTHER_TIPSTER.partition("@")[0] not in _everything_stored(store)


def test_strangers_guessing_cannot_lock_the_tipster_out(
        store: CaseStore, relay_anon: Relay, intake: Intake) -> None:
    ref, pin = _open_tip(intake)
    wrong = "000000" if pin != "000000" else "111111"
    strangers = [f"guess{n}@anon.{D}/r" for n in range(10)]
    for jid in strangers:  # ten sessions, one wrong PIN each (the old lockout)
        outs = relay_anon.from_case_address(jid, ref.lower(), f"PIN {wrong}", None, False)
        assert catalogue.values(outs[0].body, "citizen.wrong_pin")["ref"] == ref
    # a session that failed now waits for the case's back-off
    outs = relay_anon.from_case_address(strangers[0], ref.lower(), f"PIN {wrong}", None, False)
    assert "Too many PIN attempts" in outs[0].body
    # the tipster, in a new session, gets in with the right PIN at once
    back = f"back@anon.{D}/web"
    outs = relay_anon.from_case_address(back, ref.lower(), f"PIN {pin}", None, False)
    assert "PIN accepted" in outs[0].body
    assert relay_anon.anon.jid_for(ref) == back


def test_anonymous_tips_are_never_merged(intake: Intake, relay_anon: Relay) -> None:
    ref1, _ = _open_tip(intake, TIPSTER, "a")
    ref2, _ = _open_tip(intake, OTHER_TIPSTER, "b")
    outs = agent_says(relay_anon, ref2, f"/merge {ref1}")
    assert [o.to for o in outs] == [AGENT]
    assert catalogue.values(outs[0].body, "agent.anon_merge_refused")["ref"] == ref2
    assert relay_anon.store.get(ref2).status != Status.MERGED


def test_identified_citizens_are_unchanged(relay_anon: Relay, store: CaseStore) -> None:
    citizen = f"nok@citizens.{D}"
    ref = store.open_case(
        centre="chiangrai", province="TH-57", citizen_jid=citizen, body="ถนนเป็นหลุม"
    ).case.ref
    outs = agent_says(relay_anon, ref, "รับเรื่องครับ")
    assert [o.to for o in outs if not o.groupchat] == [citizen]


def test_memory_only(tmp_path: Path) -> None:
    """The registry has no way to disk: no attribute refers to a file or a store."""
    sessions = AnonSessions()
    sessions.attach("TH57-2569-000001", TIPSTER)
    assert not any(isinstance(v, (CaseStore, Path)) for v in vars(sessions).values())


def test_commands_by_any_route_readdress_the_citizen(intake: Intake, relay_anon: Relay) -> None:
    """`Relay.run_command` (typed commands and XEP-0050 forms alike): a transfer notice goes
    to the live session, never to the placeholder."""
    from bots.agent_commands.syntax import parse

    ref, _ = _open_tip(intake)
    case = relay_anon.store.get(ref)
    outs = relay_anon.run_command(case, AGENT, parse("/transfer phayao"), STAFF)
    citizen_outs = [o for o in outs if not o.groupchat and o.to != AGENT]
    assert [o.to for o in citizen_outs] == [TIPSTER] and "phayao" not in citizen_outs[0].to
    assert all(o.to != PLACEHOLDER for o in outs)


def test_a_replay_after_a_restart_is_recognised(store: CaseStore, clock: Clock) -> None:
    """The spool replays a message the bot may have stored before it crashed: the new
    process must find it (no second case), and tell the replay where it is stored."""
    from datetime import timedelta

    before = Intake(store, ADDR, anon=AnonSessions(idle=timedelta(minutes=30), clock=clock))
    ref, _ = _open_tip(before, TIPSTER, "m-1")
    after = Intake(store, ADDR, anon=AnonSessions(idle=timedelta(minutes=30), clock=clock))
    again = after.handle(TIPSTER, "chiangrai", TIP, "m-1")
    assert again.opened is None and store.count() == 1
    who, origin = after.stored_as(TIPSTER, "m-1")
    assert who == PLACEHOLDER and origin and TIPSTER not in origin
    assert store.transcript(ref)[0].sender == who
