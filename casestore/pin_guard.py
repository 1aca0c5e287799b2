"""PIN guessing limits that a stranger cannot turn into a lockout of the case's citizen.

Case references are public and sequential, so a limit *per case* that refuses (the old
"10 wrong PINs → the case is locked for an hour") lets anyone lock any citizen out of their
own case. The guard therefore splits the two jobs:

* **per source** (a client address on ``/track``; the session JID of an anonymous XMPP
  session, whose address the bot never sees): a source that has given
  ``source_limit`` wrong PINs within ``window`` is **refused** until its window ends —
  whatever case it asks about, even with the right PIN;
* **per case** the limit only **slows**: after ``case_free`` wrong PINs on one case, each
  further wrong PIN makes the next attempt wait ``base_delay · 2^(n − case_free)`` (at most
  ``max_delay``) after the last failure — but only for sources that have failed
  themselves. A source that has not given a wrong PIN is always checked at once, so the
  citizen with the right PIN gets in, however many others guessed. The case's count is
  forgotten ``window`` after its last failure, and on a right PIN.

What this costs an attacker: each fresh source gets its guesses before it is refused, and a
failed source waits out the case's growing delay. A botnet of fresh addresses (or, on XMPP,
a stream of new anonymous sessions) still gets one guess per source and case in a million
PINs; ``SECURITY.md`` says so. Counts live in the ``rate_limits`` table, so every web worker
and the bot share them and a restart forgets nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from .models import RateLimit
from .ratelimit import MAX_BUCKET, bump
from .refs import as_utc, utcnow
from .store import CaseStore


@dataclass(frozen=True, slots=True)
class PinLimits:
    source_limit: int = 5  # wrong PINs a source may give per window, then refused
    case_free: int = 3  # wrong PINs on a case before its back-off starts
    window: timedelta = timedelta(hours=1)
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)


class PinGuard:
    """``wait(ref, source)`` before checking a PIN; ``failed``/``succeeded`` after."""

    def __init__(self, store: CaseStore, limits: PinLimits | None = None) -> None:
        self.store = store
        self.limits = limits or PinLimits()

    @staticmethod
    def _source_bucket(source: str) -> str:
        return f"pin:src:{source}"[:MAX_BUCKET]

    @staticmethod
    def _case_bucket(ref: object) -> str:
        return f"pin:case:{str(ref).upper()}"[:MAX_BUCKET]

    def _live(self, row: RateLimit | None, at: datetime) -> int:
        if row is None or as_utc(row.window_start) + self.limits.window <= at:
            return 0
        return row.hits

    def delay(self, failures: int) -> timedelta:
        """How long after a case's last wrong PIN a failed source must wait."""
        if failures < self.limits.case_free:
            return timedelta(0)
        steps = min(failures - self.limits.case_free, 30)
        return min(self.limits.max_delay, self.limits.base_delay * (2**steps))

    def wait(self, ref: str, source: str, *, now: datetime | None = None) -> int:
        """Seconds ``source`` must wait before a PIN for ``ref`` is checked; 0: check it."""
        at = as_utc(now or utcnow())
        with self.store.reading() as s:
            src = s.get(RateLimit, self._source_bucket(source))
            case = s.get(RateLimit, self._case_bucket(ref))
            src_fails, case_fails = self._live(src, at), self._live(case, at)
            if src_fails >= self.limits.source_limit:
                ends = as_utc(src.window_start) + self.limits.window  # type: ignore[union-attr]
                return _seconds(ends - at)
            if src_fails and case_fails:
                until = as_utc(case.window_start) + self.delay(case_fails)  # type: ignore[union-attr]
                if until > at:
                    return _seconds(until - at)
        return 0

    def failed(self, ref: str, source: str, *, now: datetime | None = None) -> None:
        """Count a wrong PIN: the source's window runs from its first failure, the case's
        from its last."""
        at = as_utc(now or utcnow())
        bump(self.store, self._source_bucket(source), at, self.limits.window)
        bump(self.store, self._case_bucket(ref), at, self.limits.window, restart=True)

    def succeeded(self, ref: str, source: str) -> None:
        """A right PIN: the case's back-off and the source's failures are forgotten."""
        with self.store.writing() as s:
            s.execute(
                delete(RateLimit).where(
                    RateLimit.bucket.in_([self._case_bucket(ref), self._source_bucket(source)])
                )
            )

def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))
