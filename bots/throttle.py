"""Per-citizen flood control: a burst goes through, then messages are spaced out in order.

A generic cell rate algorithm per sender: each message gets the next free slot, `1/rate`
seconds after the previous one; up to `burst` messages may be early. A message whose slot
is later than now is *delayed* (handled at its slot, order kept: the spool keeps it safe
meanwhile); one whose slot is more than `max_delay` seconds away is *refused*. So a citizen
sending 100 messages a second is slowed to `rate` and told so once, and nobody else waits
for them. A refused message costs nothing more than its acknowledgement: the citizen is told
once a window (`should_tell(sender, "refused")`), not once a message.

The key is the bare JID, whatever the client (an app, the web chat, an anonymous session).
Anonymous sessions are free to open, so they also share one *pool* (`delay(jid, pool=ANON)`):
a second budget all anonymous sessions together draw from, so opening many sessions does not
multiply the allowance. Settings: ``DAMRONGDHAM_FLOOD_RATE`` (messages/s, default 5),
``DAMRONGDHAM_FLOOD_BURST`` (default 20), ``DAMRONGDHAM_FLOOD_MAX_DELAY`` (s, default 60),
``DAMRONGDHAM_FLOOD_ANON_RATE`` (messages/s for all anonymous sessions together, default 50),
``DAMRONGDHAM_FLOOD_ANON_BURST`` (default 200).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from bots.catalogue import render

NOTICE_EVERY_S = 60.0
ANON = "\0anonymous sessions"  # the pool key: never a JID


@dataclass(frozen=True)
class Limits:
    rate: float = 5.0
    burst: int = 20
    max_delay: float = 60.0
    anon_rate: float = 50.0
    anon_burst: int = 200

    @classmethod
    def from_env(cls) -> Limits:
        """From the environment; a bad value is a ValueError naming the variable."""
        values: dict[str, float] = {}
        for name, key, cast in (
            ("DAMRONGDHAM_FLOOD_RATE", "rate", float),
            ("DAMRONGDHAM_FLOOD_BURST", "burst", int),
            ("DAMRONGDHAM_FLOOD_MAX_DELAY", "max_delay", float),
            ("DAMRONGDHAM_FLOOD_ANON_RATE", "anon_rate", float),
            ("DAMRONGDHAM_FLOOD_ANON_BURST", "anon_burst", int),
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
    """`delay(sender, pool)`: 0 (now), seconds to wait, or None (refused)."""

    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic):
        self.limits = limits or Limits()
        self.clock = clock
        self._next: dict[str, float] = {}  # sender (or pool) → time of their next message
        self._told: dict[tuple[str, str], float] = {}  # (kind, sender) → when last told

    def _slot(self, key: str, now: float, rate: float, burst: int) -> tuple[float, float]:
        """(the key's next slot if this message is taken, the wait beyond the burst)."""
        interval = 1.0 / rate
        slot = max(now, self._next.get(key, now))
        return slot + interval, slot - now - (burst - 1) * interval

    def delay(self, sender: str, pool: str | None = None) -> float | None:
        """The wait for `sender`'s next message; with `pool`, the pool's budget holds too
        (the longer wait of the two). A refused message takes no slot of either: later
        messages are not pushed back."""
        lim = self.limits
        now = self.clock()
        mine, wait = self._slot(sender, now, lim.rate, lim.burst)
        shared = None
        if pool is not None:
            shared, pool_wait = self._slot(pool, now, lim.anon_rate, lim.anon_burst)
            wait = max(wait, pool_wait)
        if wait > lim.max_delay:
            return None
        self._next[sender] = mine
        if pool is not None and shared is not None:
            self._next[pool] = shared
        if len(self._next) > 10_000:
            self._forget(now)
        return wait if wait > 1e-6 else 0.0  # (float noise is not a wait)

    def should_tell(self, sender: str, kind: str = "slowed") -> bool:
        """Whether to tell this sender they are `kind` ("slowed", "refused"): once a
        minute at most for each, so a burst of a thousand refused messages is one notice."""
        now = self.clock()
        key = (kind, sender)
        if now - self._told.get(key, -NOTICE_EVERY_S) < NOTICE_EVERY_S:
            return False
        self._told[key] = now
        return True

    def _forget(self, now: float) -> None:
        self._next = {k: v for k, v in self._next.items() if v > now}
        self._told = {k: v for k, v in self._told.items() if now - v < NOTICE_EVERY_S}


def slowed_notice() -> str:
    return render("citizen.slowed")


def refused_notice() -> str:
    return render("citizen.refused")
