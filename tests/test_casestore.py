"""CaseStore behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from casestore import (
    CaseNotFound,
    CaseStore,
    InvalidTransition,
    Status,
    can_transition,
    open311_status,
)
from casestore.lifecycle import TRANSITIONS
from casestore.models import Case

pytestmark = pytest.mark.every_backend  # `store` on SQLite and PostgreSQL (conftest)

CITIZEN = "somchai@citizens.example"
AGENT = "chiangrai@damrongdham.example"
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def open_case(store: CaseStore, **kw: object):
    args: dict[str, object] = {
        "centre": "chiangrai",
        "province": "TH-57",
        "citizen_jid": CITIZEN,
        "body": "ถนนหน้าบ้านเป็นหลุมใหญ่",
        "now": T0,
    }
    args.update(kw)
    return store.open_case(**args)  # type: ignore[arg-type]


# -- opening, reading ---------------------------------------------------------------------


def test_open_get_transcript(store: CaseStore) -> None:
    res = open_case(
        store,
        district="เมืองเชียงราย",
        type="help",
        topic="infrastructure",
        urgent=True,
        urgent_reason="น้ำท่วม",
        origin_id="m1",
        channel="web",
    )
    assert res.created
    assert res.pin is not None and len(res.pin) == 6 and res.pin.isdigit()
    case = res.case
    assert case.ref == "TH57-2569-000001"
    assert (case.centre, case.province, case.district) == ("chiangrai", "TH-57", "เมืองเชียงราย")
    assert (case.type, case.topic, case.channel) == ("help", "infrastructure", "web")
    assert case.urgent is True and case.urgent_reason == "น้ำท่วม"
    assert case.status is Status.NEW and case.assigned_to is None
    assert case.citizen_jid == CITIZEN
    assert case.summary == "ถนนหน้าบ้านเป็นหลุมใหญ่"
    assert case.created_at == case.updated_at == T0
    assert case.created_at.utcoffset() == timedelta(0)

    assert store.get("TH57-2569-000001") == case
    assert store.get("th57-2569-000001") == case
    assert store.get("TH57-2569-000002") is None
    assert store.get("not a ref") is None
    assert store.count() == 1

    [msg] = store.transcript(case.ref.lower())
    assert msg == res.message
    assert (msg.ref, msg.direction, msg.sender, msg.origin_id) == (
        case.ref,
        "citizen",
        CITIZEN,
        "m1",
    )
    assert msg.body == "ถนนหน้าบ้านเป็นหลุมใหญ่" and msg.created_at == T0


def test_views_are_frozen_snapshots(store: CaseStore) -> None:
    res = open_case(store)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.case.status = Status.CLOSED  # type: ignore[misc]
    store.set_status(res.case.ref, Status.CLOSED, AGENT)
    assert res.case.status is Status.NEW  # a snapshot, not a live object


def test_numbering_per_province_and_year(store: CaseStore) -> None:
    refs = [open_case(store).case.ref for _ in range(3)]
    assert refs == ["TH57-2569-000001", "TH57-2569-000002", "TH57-2569-000003"]
    assert open_case(store, province="TH-10", centre="bangkok").case.ref == "TH10-2569-000001"
    unknown = open_case(store, province=None, centre="general")
    assert unknown.case.ref == "TH00-2569-000001" and unknown.case.province is None
    # 31 Dec 2026 18:00 UTC is already 1 Jan 2570 in Bangkok: a new sequence starts
    new_year = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
    assert open_case(store, now=new_year).case.ref == "TH57-2570-000001"
    eve = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)
    assert open_case(store, now=eve).case.ref == "TH57-2569-000004"
    assert store.count() == 7


def test_summary_is_first_200_chars_and_long_bodies_survive(store: CaseStore) -> None:
    body = "ร้องเรียน" * 2000  # 18,000 characters
    res = open_case(store, body=body)
    assert res.case.summary == body[:200]
    assert store.transcript(res.case.ref)[0].body == body


def test_thai_text_round_trip(store: CaseStore) -> None:
    body = "เจ้าหน้าที่เรียกรับเงินใต้โต๊ะ ๕,๐๐๐ บาท 🙏 ที่ อ.แม่สาย"
    res = open_case(store, body=body, district="แม่สาย", urgent_reason="ข่มขู่")
    ref = res.case.ref
    store.add_message(ref, "agent", AGENT, "รับเรื่องแล้วค่ะ ขอบคุณที่แจ้ง")
    store.set_status(ref, "in_progress", "เจ้าหน้าที่ สมศรี", note="ส่งต่อ ป.ป.ช. จังหวัด")
    case = store.get(ref)
    assert case is not None
    assert (case.district, case.urgent_reason, case.summary) == ("แม่สาย", "ข่มขู่", body)
    assert [m.body for m in store.transcript(ref)] == [body, "รับเรื่องแล้วค่ะ ขอบคุณที่แจ้ง"]
    last = store.events(ref)[-1]
    assert (last.actor, last.note) == ("เจ้าหน้าที่ สมศรี", "ส่งต่อ ป.ป.ช. จังหวัด")


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "rant"},
        {"topic": "aliens"},
        {"province": "TH-5"},
        {"province": "Chiang Rai"},
        {"centre": ""},
        {"citizen_jid": ""},
    ],
)
def test_open_case_rejects_bad_input_and_writes_nothing(store: CaseStore, bad: dict) -> None:
    with pytest.raises(ValueError):
        open_case(store, **bad)
    assert store.count() == 0


# -- idempotency --------------------------------------------------------------------------


def test_open_case_is_idempotent_on_origin_id(store: CaseStore) -> None:
    first = open_case(store, origin_id="stanza-1")
    again = open_case(store, origin_id="stanza-1", body="different text", now=T0 + timedelta(1))
    assert (again.created, again.pin) == (False, None)
    assert again.case == first.case
    assert again.message == first.message
    assert store.count() == 1
    assert len(store.transcript(first.case.ref)) == 1
    assert len(store.events(first.case.ref)) == 1


def test_origin_id_is_per_sender_and_none_never_dedupes(store: CaseStore) -> None:
    a = open_case(store, origin_id="same")
    b = open_case(store, origin_id="same", citizen_jid="other@citizens.example")
    assert b.created and b.case.ref != a.case.ref
    c, d = open_case(store, origin_id=None), open_case(store, origin_id=None)
    assert c.created and d.created and c.case.ref != d.case.ref
    assert store.count() == 4


def test_add_message(store: CaseStore) -> None:
    ref = open_case(store).case.ref
    later = T0 + timedelta(hours=2)
    msg, added = store.add_message(ref.lower(), "agent", AGENT, "ได้รับเรื่องแล้ว", "a1", now=later)
    assert added and (msg.ref, msg.direction, msg.sender, msg.created_at) == (
        ref,
        "agent",
        AGENT,
        later,
    )
    dup, added = store.add_message(ref, "agent", AGENT, "ได้รับเรื่องแล้ว", "a1")
    assert not added and dup == msg
    store.add_message(ref, "note", AGENT, "internal", None, now=later)
    store.add_message(ref, "note", AGENT, "internal", None, now=later)
    store.add_message(ref, "system", "bot", "earlier", None, now=T0 + timedelta(hours=1))
    tr = store.transcript(ref)
    assert [m.direction for m in tr] == ["citizen", "system", "agent", "note", "note"]
    case = store.get(ref)
    assert case is not None and case.updated_at == later


def test_add_message_errors(store: CaseStore) -> None:
    ref = open_case(store).case.ref
    with pytest.raises(CaseNotFound):
        store.add_message("TH57-2569-000099", "agent", AGENT, "x")
    with pytest.raises(CaseNotFound):
        store.add_message("garbage", "agent", AGENT, "x")
    with pytest.raises(ValueError):
        store.add_message(ref, "shout", AGENT, "x")
    with pytest.raises(CaseNotFound):
        store.transcript("TH57-2569-000099")
    with pytest.raises(CaseNotFound):
        store.events("TH57-2569-000099")
    assert len(store.transcript(ref)) == 1


# -- per-citizen lookups ------------------------------------------------------------------


def test_add_to_open_case_appends_once_to_the_latest_open_case(store: CaseStore) -> None:
    assert store.add_to_open_case(CITIZEN, None, "ยังไม่มีเรื่อง", "o0") is None
    old = open_case(store, now=T0).case.ref
    new = open_case(store, now=T0 + timedelta(hours=1), centre="phayao", province="TH-56").case.ref
    got = store.add_to_open_case(CITIZEN, None, "เพิ่มเติม", "o1", now=T0 + timedelta(hours=2))
    assert got is not None
    case, msg, added = got
    assert (case.ref, msg.ref, msg.body, msg.origin_id, added) == (new, new, "เพิ่มเติม", "o1", True)
    assert store.get(new).updated_at == T0 + timedelta(hours=2)  # type: ignore[union-attr]
    # The same message again (an app resending it): not stored twice, wherever it went.
    again = store.add_to_open_case(CITIZEN, "chiangrai", "เพิ่มเติม", "o1")
    assert again is not None and again[0].ref == new and again[1].id == msg.id and not again[2]
    assert [m.body for m in store.transcript(new)].count("เพิ่มเติม") == 1
    # Per centre: the centre's own case, or one transferred away from it.
    to_old = store.add_to_open_case(CITIZEN, "chiangrai", "ถึงเชียงราย", "o2")
    assert to_old is not None and to_old[0].ref == old and to_old[2]
    store.transfer(old, "lampang", AGENT, "ผิดศูนย์")
    moved = store.add_to_open_case(CITIZEN, "chiangrai", "ยังเขียนถึงศูนย์เดิม", "o3")
    assert moved is not None and moved[0].ref == old and moved[0].centre == "lampang"
    store.set_status(old, "closed", AGENT)
    store.set_status(new, "resolved", AGENT)
    assert store.add_to_open_case(CITIZEN, None, "หลังปิดเรื่อง", "o4") is None
    assert store.add_to_open_case(CITIZEN, None, "ไม่มี origin", None) is None
    assert store.add_to_open_case("other@citizens.d", None, "ผู้อื่น", "o1") is None


def test_latest_open_case_ignores_finished_cases(store: CaseStore) -> None:
    assert store.latest_open_case(CITIZEN) is None
    old = open_case(store, now=T0).case.ref
    mid = open_case(store, now=T0 + timedelta(hours=1), centre="phayao", province="TH-56").case.ref
    new = open_case(store, now=T0 + timedelta(hours=2)).case.ref
    open_case(store, citizen_jid="someone@else.example", now=T0 + timedelta(hours=3))
    assert store.latest_open_case(CITIZEN).ref == new  # type: ignore[union-attr]
    store.set_status(new, "closed", AGENT)
    assert store.latest_open_case(CITIZEN).ref == mid  # type: ignore[union-attr]
    assert store.latest_open_case(CITIZEN, centre="chiangrai").ref == old  # type: ignore[union-attr]
    store.set_status(mid, "resolved", AGENT)
    store.set_status(old, "merged", AGENT, note=f"into {new}")
    assert store.latest_open_case(CITIZEN) is None
    store.set_status(mid, "reopened", CITIZEN)
    assert store.latest_open_case(CITIZEN).ref == mid  # type: ignore[union-attr]
    assert store.latest_open_case(CITIZEN, centre="nan") is None


def test_cases_for_citizen_newest_first(store: CaseStore) -> None:
    refs = [open_case(store, now=T0 + timedelta(minutes=i)).case.ref for i in range(3)]
    open_case(store, citizen_jid="someone@else.example")
    assert [c.ref for c in store.cases_for_citizen(CITIZEN)] == refs[::-1]
    assert store.cases_for_citizen("nobody@x.example") == []


# -- lifecycle ----------------------------------------------------------------------------


def test_lifecycle_table() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert TRANSITIONS[Status.MERGED] == frozenset()
    assert all(s not in TRANSITIONS[s] for s in Status)  # no self-loops
    assert can_transition("assigned", "new")
    assert not can_transition("in_progress", "new")
    assert not can_transition("forwarded", "merged")
    assert not can_transition("closed", "resolved")
    assert not can_transition("new", "bogus")
    closed = {s for s in Status if open311_status(s) == "closed"}
    assert closed == {Status.RESOLVED, Status.CLOSED, Status.MERGED}
    assert open311_status("reopened") == "open"


def test_full_lifecycle_records_events(store: CaseStore) -> None:
    ref = open_case(store).case.ref
    assert store.assign(ref, AGENT, AGENT).status is Status.ASSIGNED
    steps = [
        "in_progress",
        "forwarded",
        "waiting_citizen",
        "in_progress",
        "resolved",
        "reopened",
        "resolved",
        "closed",
        "reopened",
        "closed",
    ]
    for step in steps:
        assert store.set_status(ref.lower(), step, AGENT, note=f"to {step}").status == step
    events = store.events(ref)
    assert [e.kind for e in events] == ["opened", "assigned"] + ["status"] * len(steps)
    assert (events[0].from_status, events[0].to_status) == (None, Status.NEW)
    assert (events[1].from_status, events[1].to_status, events[1].note) == (
        Status.NEW,
        Status.ASSIGNED,
        AGENT,
    )
    assert [e.to_status for e in events[2:]] == steps
    assert [e.from_status for e in events[2:]] == ["assigned", *steps[:-1]]
    assert all(e.ref == ref and e.actor == AGENT and e.at.tzinfo for e in events[1:])
    case = store.get(ref)
    assert case is not None and case.updated_at >= events[-1].at


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ([], "in_progress_x"),
        (["in_progress"], "new"),
        (["in_progress"], "assigned"),
        (["forwarded"], "merged"),
        (["resolved"], "in_progress"),
        (["closed"], "resolved"),
        (["merged"], "reopened"),
        (["merged"], "closed"),
        ([], "new"),
        ([], "reopened"),
    ],
)
def test_invalid_transitions_change_nothing(store: CaseStore, path: list[str], bad: str) -> None:
    ref = open_case(store).case.ref
    for step in path:
        store.set_status(ref, step, AGENT)
    before, n_events = store.get(ref), len(store.events(ref))
    with pytest.raises(InvalidTransition) as err:
        store.set_status(ref, bad, AGENT)
    assert err.value.ref == ref and err.value.to_status == bad
    assert store.get(ref) == before
    assert len(store.events(ref)) == n_events


def test_set_status_unknown_ref(store: CaseStore) -> None:
    with pytest.raises(CaseNotFound):
        store.set_status("TH57-2569-000001", "closed", AGENT)
    with pytest.raises(CaseNotFound):
        store.assign("TH57-2569-000001", AGENT, AGENT)


def test_assign_and_unassign(store: CaseStore) -> None:
    ref = open_case(store).case.ref
    case = store.assign(ref, "a1@x.example", "a1@x.example")
    assert (case.status, case.assigned_to) == (Status.ASSIGNED, "a1@x.example")
    n = len(store.events(ref))
    store.assign(ref, "a1@x.example", "a1@x.example")  # claiming twice is a no-op
    assert len(store.events(ref)) == n
    case = store.assign(ref, "a2@x.example", "boss@x.example")  # transfer
    assert (case.status, case.assigned_to) == (Status.ASSIGNED, "a2@x.example")
    ev = store.events(ref)[-1]
    assert (ev.kind, ev.from_status, ev.to_status, ev.note) == (
        "assigned",
        None,
        None,
        "a2@x.example",
    )
    case = store.set_status(ref, "new", "a2@x.example")  # unassign
    assert (case.status, case.assigned_to) == (Status.NEW, None)
    store.set_status(ref, "in_progress", AGENT)
    case = store.assign(ref, "a3@x.example", AGENT)  # keeps in_progress
    assert (case.status, case.assigned_to) == (Status.IN_PROGRESS, "a3@x.example")
    store.set_status(ref, "resolved", AGENT)
    with pytest.raises(InvalidTransition):
        store.assign(ref, "a4@x.example", AGENT)
    store.set_status(ref, "reopened", CITIZEN)
    assert store.assign(ref, "a4@x.example", AGENT).status is Status.ASSIGNED


# -- PIN ----------------------------------------------------------------------------------


def test_pin_check(store: CaseStore) -> None:
    res = open_case(store, origin_id="p1")
    ref, pin = res.case.ref, res.pin
    assert pin is not None
    wrong = f"{(int(pin) + 1) % 10**6:06d}"
    assert store.check_pin(ref, pin)
    assert store.check_pin(ref.lower(), f" {pin} ")
    assert not store.check_pin(ref, wrong)
    assert not store.check_pin(ref, "")
    assert not store.check_pin(ref, pin + "0")
    assert not store.check_pin("TH57-2569-000999", pin)
    assert not store.check_pin("nonsense", pin)
    other = open_case(store).pin
    assert other is not None and store.check_pin(ref, other) == (other == pin)
    assert open_case(store, origin_id="p1").pin is None
    with store.engine.connect() as conn:
        stored = conn.execute(select(Case.pin_hash).where(Case.ref == ref)).scalar_one()
    assert pin not in stored and stored.startswith("scrypt$")


# -- SQLite settings ----------------------------------------------------------------------


def test_sqlite_pragmas(store: CaseStore) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


# -- the unit of work -----------------------------------------------------------------------


def test_writing_commits_at_the_end_of_its_block_and_rolls_back_on_error(
    store: CaseStore,
) -> None:
    ref = open_case(store).case.ref
    with store.writing() as s:
        s.scalars(select(Case).where(Case.ref == ref)).one().summary = "แก้แล้ว"
    with pytest.raises(RuntimeError), store.writing() as s:
        s.scalars(select(Case).where(Case.ref == ref)).one().summary = "ไม่ถูกบันทึก"
        raise RuntimeError("mid-transaction")
    with store.reading() as s:
        case = s.scalars(select(Case).where(Case.ref == ref)).one()
    assert case.summary == "แก้แล้ว"  # loaded objects stay readable after the block
    assert store.get(ref).summary == "แก้แล้ว"
