"""Fixed-window rate limits kept in the database, so every web worker counts together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .models import RateLimit
from .refs import as_utc, utcnow
from .store import CaseStore

MAX_BUCKET = 200
KEEP = timedelta(days=2)
"""A bucket whose window started longer ago than this is deleted (the longest window is a
day: the web chat's upload quota)."""
PURGE_EVERY = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Count:
    """A bucket's count after `bump`: hits in the window that starts at `window_start`."""

    hits: int
    window_start: datetime


def bump(
    store: CaseStore, bucket: str, at: datetime, window: timedelta, *, cost: int = 1,
    restart: bool = False,
) -> Count:
    """Add `cost` to `bucket` in one transaction, starting a new window when the last one
    has ended; with `restart` the window starts again at every hit (a count forgotten
    `window` after its *last* hit). Safe when a rival worker creates the bucket first."""
    bucket = bucket[:MAX_BUCKET]
    for attempt in range(2):  # a rival worker may insert the same new bucket first
        try:
            with store.writing() as s:
                row = s.scalars(
                    select(RateLimit).where(RateLimit.bucket == bucket).with_for_update()
                ).one_or_none()
                if row is None:
                    row = RateLimit(bucket=bucket, window_start=at, hits=0)
                    s.add(row)
                elif as_utc(row.window_start) + window <= at:
                    row.window_start, row.hits = at, 0
                elif restart:
                    row.window_start = at
                row.hits += cost
                s.flush()
                return Count(row.hits, as_utc(row.window_start))
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether one more attempt is allowed, and in how many seconds the window resets."""

    allowed: bool
    hits: int
    retry_after_s: int


class RateLimiter:
    """`hit(bucket, limit, window)` counts one attempt in `bucket` (e.g. ``track:ip:1.2.3.4``)."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self._purged_at: datetime | None = None

    def hit(
        self, bucket: str, limit: int, window: timedelta, *, now: datetime | None = None,
        cost: int = 1,
    ) -> Verdict:
        """Count an attempt weighing `cost` (e.g. kilobytes of an upload; default 1); allowed
        while the window holds at most `limit` in all."""
        if limit < 1 or window <= timedelta(0) or cost < 1:
            raise ValueError("limit and cost must be ≥ 1 and window positive")
        at = as_utc(now or utcnow())
        row = bump(self.store, bucket, at, window, cost=cost)
        self._purge_now_and_then(at)
        ends = row.window_start + window
        left = max(1, int((ends - at).total_seconds() + 0.999))
        return Verdict(row.hits <= limit, row.hits, left)

    def _purge_now_and_then(self, at: datetime) -> None:
        """Every `PURGE_EVERY` per process, delete the buckets whose window has long ended,
        so the table holds only live counts (no addresses kept for nothing)."""
        if self._purged_at is not None and at - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = at
        self.purge(KEEP, now=at)

    def reset(self, bucket: str) -> None:
        """Forget a bucket (e.g. after a successful login)."""
        with self.store.writing() as s:
            s.execute(delete(RateLimit).where(RateLimit.bucket == bucket[:MAX_BUCKET]))

    def purge(self, older_than: timedelta, *, now: datetime | None = None) -> int:
        """Delete buckets whose window started before `now - older_than`; how many."""
        cutoff = as_utc(now or utcnow()) - older_than
        with self.store.writing() as s:
            return s.execute(delete(RateLimit).where(RateLimit.window_start < cutoff)).rowcount
