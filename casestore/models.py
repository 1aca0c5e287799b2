"""SQLAlchemy models of the case database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from .refs import as_utc

JID = 3071  # RFC 7622: up to 1023 bytes each for local, domain and resource parts

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out (SQLite keeps no offset, so it is stored as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012


class Case(Base):
    """One complaint, tip, request for help… with its reference and current status."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_citizen_jid_created_at", "citizen_jid", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    centre: Mapped[str] = mapped_column(String(64), index=True)
    province: Mapped[str | None] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(128))
    citizen_jid: Mapped[str] = mapped_column(String(JID))
    status: Mapped[str] = mapped_column(String(20), index=True)
    type: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool]
    """An emergency (``urgency == "emergency"``)."""
    urgent_reason: Mapped[str | None] = mapped_column(Text)
    """The kind of danger of an emergency or a hazard."""
    urgency: Mapped[str] = mapped_column(String(16), default="normal", server_default="normal")
    """``emergency``, ``hazard`` or ``normal`` (``casestore.vocab.URGENCIES``)."""
    summary: Mapped[str] = mapped_column(String(200))
    assigned_to: Mapped[str | None] = mapped_column(String(JID), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CaseMessage(Base):
    """A message in a case's conversation; (sender, origin_id) makes delivery idempotent."""

    __tablename__ = "case_messages"
    __table_args__ = (UniqueConstraint("sender", "origin_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    sender: Mapped[str] = mapped_column(String(JID))
    body: Mapped[str] = mapped_column(Text)
    origin_id: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime]


class CaseEvent(Base):
    """An audit record: case opened, assigned, status changed."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(JID))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class CaseCounter(Base):
    """The last sequence number handed out per reference prefix and Buddhist-era year."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Delivery(Base):
    """The durable outbox: one case forwarded to one agency, until it is delivered.

    Written in the same transaction as the case's move to ``forwarded``; a worker delivers
    the ``payload`` (an Open311 GeoReport v2 request, JSON) and records the agency's reference.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    agency_ref: Mapped[str | None] = mapped_column(String(200))


class CaseRating(Base):
    """The citizen's rating (1–5) of how a resolved case was handled; one per case, the
    latest answer counts (each answer is also an audit event ``rated``)."""

    __tablename__ = "case_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    citizen_jid: Mapped[str] = mapped_column(String(JID))
    rated_at: Mapped[datetime]


class WebSession(Base):
    """A dashboard login (server-side session). The browser holds the token; only its
    SHA-256 is stored, so a leaked database does not leak live sessions."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    jid: Mapped[str] = mapped_column(String(JID), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ApiKey(Base):
    """An agency's key for the Open311 POST endpoint; only the SHA-256 of the key is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RateLimit(Base):
    """A fixed-window counter shared by every web worker (see ``casestore.ratelimit``)."""

    __tablename__ = "rate_limits"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime]
    hits: Mapped[int] = mapped_column(Integer)
