"""Server-side dashboard sessions (table ``web_sessions``).

The browser holds a random token; the database keeps only its SHA-256, so a copy of the
database gives no live session. Each session has its own CSRF token, an idle limit (no
request for ``idle``) and an absolute limit (``expires_at``, fixed at login). Logging out
deletes the row, so the old cookie stops working at once on every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update

from .models import WebSession
from .refs import as_utc, utcnow
from .store import CaseStore

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)
#: ``last_seen_at`` is written at most this often (a page view is not a write each time).
TOUCH_EVERY = timedelta(seconds=60)
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """The stored form of a session token: SHA-256, 64 hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionView:
    """A live session as read; ``token`` is set only right after :meth:`WebSessions.create`."""

    jid: str
    csrf: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    token: str | None = None

    def csrf_ok(self, offered: object) -> bool:
        """Whether ``offered`` is this session's CSRF token (constant-time)."""
        return isinstance(offered, str) and hmac.compare_digest(
            offered.encode("utf-8"), self.csrf.encode("utf-8")
        )

    @classmethod
    def of(cls, row: WebSession, token: str | None = None) -> SessionView:
        return cls(row.jid, row.csrf, row.created_at, row.last_seen_at, row.expires_at, token)


class WebSessions:
    """Create, look up, end and purge dashboard sessions in the case store's database."""

    def __init__(
        self, store: CaseStore, *, idle: timedelta = IDLE, lifetime: timedelta = LIFETIME
    ) -> None:
        if idle <= timedelta(0) or lifetime <= timedelta(0):
            raise ValueError("idle and lifetime must be positive")
        self.store = store
        self.idle = idle
        self.lifetime = lifetime

    def create(self, jid: str, *, now: datetime | None = None) -> SessionView:
        """Start a session for ``jid``; the returned view carries the token (the only time)."""
        if not jid:
            raise ValueError("jid is required")
        at = as_utc(now or utcnow())
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row = WebSession(
            token_hash=token_hash(token),
            jid=jid,
            csrf=secrets.token_urlsafe(TOKEN_BYTES),
            created_at=at,
            last_seen_at=at,
            expires_at=at + self.lifetime,
        )
        with self.store.writing() as s:
            s.add(row)
            s.flush()
            return SessionView.of(row, token)

    def get(self, token: str | None, *, now: datetime | None = None) -> SessionView | None:
        """The live session of ``token`` (and mark it used), or None when unknown or expired.

        An expired session is deleted when it is found.
        """
        if not token or len(token) > 200:
            return None
        at = as_utc(now or utcnow())
        key = token_hash(token)
        with self.store.reading() as s:
            row = s.get(WebSession, key)
            if row is None:
                return None
            view = SessionView.of(row)
        if view.expires_at <= at or view.last_seen_at + self.idle <= at:
            self.end(token)
            return None
        if at - view.last_seen_at >= TOUCH_EVERY:
            with self.store.writing() as s:
                s.execute(
                    update(WebSession)
                    .where(WebSession.token_hash == key)
                    .values(last_seen_at=at)
                    .execution_options(synchronize_session=False)
                )
            view = SessionView(view.jid, view.csrf, view.created_at, at, view.expires_at)
        return view

    def end(self, token: str | None) -> bool:
        """Delete the session of ``token`` (logout); whether there was one."""
        if not token:
            return False
        with self.store.writing() as s:
            gone = s.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))
            return bool(gone.rowcount)

    def end_all(self, jid: str) -> int:
        """Delete every session of an account (e.g. when it is disabled); how many."""
        with self.store.writing() as s:
            return s.execute(delete(WebSession).where(WebSession.jid == jid)).rowcount

    def purge(self, *, now: datetime | None = None) -> int:
        """Delete sessions past their absolute or idle limit; how many."""
        at = as_utc(now or utcnow())
        with self.store.writing() as s:
            gone = s.execute(
                delete(WebSession).where(
                    or_(WebSession.expires_at <= at, WebSession.last_seen_at <= at - self.idle)
                )
            )
            return gone.rowcount

    def count(self, jid: str | None = None) -> int:
        """Number of stored sessions (of ``jid``)."""
        q = select(func.count()).select_from(WebSession)
        if jid is not None:
            q = q.where(WebSession.jid == jid)
        with self.store.reading() as s:
            return s.scalar(q) or 0
