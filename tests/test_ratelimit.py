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


def test_ended_buckets_are_deleted_as_the_limiter_is_used(limiter: RateLimiter, db_store):
    """No count (which names a client address) outlives its use: two days after its window
    started, the next hit of anyone deletes it."""
    from sqlalchemy import select

    from casestore.models import RateLimit

    limiter.hit("track:ip:192.0.2.7", 5, timedelta(hours=1), now=T0)
    limiter.hit("track:ip:192.0.2.8", 5, timedelta(hours=1), now=T0 + timedelta(days=1))
    with db_store.reading() as s:
        assert len(s.scalars(select(RateLimit.bucket)).all()) == 2
    limiter.hit("track:ip:192.0.2.9", 5, timedelta(hours=1), now=T0 + timedelta(days=2, minutes=1))
    with db_store.reading() as s:
        left = sorted(s.scalars(select(RateLimit.bucket)).all())
    assert left == ["track:ip:192.0.2.8", "track:ip:192.0.2.9"]


def test_pin_failures_and_limits_share_one_counter_rule(db_store):
    """The PIN guard counts with the limiter's own `bump`: a case's window restarts at each
    failure, a source's does not."""
    from casestore.ratelimit import bump

    first = bump(db_store, "pin:case:X", T0, timedelta(hours=1), restart=True)
    second = bump(db_store, "pin:case:X", T0 + timedelta(minutes=50), timedelta(hours=1),
                  restart=True)
    assert (first.hits, second.hits) == (1, 2) and second.window_start == T0 + timedelta(minutes=50)
    src = bump(db_store, "pin:src:a", T0, timedelta(hours=1))
    src = bump(db_store, "pin:src:a", T0 + timedelta(minutes=50), timedelta(hours=1))
    assert src.window_start == T0 and src.hits == 2
    again = bump(db_store, "pin:src:a", T0 + timedelta(hours=1), timedelta(hours=1))
    assert again.hits == 1
