"""Two-step SLA escalation: district → province → ministry (moi), provincial → moi then a
reminder; over working days with Thai holidays, once per step (from stored events, so across
checker runs and restarts), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from bots import catalogue, sla
from bridge.component import CaseBridge
from casestore import CaseStore, Status
from casestore.refs import BANGKOK
from kernel.addresses import Addresses, Outgoing

pytestmark = pytest.mark.every_backend  # `store` on SQLite and PostgreSQL (conftest)

HOLIDAYS = sla.load_holidays()
NONE: frozenset[date] = frozenset()
ADDR = Addresses.for_domain("d.example")
AGENT = "chiangrai-maesai@d.example"
ALL = frozenset({"chiangrai", "chiangrai-maesai", "phrae", "moi"})
NO_MOI = frozenset({"chiangrai", "chiangrai-maesai", "phrae"})
#: resolution 3 working days, ministry step 2 working days after the first escalation
TARGETS = {
    "defaults": {"first_response_days": 1, "resolution_days": 3, "ministry_escalation_days": 2}
}


def ict(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BANGKOK)


class FakeXmpp:
    def __init__(self, served: frozenset[str] | None) -> None:
        self.served = served

    def add_event_handler(self, *_a) -> None:
        pass


@pytest.fixture(autouse=True)
def targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every checker of this module reads TARGETS."""
    path = tmp_path / "sla.json"
    path.write_text(json.dumps(TARGETS), encoding="utf-8")
    monkeypatch.setenv(sla.ENV, str(path))


def checker(store: CaseStore, served: frozenset[str] | None = ALL) -> CaseBridge:
    """A fresh checker, as after a restart: it remembers nothing but the store."""
    return CaseBridge(FakeXmpp(served), store, ADDR)  # type: ignore[arg-type]


def open_case(store: CaseStore, centre: str, province: str | None, at: datetime) -> str:
    ref = store.open_case(
        centre=centre, province=province, citizen_jid="a@citizens.d.example",
        body="ถนนในหมู่บ้านพังมาสามเดือน", now=at,
    ).case.ref  # fmt: skip
    # answered at once: only the resolution target matters here
    store.claim(ref, f"{centre}@d.example", now=at)
    return ref


def to(outs: list[Outgoing], slug: str) -> list[str]:
    assert all(o.groupchat for o in outs)
    return [o.body for o in outs if o.to == ADDR.room_jid(slug)]


def steps(store: CaseStore, ref: str) -> list[tuple[str, str | None]]:
    return [(e.kind, e.note) for e in store.events(ref) if e.kind in sla.STEP_EVENT.values()]


# -- the pure rules --------------------------------------------------------------------------


def test_chain_and_targets() -> None:
    assert sla.escalation_chain("chiangrai-maesai") == ("chiangrai", "moi")
    assert sla.escalation_chain("phrae") == ("moi", "moi")
    assert sla.escalation_chain("moi") is None and sla.escalation_chain("nowhere") is None
    assert sla.step_note("chiangrai-maesai", 2, NO_MOI) == "moi unreachable"
    assert sla.step_note("chiangrai-maesai", 1, None) == "chiangrai"
    packaged = sla.load_targets(sla.TARGETS)
    assert packaged.of("phrae").ministry_escalation_days == sla.MINISTRY_ESCALATION_DAYS == 5
    custom = sla.parse_targets(
        '{"defaults": {"ministry_escalation_days": 3},'
        ' "centres": {"nan": {"resolution_days": 10}, "phrae": {"ministry_escalation_days": 0}}}'
    )
    assert custom.of("nan") == sla.Targets(1, 10, 3)
    assert custom.of("phrae").ministry_escalation_days == 0
    for bad in ('{"defaults": {"ministry_escalation_days": -1}}',
                '{"defaults": {"ministry_escalation_days": "5"}}'):  # fmt: skip
        with pytest.raises(ValueError, match="ministry_escalation_days"):
            sla.parse_targets(bad)


def read(body: str, key: str) -> dict[str, str]:
    """The fields of a room text of `key` (it must be one)."""
    assert catalogue.matches(body, key), (key, body)
    return catalogue.values(body, key)


# -- district → province → ministry ----------------------------------------------------------


