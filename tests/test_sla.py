"""Service targets: working days with Thai holidays, due dates, breaches, escalation."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bots import catalogue, sla
from bridge.component import CaseBridge
from casestore import CaseStore, Status
from casestore.refs import BANGKOK
from kernel.addresses import Addresses

pytestmark = pytest.mark.every_backend  # `store` on SQLite and PostgreSQL (conftest)

HOLIDAYS = sla.load_holidays()
NONE: frozenset[date] = frozenset()
ADDR = Addresses.for_domain("d.example")


def ict(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BANGKOK)


# -- the holidays file -----------------------------------------------------------------------


def test_holidays_file_covers_2026_and_2027_and_only_weekdays() -> None:
    assert {d.year for d in HOLIDAYS} == {2026, 2027}
    assert all(d.weekday() < 5 for d in HOLIDAYS)  # weekend days are given as substitutions
    for known in ("2026-01-01", "2026-04-13", "2026-04-15", "2026-12-31", "2027-12-10"):
        assert date.fromisoformat(known) in HOLIDAYS
    # lunar holidays as published for 2026 (Makha 3 Mar, Visakha 31 May → 1 Jun, Asalha 29 Jul)
    for lunar in ("2026-03-03", "2026-06-01", "2026-07-29", "2026-07-30"):
        assert date.fromisoformat(lunar) in HOLIDAYS
    data = json.loads(sla.HOLIDAYS.read_text(encoding="utf-8"))
    assert "Cabinet" in data["_comment"]


# -- working days ----------------------------------------------------------------------------


def test_working_days_between_skips_weekends_and_holidays() -> None:
    assert sla.working_days_between(ict(2026, 11, 20), ict(2026, 11, 20, 16), NONE) == 0
    assert sla.working_days_between(ict(2026, 11, 20), ict(2026, 11, 23), NONE) == 1  # Fri→Mon
    assert sla.working_days_between(ict(2026, 11, 16), ict(2026, 11, 30), NONE) == 10
    # Songkran 2026: Mon 13 – Wed 15 April are holidays
    assert sla.working_days_between(ict(2026, 4, 10), ict(2026, 4, 17), HOLIDAYS) == 2
    assert sla.working_days_between(ict(2026, 4, 10), ict(2026, 4, 17), NONE) == 5
    assert sla.working_days_between(ict(2026, 11, 23), ict(2026, 11, 20), NONE) == 0


def test_days_are_thai_days() -> None:
    # 23:30 UTC on Thursday is already Friday 06:30 in Thailand
    late = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
    assert sla.thai_date(late) == date(2026, 11, 20)
    assert sla.thai_date(late.replace(tzinfo=None)) == date(2026, 11, 20)
    assert sla.working_days_between(late, ict(2026, 11, 23), NONE) == 1


def test_due_at() -> None:
    # opened Friday: one working day → the end of Monday
    assert sla.due_at(ict(2026, 11, 20, 15), 1, NONE) == ict(2026, 11, 24, 0)
    # opened Friday before Chakri Day (Mon 6 April 2026): the end of Tuesday
    assert sla.due_at(ict(2026, 4, 3, 9), 1, HOLIDAYS) == ict(2026, 4, 8, 0)
    # 15 working days from Friday 10 April 2026 across Songkran and Coronation Day (4 May):
    # 16–17, 20–24, 27–30 April, 1, 5, 6 and 7 May
    assert sla.due_at(ict(2026, 4, 10), 15, HOLIDAYS) == ict(2026, 5, 8, 0)
    assert sla.due_at(ict(2026, 11, 20, 15), 0, NONE) == ict(2026, 11, 21, 0)
    with pytest.raises(ValueError):
        sla.due_at(ict(2026, 11, 20), -1, NONE)


@pytest.mark.parametrize("days", [1, 2, 5, 15, 30])
def test_due_at_and_working_days_between_agree(days: int) -> None:
    start = ict(2026, 12, 1)
    for offset in range(0, 60, 3):
        s = start + timedelta(days=offset)
        due = sla.due_at(s, days, HOLIDAYS)
        before = due - timedelta(minutes=1)
        assert sla.working_days_between(s, before, HOLIDAYS) == days
        assert sla.is_working_day(sla.thai_date(before), HOLIDAYS)


# -- targets ---------------------------------------------------------------------------------


def test_targets_defaults_and_centre_overrides() -> None:
    packaged = sla.load_targets(sla.TARGETS)
    assert packaged.of("phrae") == sla.Targets(1, 15)
    custom = sla.parse_targets(
        json.dumps(
            {"defaults": {"resolution_days": 10}, "centres": {"nan": {"first_response_days": 2}}}
        )
    )
    assert custom.of("phrae") == sla.Targets(1, 10)
    assert custom.of("nan") == sla.Targets(2, 10)


@pytest.mark.parametrize(
    "text",
    ["[]", '{"defaults": {"resolution_days": -1}}', '{"defaults": {"resolution_days": "15"}}',
     '{"centres": {"nan": {"first_response_days": true}}}', "nope"],
)  # fmt: skip
def test_bad_targets_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        sla.parse_targets(text)


# -- breaches and escalation -----------------------------------------------------------------


def test_escalation_rooms() -> None:
    assert sla.escalation_room_slug("chiangrai-maesai", None) == "chiangrai"
    assert sla.escalation_room_slug("phrae", None) == "moi"
    assert sla.escalation_room_slug("phrae", frozenset({"phrae"})) is None  # no moi room
    assert sla.escalation_room_slug("moi", None) is None
    assert sla.escalation_room_slug("nowhere", None) is None


class FakeXmpp:
    served = frozenset({"phrae", "moi"})

    def add_event_handler(self, *_a) -> None:
        pass


def test_overdue_cases_are_flagged_once_and_escalated(store: CaseStore) -> None:
    opened = datetime.now(UTC) - timedelta(days=40)
    quiet = store.open_case(
        centre="phrae", province="TH-54", citizen_jid="a@citizens.d.example", body="ถนนพัง",
        now=opened,
    ).case.ref  # fmt: skip
    answered = store.open_case(
        centre="phrae", province="TH-54", citizen_jid="b@citizens.d.example", body="ไฟดับ",
        now=opened,
    ).case.ref  # fmt: skip
    store.claim(answered, "phrae@d.example", now=opened + timedelta(hours=1))
    done = store.open_case(
        centre="phrae", province="TH-54", citizen_jid="c@citizens.d.example", body="น้ำไม่ไหล",
        now=opened,
    ).case.ref  # fmt: skip
    store.set_status(done, Status.RESOLVED, "phrae@d.example")
    fresh = store.open_case(
        centre="phrae", province="TH-54", citizen_jid="d@citizens.d.example", body="หลุม"
    ).case.ref  # fmt: skip

    bridge = CaseBridge(FakeXmpp(), store, ADDR)  # type: ignore[arg-type]
    outs = bridge.sla_due()
    room, moi = ADDR.room_jid("phrae"), ADDR.room_jid("moi")
    in_room = [o.body for o in outs if o.to == room]

    def flags(key: str, ref: str) -> int:
        return sum(
            catalogue.matches(b, key) and catalogue.values(b, key)["ref"] == ref for b in in_room
        )

    assert flags("room.sla_first_response", quiet) == 1
    assert flags("room.sla_resolution", quiet) == 1
    assert flags("room.sla_first_response", answered) == 0
    assert flags("room.sla_resolution", answered) == 1
    assert len(in_room) == 3  # nothing about the resolved case or the fresh one
    assert not any(done in b or fresh in b for b in in_room)
    escalated = [o.body for o in outs if o.to == moi]
    assert len(escalated) == 2
    assert all(catalogue.values(b, "room.sla_step1")["own"] == "phrae" for b in escalated)
    assert {catalogue.values(b, "room.sla_step1")["ref"] for b in escalated} == {quiet, answered}
    assert all(o.groupchat for o in outs)
    kinds = [e.kind for e in store.events(quiet)]
    assert kinds.count("sla_first_response") == 1 and kinds.count("sla_resolution") == 1

    assert bridge.sla_due() == []  # once per breach
