"""The shared rate-limit counters, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from casestore import CaseStore
from casestore.ratelimit import RateLimiter

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@pytest.fixture
def limiter(db_store: CaseStore) -> RateLimiter:
    return RateLimiter(db_store)


def test_allows_up_to_the_limit_then_refuses_until_the_window_ends(limiter: RateLimiter):
    window = timedelta(minutes=1)
    verdicts = [limiter.hit("track:ip:10.0.0.1", 3, window, now=T0) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert verdicts[-1].retry_after_s == 60
    later = limiter.hit("track:ip:10.0.0.1", 3, window, now=T0 + timedelta(seconds=59))
    assert not later.allowed and later.retry_after_s == 1
    fresh = limiter.hit("track:ip:10.0.0.1", 3, window, now=T0 + timedelta(seconds=60))
    assert fresh.allowed and fresh.hits == 1


def test_buckets_are_independent_and_reset_forgets(limiter: RateLimiter):
    window = timedelta(minutes=5)
    for _ in range(2):
        limiter.hit("login:a", 2, window, now=T0)
    assert not limiter.hit("login:a", 2, window, now=T0).allowed
    assert limiter.hit("login:b", 2, window, now=T0).allowed
    limiter.reset("login:a")
    assert limiter.hit("login:a", 2, window, now=T0).allowed


def test_purge_drops_old_buckets(limiter: RateLimiter):
    limiter.hit("old", 1, timedelta(minutes=1), now=T0)
    limiter.hit("new", 1, timedelta(minutes=1), now=T0 + timedelta(hours=2))
    assert limiter.purge(timedelta(hours=1), now=T0 + timedelta(hours=2)) == 1
    assert limiter.hit("new", 1, timedelta(minutes=1), now=T0 + timedelta(hours=2)).hits == 2


def test_bad_arguments_are_refused(limiter: RateLimiter):
    with pytest.raises(ValueError):
        limiter.hit("x", 0, timedelta(minutes=1))
    with pytest.raises(ValueError):
        limiter.hit("x", 1, timedelta(0))
