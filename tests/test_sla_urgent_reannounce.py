"""Urgent cases are re-announced in the room until someone takes them (no timers: `now` is
passed in)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bots import catalogue
from bots.urgent import DEFAULT_MINUTES, ENV, Reannouncer, interval
from casestore import CaseStore, Status
from kernel.addresses import Addresses

pytestmark = pytest.mark.every_backend  # `store` on SQLite and PostgreSQL (conftest)

ADDR = Addresses.for_domain("d.example")
EVERY = timedelta(minutes=10)
AGENT = "phrae@d.example"


def urgent(store: CaseStore, who: str = "a@citizens.d.example", is_urgent: bool = True) -> str:
    return store.open_case(
        centre="phrae", province="TH-54", citizen_jid=who, body="ไฟไหม้บ้านข้าง ๆ",
        urgent=is_urgent, urgent_reason="ไฟไหม้ / fire" if is_urgent else None,
    ).case.ref  # fmt: skip


def test_only_urgent_cases_nobody_has_taken_are_listed(store: CaseStore) -> None:
    waiting, claimed, closed, moved, calm, reopened = (urgent(store) for _ in range(6))
    store.set_status(calm, Status.IN_PROGRESS, AGENT)
    store.claim(claimed, AGENT)
    store.set_status(closed, Status.CLOSED, AGENT)
    store.transfer(moved, "nan", AGENT, None)
    store.set_status(reopened, Status.CLOSED, AGENT)
    store.set_status(reopened, Status.REOPENED, AGENT)
    urgent(store, is_urgent=False)
    assert [c.ref for c in store.unclaimed_urgent()] == [waiting, reopened]


def test_due_every_interval_from_the_opening_and_forgets_taken_cases(store: CaseStore) -> None:
    ref = urgent(store)
    (case,) = store.unclaimed_urgent()
    r = Reannouncer(ADDR, EVERY)
    t0 = case.created_at
    assert r.due([case], t0 + timedelta(minutes=9)) == []
    (out,) = r.due([case], t0 + timedelta(minutes=10))
    assert out.groupchat and out.to == ADDR.room_jid("phrae")
    assert catalogue.matches(out.body, "room.urgent_unclaimed")
    told = catalogue.values(out.body, "room.urgent_unclaimed")
    assert (told["ref"], told["waited"], told["case_jid"]) == (ref, "10", ADDR.case_jid(ref))
    assert "ไฟไหม้" in told["summary"]
    assert r.due([case], t0 + timedelta(minutes=19)) == []
    assert len(r.due([case], t0 + timedelta(minutes=20))) == 1
    store.claim(ref, AGENT)
    assert r.due(store.unclaimed_urgent(), t0 + timedelta(minutes=60)) == []


def test_interval_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert interval() == timedelta(minutes=DEFAULT_MINUTES)
    monkeypatch.setenv(ENV, "0.5")
    assert interval() == timedelta(seconds=30)
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv(ENV, bad)
        assert interval() == timedelta(minutes=DEFAULT_MINUTES)
