"""Immutable snapshots handed to callers (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .lifecycle import Status, is_open
from .models import Case, CaseEvent, CaseMessage, Delivery

#: Every anonymous case's citizen is the placeholder ``anonymous@anon.<domain>``
#: (``bots.anon.placeholder``): whistle-blower tips and any other report from ``anon.D``.
ANONYMOUS_PREFIX = "anonymous@anon."


def is_anonymous(citizen_jid: str) -> bool:
    """Whether a case's stored citizen is the anonymous placeholder."""
    return citizen_jid.startswith(ANONYMOUS_PREFIX)


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as it was when read."""

    ref: str
    centre: str
    province: str | None
    district: str | None
    citizen_jid: str
    status: Status
    type: str
    topic: str
    urgent: bool
    urgent_reason: str | None
    summary: str
    assigned_to: str | None
    channel: str
    created_at: datetime
    updated_at: datetime
    urgency: str = "normal"
    """``emergency`` (= `urgent`), ``hazard`` or ``normal``."""

    @property
    def hazard(self) -> bool:
        return self.urgency == "hazard"

    @property
    def is_open(self) -> bool:
        """False once resolved, closed or merged."""
        return is_open(self.status)

    @property
    def anonymous(self) -> bool:
        """Opened from ``anon.D``: its citizen is the placeholder, it is tied to nobody."""
        return is_anonymous(self.citizen_jid)

    @classmethod
    def of(cls, case: Case) -> CaseView:
        return cls(
            ref=case.ref,
            centre=case.centre,
            province=case.province,
            district=case.district,
            citizen_jid=case.citizen_jid,
            status=Status(case.status),
            type=case.type,
            topic=case.topic,
            urgent=case.urgent,
            urgent_reason=case.urgent_reason,
            summary=case.summary,
            assigned_to=case.assigned_to,
            channel=case.channel,
            created_at=case.created_at,
            updated_at=case.updated_at,
            urgency=case.urgency or ("emergency" if case.urgent else "normal"),
        )


@dataclass(frozen=True, slots=True)
class MessageView:
    """One message of a case's transcript."""

    id: int
    ref: str
    direction: str
    sender: str
    body: str
    origin_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, msg: CaseMessage, ref: str) -> MessageView:
        return cls(
            id=msg.id,
            ref=ref,
            direction=msg.direction,
            sender=msg.sender,
            body=msg.body,
            origin_id=msg.origin_id,
            created_at=msg.created_at,
        )


@dataclass(frozen=True, slots=True)
class EventView:
    """One audit event of a case.

    ``kind`` is ``opened`` (note: the channel), ``assigned`` or ``claimed`` (note: the
    agent; from/to set only when the status changed), ``status`` (note: the actor's note),
    ``note`` (note: the internal note's text), ``transferred`` (note: ``old → new`` centre
    and the reason; from/to set when an ``assigned`` case went back to ``new``) or the name
    of an agent command that changed nothing (``help``, ``history``; see :meth:`CaseStore.record`).
    """

    id: int
    ref: str
    at: datetime
    actor: str
    kind: str
    from_status: Status | None
    to_status: Status | None
    note: str | None

    @classmethod
    def of(cls, ev: CaseEvent, ref: str) -> EventView:
        return cls(
            id=ev.id,
            ref=ref,
            at=ev.at,
            actor=ev.actor,
            kind=ev.kind,
            from_status=Status(ev.from_status) if ev.from_status else None,
            to_status=Status(ev.to_status) if ev.to_status else None,
            note=ev.note,
        )


@dataclass(frozen=True, slots=True)
class OpenResult:
    """What :meth:`CaseStore.open_case` returns; ``pin`` is set only when the case was created."""

    case: CaseView
    message: MessageView
    created: bool
    pin: str | None


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """One outbox row: a case forwarded to an agency, delivered or still pending."""

    id: int
    ref: str
    agency: str
    payload: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None
    agency_ref: str | None

    @classmethod
    def of(cls, row: Delivery, ref: str) -> DeliveryView:
        return cls(
            id=row.id,
            ref=ref,
            agency=row.agency,
            payload=row.payload,
            created_at=row.created_at,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            delivered_at=row.delivered_at,
            agency_ref=row.agency_ref,
        )
