"""casestore.pin_guard: per-source refusal, per-case back-off, never a stranger's lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casestore import CaseStore
from casestore.pin_guard import PinGuard, PinLimits
from casestore.refs import utcnow

pytestmark = pytest.mark.every_backend

REF = "TH57-2569-000001"
LIMITS = PinLimits(source_limit=5, case_free=3, window=timedelta(hours=1),
                   base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=15))


def test_a_source_with_too_many_wrong_pins_is_refused_for_the_window(store: CaseStore) -> None:
    guard, t0 = PinGuard(store, LIMITS), utcnow()
    for n in range(5):  # five different cases: no case back-off involved
        assert guard.wait(f"TH57-2569-00001{n}", "ip:a", now=t0) == 0
        guard.failed(f"TH57-2569-00001{n}", "ip:a", now=t0)
    assert 3590 <= guard.wait(REF, "ip:a", now=t0 + timedelta(seconds=5)) <= 3600
    assert guard.wait(REF, "ip:b", now=t0) == 0  # another source is not concerned
    assert guard.wait(REF, "ip:a", now=t0 + timedelta(hours=1, seconds=1)) == 0


def test_the_case_back_off_grows_caps_and_spares_fresh_sources(store: CaseStore) -> None:
    guard, t = PinGuard(store, LIMITS), utcnow()
    for n in range(3):  # the free failures: no delay yet
        guard.failed(REF, f"ip:{n}", now=t)
        assert guard.wait(REF, "ip:0", now=t) == (0 if n < 2 else 30)
    waits = []
    for n in range(3, 12):
        guard.failed(REF, f"ip:{n}", now=t)
        waits.append(guard.wait(REF, "ip:0", now=t))
        assert guard.wait(REF, "ip:fresh", now=t) == 0  # never a lockout for a new source
    assert waits[:5] == [60, 120, 240, 480, 900] and set(waits[5:]) == {900}
    assert guard.wait(REF, "ip:0", now=t + timedelta(minutes=15, seconds=1)) == 0
    guard.succeeded(REF, "ip:fresh")  # the right PIN forgets the back-off
    assert guard.wait(REF, "ip:0", now=t) == 0
