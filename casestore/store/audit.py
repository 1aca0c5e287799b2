"""Audit events: what happened to a case, by whom, when (table ``case_events``).

Every change the other areas make adds its event in the same transaction, built with
:func:`new_event` / :func:`move_event`; :meth:`AuditMixin.record` adds one that changes
nothing else (an agent read the history, the bridge announced a case…).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..events import EventKind
from ..lifecycle import Status
from ..models import Case, CaseEvent
from ..refs import CaseRef, as_utc, utcnow
from ..views import EventView
from .base import StoreBase

MAX_KIND = 32  # the column's width


def new_event(
    case: Case,
    at: datetime,
    actor: str,
    kind: EventKind | str,
    from_status: Status | None,
    to_status: Status | None,
    note: str | None,
) -> CaseEvent:
    """A `case_events` row for `case` (to add to the session of the change it records)."""
    return CaseEvent(
        case_id=case.id,
        at=at,
        actor=actor,
        kind=str(kind),  # an EventKind is stored as its value
        note=note,
        from_status=None if from_status is None else from_status.value,
        to_status=None if to_status is None else to_status.value,
    )


def move_event(
    case: Case,
    at: datetime,
    actor: str,
    kind: EventKind,
    status: Status,
    target: Status,
    note: str | None,
) -> CaseEvent:
    """An event whose from/to status are set only when ``target`` differs from ``status``."""
    changed = target != status
    return new_event(
        case, at, actor, kind, status if changed else None, target if changed else None, note
    )


class AuditMixin(StoreBase):
    """Recording and reading a case's audit events."""

    def record(
        self,
        ref: str | CaseRef,
        actor: str,
        kind: EventKind | str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> EventView:
        """Append an audit event that changes nothing else (e.g. an agent read the history)."""
        if not kind or len(kind) > MAX_KIND:
            raise ValueError(f"bad event kind: {kind!r}")
        at = as_utc(now or utcnow())
        with self.writing() as s:
            case = self._require(s, ref)
            ev = new_event(case, at, actor, kind, None, None, note)
            s.add(ev)
            s.flush()
            return EventView.of(ev, case.ref)

    def events(self, ref: str | CaseRef) -> list[EventView]:
        """The case's audit events in the order they happened (CaseNotFound for unknown refs)."""
        with self.reading() as s:
            case = self._require(s, ref)
            q = select(CaseEvent).where(CaseEvent.case_id == case.id)
            rows = s.scalars(q.order_by(CaseEvent.id))
            return [EventView.of(e, case.ref) for e in rows]