def test_district_case_goes_to_province_then_ministry_over_holidays(store: CaseStore) -> None:
    # Thu 2 Apr 2026; 3 working days: Fri 3, (Mon 6 Chakri Day), Tue 7, Wed 8 → due Thu 9 00:00
    ref = open_case(store, "chiangrai-maesai", "TH-57", ict(2026, 4, 2))
    link = f"xmpp:{ADDR.case_jid(ref)}?message"
    assert checker(store).sla_due(ict(2026, 4, 8, 23, 59)) == []

    outs = checker(store).sla_due(ict(2026, 4, 9, 0, 0))
    own, province = to(outs, "chiangrai-maesai"), to(outs, "chiangrai")
    assert len(own) == 1 and len(province) == 1
    flag = read(own[0], "room.sla_resolution")
    assert flag["escalation"] == catalogue.render("room.sla_escalated_to", target="chiangrai")
    assert read(province[0], "room.sla_step1")["own"] == "chiangrai-maesai"
    assert read(province[0], "room.sla_step1")["link"] == flag["link"] == link
    assert to(outs, "moi") == []
    assert steps(store, ref) == [("sla_escalation_1", "chiangrai")]

    # step 2: 2 working days after Thu 9: Fri 10, (Songkran Mon 13–Wed 15), Thu 16 → Fri 17 00:00
    targets = sla.Targets(1, 3, 2)
    events = store.events(ref)
    assert sla.ministry_due_at(events, targets, HOLIDAYS) == ict(2026, 4, 17, 0)
    assert sla.ministry_due_at(events, targets, NONE) == ict(2026, 4, 14, 0)
    for now in (ict(2026, 4, 10), ict(2026, 4, 14), ict(2026, 4, 16, 23, 59)):
        assert checker(store).sla_due(now) == []  # every run a fresh checker: a restart

    bridge = checker(store)
    outs = bridge.sla_due(ict(2026, 4, 17, 0, 0))
    moi = to(outs, "moi")
    assert len(moi) == 1
    step = read(moi[0], "room.sla_step2_ministry")
    assert (step["own"], step["province"], step["link"]) == ("chiangrai-maesai", "chiangrai", link)
    since = catalogue.render("room.sla_since", when="2026-04-09 00:00")
    assert step["since"] == since
    own, province = to(outs, "chiangrai-maesai"), to(outs, "chiangrai")
    assert len(own) == 1 and len(province) == 1
    told = read(own[0], "room.sla_step2_ministry_told")
    assert (told["target"], told["link"], told["here"]) == ("moi", link, "")
    told = read(province[0], "room.sla_step2_ministry_told")
    assert told["target"] == "moi"
    assert told["here"] == catalogue.render("room.sla_escalated_here", since=since)
    assert steps(store, ref) == [("sla_escalation_1", "chiangrai"), ("sla_escalation_2", "moi")]

    # never again: the same checker, a restarted one, weeks later
    assert bridge.sla_due(ict(2026, 4, 17, 0, 5)) == []
    assert checker(store).sla_due(ict(2026, 6, 1)) == []
    kinds = [e.kind for e in store.events(ref)]
    assert kinds.count("sla_resolution") == 1
    assert kinds.count("sla_escalation_1") == kinds.count("sla_escalation_2") == 1


def test_no_ministry_room_is_flagged_in_the_province_room(store: CaseStore) -> None:
    ref = open_case(store, "chiangrai-maesai", "TH-57", ict(2026, 4, 2))
    assert to(checker(store, NO_MOI).sla_due(ict(2026, 4, 9, 0, 0)), "chiangrai")
    outs = checker(store, NO_MOI).sla_due(ict(2026, 4, 17, 0, 0))
    assert to(outs, "moi") == []
    province, own = to(outs, "chiangrai"), to(outs, "chiangrai-maesai")
    assert len(province) == 1 and len(own) == 1
    flag = read(province[0], "room.sla_step2_failed")
    assert (flag["link"], flag["target"]) == (f"xmpp:{ADDR.case_jid(ref)}?message", "moi")
    assert read(own[0], "room.sla_step2_failed") == flag
    assert steps(store, ref)[-1] == ("sla_escalation_2", "moi unreachable")
    assert checker(store, NO_MOI).sla_due(ict(2026, 5, 20)) == []  # recorded: flagged once


def test_resolved_between_the_steps_stops_the_escalation(store: CaseStore) -> None:
    ref = open_case(store, "chiangrai-maesai", "TH-57", ict(2026, 4, 2))
    assert checker(store).sla_due(ict(2026, 4, 9, 0, 0))
    store.set_status(ref, Status.RESOLVED, AGENT, now=ict(2026, 4, 10))
    assert checker(store).sla_due(ict(2026, 4, 30)) == []
    assert steps(store, ref) == [("sla_escalation_1", "chiangrai")]


