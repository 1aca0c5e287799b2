"""Per-citizen flood control: a burst goes through, then messages are spaced out in order.

A generic cell rate algorithm per sender: each message gets the next free slot, `1/rate`
seconds after the previous one; up to `burst` messages may be early. A message whose slot
is later than now is *delayed* (handled at its slot, order kept: the spool keeps it safe
meanwhile); one whose slot is more than `max_delay` seconds away is *refused*. So a citizen
sending 100 messages a second is slowed to `rate` and told so once, and nobody else waits
for them. Settings: ``DAMRONGDHAM_FLOOD_RATE`` (messages/s, default 5),
``DAMRONGDHAM_FLOOD_BURST`` (default 20), ``DAMRONGDHAM_FLOOD_MAX_DELAY`` (s, default 60).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from bots.catalogue import render

NOTICE_EVERY_S = 60.0


@dataclass(frozen=True)
class Limits:
    rate: float = 5.0
    burst: int = 20
    max_delay: float = 60.0

    @classmethod
    def from_env(cls) -> Limits:
        """From the environment; a bad value is a ValueError naming the variable."""
        values: dict[str, float] = {}
        for name, key, cast in (
            ("DAMRONGDHAM_FLOOD_RATE", "rate", float),
            ("DAMRONGDHAM_FLOOD_BURST", "burst", int),
            ("DAMRONGDHAM_FLOOD_MAX_DELAY", "max_delay", float),
        ):
            raw = os.environ.get(name, "").strip()
            if not raw:
                continue
            try:
                value = cast(raw)
            except ValueError:
                raise ValueError(f"{name}={raw!r} is not a number") from None
            if value <= 0:
                raise ValueError(f"{name} must be positive")
            values[key] = value
        return cls(**values)  # type: ignore[arg-type]


class Throttle:
    """`delay(sender)`: 0 (now), seconds to wait, or None (refused)."""

    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic):
        self.limits = limits or Limits()
        self.clock = clock
        self._next: dict[str, float] = {}  # sender → theoretical time of their next message
        self._told: dict[str, float] = {}

    def delay(self, sender: str) -> float | None:
        now = self.clock()
        interval = 1.0 / self.limits.rate
        slot = max(now, self._next.get(sender, now))
        wait = slot - now - (self.limits.burst - 1) * interval
        if wait > self.limits.max_delay:
            return None  # the slot is not taken: later messages are not pushed back
        self._next[sender] = slot + interval
        if len(self._next) > 10_000:
            self._forget(now)
        return wait if wait > 1e-6 else 0.0  # (float noise is not a wait)

    def should_tell(self, sender: str) -> bool:
        """Whether to tell this sender they are being slowed (once a minute at most)."""
        now = self.clock()
        if now - self._told.get(sender, -NOTICE_EVERY_S) < NOTICE_EVERY_S:
            return False
        self._told[sender] = now
        return True

    def _forget(self, now: float) -> None:
        self._next = {k: v for k, v in self._next.items() if v > now}
        self._told = {k: v for k, v in self._told.items() if now - v < NOTICE_EVERY_S}


def slowed_notice() -> str:
    return render("citizen.slowed")


def refused_notice() -> str:
    return render("citizen.refused")
