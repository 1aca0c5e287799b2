"""Whistle-blower mode: anonymous tipsters (SASL ANONYMOUS on ``anon.D``) leave no identifier.

A case opened from ``anon.D`` stores the fixed placeholder ``anonymous@anon.D``
(:func:`placeholder`) as its citizen — never the random session JID, nor an IP or device id.
The live session's JID is kept only in this process's memory (:class:`AnonSessions`: case
reference → current JID), so the bot can answer while the tipster's page or app is open. An
entry is forgotten when the session ends (a bounce from the JID, :meth:`forget_jid`) or after
``DAMRONGDHAM_ANON_IDLE_MINUTES`` (default 60) without a message from the tipster.

After a bot restart, or from a new session, the tipster re-attaches by writing
``PIN 123456`` (the case's tracking PIN; Thai digits and ``พิน`` accepted) to the case address
``<ref>@bot.D`` (:func:`parse_pin`). Wrong PINs are limited by ``casestore.pin_guard`` with
:data:`PIN_LIMITS` (counted in the database so restarts do not reset them): the *source* is
the anonymous session's JID, since the bot never sees the tipster's address — a session
with :data:`PIN_ATTEMPTS` wrong PINs in :data:`PIN_WINDOW` is refused, and a case that got
wrong PINs makes failed sessions wait a growing delay, while a session that has not failed
always has its PIN checked: strangers guessing at a (public, sequential) reference cannot lock
the tipster out. A new anonymous session is cheap, so each one gets its guesses; one in a
million per guess. Replies for a tipster who is not connected are dropped (the transcript
keeps them; ``/track`` with reference + PIN shows them).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from casestore.pin_guard import PinLimits

PLACEHOLDER_LOCAL = "anonymous"
PIN_ATTEMPTS = 5  # wrong PINs a session may give per PIN_WINDOW
PIN_WINDOW = timedelta(hours=1)
PIN_LIMITS = PinLimits(source_limit=PIN_ATTEMPTS, case_free=3, window=PIN_WINDOW)
DEFAULT_IDLE_MINUTES = 60
_PIN = re.compile(r"^\s*(?:pin|พิน)\s*[:：]?\s*([0-9๐-๙]{6})\s*$", re.IGNORECASE)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def anon_domain(domain: str) -> str:
    return f"anon.{domain}"


def placeholder(domain: str) -> str:
    """The citizen JID stored for every anonymous case of deployment ``domain``."""
    return f"{PLACEHOLDER_LOCAL}@{anon_domain(domain)}"


def is_anon(jid: str, domain: str) -> bool:
    """Whether ``jid`` is an anonymous session (or the placeholder) of ``domain``."""
    return jid.partition("@")[2].partition("/")[0] == anon_domain(domain)


def citizen_address(
    ref: str, citizen_jid: str, domain: str, registry: AnonSessions | None = None
) -> str | None:
    """Where to send a message for case ``ref``'s citizen: the stored JID, or for an
    anonymous case the live session's JID in memory (None when the tipster is gone)."""
    if citizen_jid != placeholder(domain):
        return citizen_jid
    return (registry if registry is not None else sessions()).jid_for(ref)


def parse_pin(body: str) -> str | None:
    """The six digits of a ``PIN 123456`` re-attach message, else None."""
    m = _PIN.match(body)
    return m.group(1).translate(_THAI_DIGITS) if m else None


def idle_minutes() -> float:
    raw = os.environ.get("DAMRONGDHAM_ANON_IDLE_MINUTES", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_IDLE_MINUTES
    except ValueError:
        value = DEFAULT_IDLE_MINUTES
    return value if value > 0 else DEFAULT_IDLE_MINUTES


class AnonSessions:
    """Case reference → the anonymous JID currently talking about it; memory only.

    Thread-safe (intake and bridge may run store work in threads). Nothing here is ever
    written to disk or logged."""

    def __init__(
        self, idle: timedelta | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.idle = (idle or timedelta(minutes=idle_minutes())).total_seconds()
        self._clock = clock
        self._jid_of: dict[str, str] = {}
        self._seen: dict[str, float] = {}  # JID → last time it wrote
        self._lock = threading.Lock()

    def _expire(self) -> None:
        now = self._clock()
        for jid in [j for j, at in self._seen.items() if now - at > self.idle]:
            self._drop(jid)

    def _drop(self, jid: str) -> None:
        self._seen.pop(jid, None)
        for ref in [r for r, j in self._jid_of.items() if j == jid]:
            del self._jid_of[ref]

    def attach(self, ref: str, jid: str) -> None:
        """``jid`` is now the tipster of case ``ref`` (a later session replaces an earlier)."""
        with self._lock:
            self._jid_of[ref.upper()] = jid
            self._seen[jid] = self._clock()

    def touch(self, jid: str) -> None:
        """The tipster wrote: keep their entries alive."""
        with self._lock:
            if jid in self._seen:
                self._seen[jid] = self._clock()

    def jid_for(self, ref: str) -> str | None:
        """The live JID of case ``ref``'s tipster, None when unknown or idle too long."""
        with self._lock:
            self._expire()
            return self._jid_of.get(ref.upper())

    def refs_for(self, jid: str) -> list[str]:
        """The cases this session is attached to, oldest first."""
        with self._lock:
            self._expire()
            return [r for r, j in self._jid_of.items() if j == jid]

    def owns(self, jid: str, ref: str) -> bool:
        return self.jid_for(ref) == jid

    def forget_jid(self, jid: str) -> None:
        """The session ended (e.g. a message to it bounced): forget every case of it."""
        with self._lock:
            self._drop(jid)

    def forget_ref(self, ref: str) -> None:
        with self._lock:
            self._jid_of.pop(ref.upper(), None)

    def origin(self, jid: str, origin_id: str | None) -> str | None:
        """The origin id stored for a message of ``jid``: a hash of (session JID, the
        client's id), so a redelivery — also one replayed after a bot restart — is still
        recognised, two tipsters' equal ids never collide, and nothing stored names the
        session (its random JID exists nowhere else once the session is gone)."""
        if origin_id is None:
            return None
        return "anon:" + hashlib.sha256(f"{jid}\n{origin_id}".encode()).hexdigest()[:40]

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._jid_of)


_DEFAULT: AnonSessions | None = None
_DEFAULT_LOCK = threading.Lock()


def sessions() -> AnonSessions:
    """The process-wide registry shared by intake (bots) and relay (bridge)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = AnonSessions()
        return _DEFAULT