def test_a_late_checker_gives_the_province_its_days(store: CaseStore) -> None:
    """Down for weeks: step 1 now, step 2 counted from when step 1 was recorded, not at once."""
    ref = open_case(store, "chiangrai-maesai", "TH-57", ict(2026, 4, 2))
    outs = checker(store).sla_due(ict(2026, 4, 30, 9))  # Thu 30 Apr
    assert to(outs, "chiangrai") and to(outs, "moi") == []
    # Fri 1 May, (Mon 4 May Coronation Day) Tue 5 May → due Wed 6 May 00:00
    assert checker(store).sla_due(ict(2026, 5, 5, 23, 59)) == []
    assert to(checker(store).sla_due(ict(2026, 5, 6, 0, 0)), "moi")
    assert [k for k, _ in steps(store, ref)] == ["sla_escalation_1", "sla_escalation_2"]


# -- provincial: province → moi, then a reminder to moi --------------------------------------


def test_provincial_case_goes_to_moi_then_a_reminder(store: CaseStore) -> None:
    ref = open_case(store, "phrae", "TH-54", ict(2026, 4, 2))
    outs = checker(store).sla_due(ict(2026, 4, 9, 0, 0))
    moi = to(outs, "moi")
    link = f"xmpp:{ADDR.case_jid(ref)}?message"
    assert len(moi) == 1
    assert read(moi[0], "room.sla_step1")["own"] == "phrae"
    assert read(moi[0], "room.sla_step1")["link"] == link
    flag = read(to(outs, "phrae")[0], "room.sla_resolution")
    assert flag["escalation"] == catalogue.render("room.sla_escalated_to", target="moi")
    assert checker(store).sla_due(ict(2026, 4, 16, 12)) == []

    outs = checker(store).sla_due(ict(2026, 4, 17, 0, 0))
    moi, own = to(outs, "moi"), to(outs, "phrae")
    assert len(moi) == 1 and read(moi[0], "room.sla_step2_reminder")["link"] == link
    assert len(own) == 1 and read(own[0], "room.sla_step2_reminder_sent")["target"] == "moi"
    assert {o.to for o in outs} == {ADDR.room_jid("moi"), ADDR.room_jid("phrae")}
    assert steps(store, ref) == [("sla_escalation_1", "moi"), ("sla_escalation_2", "moi")]
    assert checker(store).sla_due(ict(2026, 5, 29)) == []


def test_provincial_case_without_moi_is_flagged_in_its_room(store: CaseStore) -> None:
    ref = open_case(store, "phrae", "TH-54", ict(2026, 4, 2))
    outs = checker(store, NO_MOI).sla_due(ict(2026, 4, 9, 0, 0))
    assert [o.to for o in outs] == [ADDR.room_jid("phrae")]
    flag = read(outs[0].body, "room.sla_resolution")
    assert flag["escalation"] == catalogue.render("room.sla_escalation_failed", target="moi")
    outs = checker(store, NO_MOI).sla_due(ict(2026, 4, 17, 0, 0))
    assert [o.to for o in outs] == [ADDR.room_jid("phrae")]
    assert read(outs[0].body, "room.sla_step2_failed")["target"] == "moi"
    assert steps(store, ref) == [
        ("sla_escalation_1", "moi unreachable"),
        ("sla_escalation_2", "moi unreachable"),
    ]


# -- stored history --------------------------------------------------------------------------


def test_a_case_flagged_by_the_one_step_checker_is_not_escalated_again(store: CaseStore) -> None:
    """`sla_resolution` without `sla_escalation_1` (the earlier checker escalated with the flag)
    counts as step 1 at its time; step 2 follows from there."""
    ref = open_case(store, "chiangrai-maesai", "TH-57", ict(2026, 4, 2))
    store.record(ref, ADDR.bot_domain, "sla_resolution", now=ict(2026, 4, 9, 0, 0))
    assert checker(store).sla_due(ict(2026, 4, 16, 12)) == []
    outs = checker(store).sla_due(ict(2026, 4, 17, 0, 0))
    assert len(to(outs, "moi")) == 1 and to(outs, "chiangrai")
    assert steps(store, ref) == [("sla_escalation_2", "moi")]


def test_the_ministry_itself_is_not_escalated(store: CaseStore) -> None:
    ref = open_case(store, "moi", None, ict(2026, 4, 2))
    outs = checker(store).sla_due(ict(2026, 4, 30))
    assert [o.to for o in outs] == [ADDR.room_jid("moi")]
    assert read(outs[0].body, "room.sla_resolution")["escalation"] == ""
    assert steps(store, ref) == []
