"""Forwarding to agencies through a durable outbox (table ``outbox``).

A case forwarded to an agency gets its outbox row in the same transaction as its status
change; ``bridge.outbox`` takes due rows (leased, so two workers never send one twice),
delivers them and marks them delivered or failed here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import InvalidTransition
from ..events import EventKind
from ..lifecycle import Status, can_transition
from ..models import Case, Delivery
from ..refs import CaseRef, as_utc, utcnow
from ..views import CaseView, DeliveryView
from .audit import new_event
from .base import StoreBase


class OutboxMixin(StoreBase):
    """Forwarding a case, and the outbox rows that carry it to the agency."""

    def forward(
        self,
        ref: str | CaseRef,
        agency: str,
        actor: str,
        payload: str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> tuple[CaseView, CaseView, DeliveryView]:
        """Move the case to ``forwarded`` and put ``payload`` in the outbox for ``agency``.

        Both in one transaction: the status change is never without its outbox row, nor the
        row without the change. Returns (before, after, outbox row). One ``forwarded`` event
        (note: the agency id, and ``note``). InvalidTransition when the lifecycle forbids it.
        """
        if not agency or not payload:
            raise ValueError("agency and payload are required")
        at = as_utc(now or utcnow())
        with self.writing() as s:
            case = self._require(s, ref, lock=True)
            before = CaseView.of(case)
            current = Status(case.status)
            if not can_transition(current, Status.FORWARDED):
                raise InvalidTransition(case.ref, current, Status.FORWARDED)
            case.status, case.updated_at = Status.FORWARDED.value, max(case.updated_at, at)
            text = agency + (f": {note}" if note else "")
            s.add(new_event(case, at, actor, EventKind.FORWARDED, current, Status.FORWARDED, text))
            row = Delivery(
                case_id=case.id,
                agency=agency,
                payload=payload,
                created_at=at,
                attempts=0,
                next_attempt_at=at,
                last_error=None,
                delivered_at=None,
                agency_ref=None,
            )
            s.add(row)
            s.flush()
            return before, CaseView.of(case), DeliveryView.of(row, case.ref)

    def due_deliveries(
        self, *, now: datetime | None = None, lease: float = 120.0, limit: int = 20
    ) -> list[DeliveryView]:
        """Take undelivered outbox rows whose next attempt is due, oldest first.

        Each row taken is leased: its next attempt moves ``lease`` seconds ahead by a
        conditional update, so two workers never take the same row at once, and a worker
        that dies mid-delivery leaves the row to be retried after the lease.
        """
        at = as_utc(now or utcnow())
        due = (
            select(Delivery, Case.ref)
            .join(Case, Delivery.case_id == Case.id)
            .where(Delivery.delivered_at.is_(None), Delivery.next_attempt_at <= at)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
        with self.reading() as s:  # the common case, nothing due, takes no write lock
            if not s.execute(due.with_only_columns(Delivery.id)).first():
                return []
        taken: list[DeliveryView] = []
        with self.writing() as s:
            for row, ref in s.execute(due).all():
                won = s.execute(
                    update(Delivery)
                    .where(
                        Delivery.id == row.id,
                        Delivery.delivered_at.is_(None),
                        Delivery.next_attempt_at == row.next_attempt_at,
                    )
                    .values(next_attempt_at=at + timedelta(seconds=lease))
                    .execution_options(synchronize_session=False)
                ).rowcount
                if won == 1:
                    s.refresh(row)
                    taken.append(DeliveryView.of(row, ref))
        return taken

    def delivered(
        self, delivery_id: int, agency_ref: str | None, *, now: datetime | None = None
    ) -> DeliveryView:
        """Mark an outbox row delivered, keep the agency's reference, add a case event."""
        at = as_utc(now or utcnow())
        with self.writing() as s:
            row, case = self._delivery(s, delivery_id)
            if row.delivered_at is None:
                row.delivered_at, row.agency_ref, row.attempts = at, agency_ref, row.attempts + 1
                row.last_error = None
                note = row.agency + (f": {agency_ref}" if agency_ref else "")
                s.add(new_event(case, at, row.agency, EventKind.DELIVERED, None, None, note))
            s.flush()
            return DeliveryView.of(row, case.ref)

    def delivery_failed(self, delivery_id: int, error: str, retry_at: datetime) -> DeliveryView:
        """Count a failed attempt and set when to try again."""
        with self.writing() as s:
            row, case = self._delivery(s, delivery_id)
            if row.delivered_at is None:
                row.attempts += 1
                row.last_error = error[:2000]
                row.next_attempt_at = as_utc(retry_at)
            s.flush()
            return DeliveryView.of(row, case.ref)

    @staticmethod
    def _delivery(s: Session, delivery_id: int) -> tuple[Delivery, Case]:
        """The outbox row (locked for update) and its case; LookupError when there is none."""
        row = s.get(Delivery, delivery_id, with_for_update=True)
        if row is None:
            raise LookupError(f"no outbox row {delivery_id}")
        case = s.get(Case, row.case_id)
        assert case is not None
        return row, case

    def deliveries(self, ref: str | CaseRef) -> list[DeliveryView]:
        """The case's outbox rows, oldest first (CaseNotFound for unknown refs)."""
        with self.reading() as s:
            case = self._require(s, ref)
            q = select(Delivery).where(Delivery.case_id == case.id).order_by(Delivery.id)
            return [DeliveryView.of(r, case.ref) for r in s.scalars(q)]
