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

    def hit(
        self, bucket: str, limit: int, window: timedelta, *, now: datetime | None = None,
        cost: int = 1,
    ) -> Verdict:
        """Count an attempt weighing `cost` (e.g. kilobytes of an upload; default 1); allowed
        while the window holds at most `limit` in all."""
        if limit < 1 or window <= timedelta(0) or cost < 1:
            raise ValueError("limit and cost must be ≥ 1 and window positive")
        bucket = bucket[:MAX_BUCKET]
        at = as_utc(now or utcnow())
        for attempt in range(2):  # a rival worker may insert the same new bucket first
            try:
                with self.store.writing() as s:
                    row = s.scalars(
                        select(RateLimit).where(RateLimit.bucket == bucket).with_for_update()
                    ).one_or_none()
                    if row is None:
                        row = RateLimit(bucket=bucket, window_start=at, hits=0)
                        s.add(row)
                    elif as_utc(row.window_start) + window <= at:
                        row.window_start, row.hits = at, 0
                    row.hits += cost
                    s.flush()
                    ends = as_utc(row.window_start) + window
                    left = max(1, int((ends - at).total_seconds() + 0.999))
                    return Verdict(row.hits <= limit, row.hits, left)
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def reset(self, bucket: str) -> None:
        """Forget a bucket (e.g. after a successful login)."""
        with self.store.writing() as s:
            s.execute(delete(RateLimit).where(RateLimit.bucket == bucket[:MAX_BUCKET]))

    def purge(self, older_than: timedelta, *, now: datetime | None = None) -> int:
        """Delete buckets whose window started before `now - older_than`; how many."""
        cutoff = as_utc(now or utcnow()) - older_than
        with self.store.writing() as s:
            return s.execute(delete(RateLimit).where(RateLimit.window_start < cutoff)).rowcount
