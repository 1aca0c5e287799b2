"""CaseStore: the only code that writes the case database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from . import latest_open as hot
from .engine import WRITE, make_engine
from .errors import AlreadyAssigned, CaseNotFound, InvalidTransition
from .latest_open import TRANSFER_ARROW, TRANSFERRED
from .lifecycle import ASSIGNABLE_FROM, DONE, Status, can_transition
from .migrate import upgrade
from .models import Case, CaseEvent, CaseMessage, Delivery
from .numbering import next_seq
from .pins import PinPool, hash_pin, new_pin, verify_pin
from .refs import CaseRef, as_utc, buddhist_year, format_ref, parse_ref, ref_prefix, utcnow
from .views import CaseView, DeliveryView, EventView, MessageView, OpenResult
from .vocab import DIRECTIONS, TOPICS, TYPES

SUMMARY_LEN = 200
T = TypeVar("T")

# EventView.kind values (agent commands record their own name as the kind, e.g. "history")
OPENED, ASSIGNED, STATUS = "opened", "assigned", "status"
CLAIMED, NOTE = "claimed", "note"
FORWARDED, DELIVERED = "forwarded", "delivered"  # note: the agency (and its reference)
MERGED, MERGED_IN = "merged", "merged_in"  # note: the other case's reference
PIN_REISSUED = "pin_reissued"
AUTO_PREFIX = "auto:"  # note of an ``assigned`` event made by the router: "auto:<agent>"


class CaseStore:
    """Cases, their messages and events, in SQLite or PostgreSQL.

    Every method opens and closes its own transaction and returns frozen views; the store
    is safe to share between threads, and several stores (processes) may share a database.
    """

    def __init__(
        self, url: str | URL, pin_pool: bool = False, pin_key: bytes | str | None = None
    ) -> None:
        """`pin_key`: the deployment's PIN key (`casestore.pins`; new PINs are hashed with
        it in microseconds, and checks need it). Without one, PINs are hashed with scrypt,
        and `pin_pool` hashes them ahead of time in a background thread."""
        self.engine = make_engine(url)
        key = pin_key.encode() if isinstance(pin_key, str) else pin_key
        self._pin_key = key or None
        self._pins = PinPool() if pin_pool and not self._pin_key else None
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._core_writer = self.engine.execution_options(**{WRITE: True})
        self._writer = sessionmaker(self._core_writer, expire_on_commit=False)

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        """Bring the schema to the latest migration (safe to call on every start)."""
        upgrade(self.engine)

    # -- sessions and lookups -------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._reader() as s, s.begin():
            yield s

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._writer() as s, s.begin():
            yield s

    @staticmethod
    def _find(s: Session, ref: str | CaseRef, lock: bool = False) -> Case | None:
        parsed = ref if isinstance(ref, CaseRef) else parse_ref(ref)
        if parsed is None:
            return None
        q = select(Case).where(Case.ref == str(parsed))
        return s.scalars(q.with_for_update() if lock else q).one_or_none()

    def _require(self, s: Session, ref: str | CaseRef, lock: bool = False) -> Case:
        case = self._find(s, ref, lock)
        if case is None:
            raise CaseNotFound(ref)
        return case

    @staticmethod
    def _by_origin(s: Session, sender: str, origin_id: str) -> tuple[CaseMessage, Case] | None:
        row = s.execute(
            select(CaseMessage, Case)
            .join(Case, CaseMessage.case_id == Case.id)
            .where(CaseMessage.sender == sender, CaseMessage.origin_id == origin_id)
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def _seen(self, sender: str, origin_id: str | None) -> tuple[CaseMessage, Case] | None:
        if origin_id is None:
            return None
        with self._read() as s:
            return self._by_origin(s, sender, origin_id)

    # -- writing --------------------------------------------------------------------------

    def open_case(
        self,
        *,
        centre: str,
        province: str | None,
        district: str | None = None,
        citizen_jid: str,
        body: str,
        type: str = "complaint",
        topic: str = "other",
        urgent: bool = False,
        urgent_reason: str | None = None,
        origin_id: str | None = None,
        channel: str = "xmpp",
        now: datetime | None = None,
    ) -> OpenResult:
        """Open a case with the citizen's first message; idempotent on (citizen, origin_id).

        Returns the tracking PIN in clear only when the case is created.
        """
        if type not in TYPES:
            raise ValueError(f"unknown case type: {type!r}")
        if topic not in TOPICS:
            raise ValueError(f"unknown topic: {topic!r}")
        if not centre or not citizen_jid or not channel:
            raise ValueError("centre, citizen_jid and channel are required")
        prefix = ref_prefix(province)
        province = None if province is None else f"TH-{prefix[2:]}"
        at = as_utc(now or utcnow())

        def create() -> OpenResult:
            if self._pins is not None:
                pin, pin_hash = self._pins.take()  # hashed ahead of time (slow on purpose)
            else:
                pin = new_pin()
                pin_hash = hash_pin(pin, self._pin_key)  # before taking the write lock
            with self._write() as s:
                year = buddhist_year(at)
                case = Case(
                    ref=format_ref(province, year, next_seq(s, prefix, year)),
                    centre=centre,
                    province=province,
                    district=district,
                    citizen_jid=citizen_jid,
                    status=Status.NEW.value,
                    type=type,
                    topic=topic,
                    urgent=bool(urgent),
                    urgent_reason=urgent_reason,
                    summary=body[:SUMMARY_LEN],
                    assigned_to=None,
                    channel=channel,
                    pin_hash=pin_hash,
                    created_at=at,
                    updated_at=at,
                )
                s.add(case)
                s.flush()
                msg = self._insert_message(s, case, "citizen", citizen_jid, body, origin_id, at)
                s.add(self._event(case, at, citizen_jid, OPENED, None, Status.NEW, channel))
                s.flush()
                return OpenResult(CaseView.of(case), MessageView.of(msg, case.ref), True, pin)

        return self._once(citizen_jid, origin_id, create, self._replay)

    @staticmethod
    def _replay(msg: CaseMessage, case: Case) -> OpenResult:
        return OpenResult(CaseView.of(case), MessageView.of(msg, case.ref), False, None)

    def _once(
        self,
        sender: str,
        origin_id: str | None,
        write: Callable[[], T],
        replay: Callable[[CaseMessage, Case], T],
        precheck: bool = True,
    ) -> T:
        """``write()`` unless (sender, origin_id) is already stored: then ``replay`` it.

        A write that loses a race with the same message (IntegrityError on the unique
        (sender, origin_id)) replays the winner's message instead. ``precheck=False``: the
        write looks for the message itself, inside its transaction (one round trip less).
        """
        if precheck and (seen := self._seen(sender, origin_id)):
            return replay(*seen)
        try:
            return write()
        except IntegrityError:
            if seen := self._seen(sender, origin_id):  # lost a race with a duplicate
                return replay(*seen)
            raise

    @staticmethod
    def _insert_message(
        s: Session,
        case: Case,
        direction: str,
        sender: str,
        body: str,
        origin_id: str | None,
        at: datetime,
    ) -> CaseMessage:
        msg = CaseMessage(
            case_id=case.id,
            direction=direction,
            sender=sender,
            body=body,
            origin_id=origin_id,
            created_at=at,
        )
        s.add(msg)
        return msg

    def _append(
        self,
        ref: str | CaseRef,
        direction: str,
        sender: str,
        body: str,
        origin_id: str | None,
        at: datetime,
        event: str | None = None,
    ) -> tuple[MessageView, bool]:
        """Add a message to an existing case (and, with ``event``, an event noting its body)."""

        def write() -> tuple[MessageView, bool]:
            with self._write() as s:
                if origin_id is not None and (seen := self._by_origin(s, sender, origin_id)):
                    return self._replay_message(*seen)
                case = self._require(s, ref, lock=True)
                msg = self._insert_message(s, case, direction, sender, body, origin_id, at)
                case.updated_at = max(case.updated_at, at)
                if event is not None:
                    s.add(self._event(case, at, sender, event, None, None, body))
                s.flush()
                return MessageView.of(msg, case.ref), True

        return self._once(sender, origin_id, write, self._replay_message, precheck=False)

    @staticmethod
    def _replay_message(msg: CaseMessage, case: Case) -> tuple[MessageView, bool]:
        return MessageView.of(msg, case.ref), False

    def add_message(
        self,
        ref: str | CaseRef,
        direction: str,
        sender: str,
        body: str,
        origin_id: str | None = None,
        now: datetime | None = None,
    ) -> tuple[MessageView, bool]:
        """Append a message; returns (message, added). Idempotent on (sender, origin_id)."""
        if direction not in DIRECTIONS:
            raise ValueError(f"unknown direction: {direction!r}")
        at = as_utc(now or utcnow())
        return self._append(ref, direction, sender, body, origin_id, at)

    def assign(
        self, ref: str | CaseRef, agent_jid: str, actor: str, *, now: datetime | None = None
    ) -> CaseView:
        """Give the case to an agent; a new or reopened case becomes ``assigned``.

        Re-assigning to the current assignee is a no-op; resolved/closed/merged cases refuse.
        """
        with self._write() as s:
            case = self._require(s, ref, lock=True)
            status = Status(case.status)
            if status in DONE:
                raise InvalidTransition(case.ref, status, Status.ASSIGNED)
            target = Status.ASSIGNED if status in ASSIGNABLE_FROM else status
            if case.assigned_to == agent_jid and target == status:
                return CaseView.of(case)
            at = as_utc(now or utcnow())
            case.assigned_to, case.status = agent_jid, target.value
            case.updated_at = max(case.updated_at, at)
            s.add(self._move_event(case, at, actor, ASSIGNED, status, target, agent_jid))
            s.flush()
            return CaseView.of(case)

    def set_status(
        self,
        ref: str | CaseRef,
        status: Status | str,
        actor: str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> CaseView:
        """Move the case along its lifecycle (InvalidTransition if not allowed)."""
        with self._write() as s:
            case = self._require(s, ref, lock=True)
            current = Status(case.status)
            if not can_transition(current, status):
                raise InvalidTransition(case.ref, current, str(status))
            target = Status(status)
            at = as_utc(now or utcnow())
            case.status, case.updated_at = target.value, max(case.updated_at, at)
            if target == Status.NEW:  # unassign
                case.assigned_to = None
            s.add(self._event(case, at, actor, STATUS, current, target, note))
            s.flush()
            return CaseView.of(case)

    def claim(
        self,
        ref: str | CaseRef,
        agent_jid: str,
        *,
        now: datetime | None = None,
        by: str | None = None,
    ) -> CaseView:
        """Take a case nobody holds; of agents claiming at once exactly one wins.

        The claim is a conditional update (``WHERE assigned_to IS NULL``) inside the write
        transaction, so it holds across processes on SQLite and PostgreSQL. Raises
        :class:`AlreadyAssigned` (with the holder, who may be ``agent_jid`` itself) when the
        case is taken, :class:`InvalidTransition` when it is resolved, closed or merged. A new
        or reopened case becomes ``assigned``; other open statuses are kept.

        With `by` (the router), the case is given to `agent_jid` on the same terms and the
        audit event is ``assigned`` by `by` with note ``auto:<agent>``.
        """
        at = as_utc(now or utcnow())
        with self._write() as s:
            case = self._require(s, ref)
            status = Status(case.status)
            if status in DONE:
                raise InvalidTransition(case.ref, status, Status.ASSIGNED)
            if case.assigned_to is not None:
                raise AlreadyAssigned(case.ref, case.assigned_to)
            target = Status.ASSIGNED if status in ASSIGNABLE_FROM else status
            won = s.execute(
                update(Case)
                .where(
                    Case.id == case.id,
                    Case.assigned_to.is_(None),
                    Case.status == status.value,
                )
                .values(
                    assigned_to=agent_jid,
                    status=target.value,
                    updated_at=max(case.updated_at, at),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            s.refresh(case)
            if won != 1:
                if case.assigned_to is None:  # the status moved under us: not a claim race
                    raise InvalidTransition(case.ref, Status(case.status), Status.ASSIGNED)
                raise AlreadyAssigned(case.ref, case.assigned_to)
            if by is None:
                event = self._move_event(case, at, agent_jid, CLAIMED, status, target, agent_jid)
            else:
                note = f"{AUTO_PREFIX}{agent_jid}"
                event = self._move_event(case, at, by, ASSIGNED, status, target, note)
            s.add(event)
            s.flush()
            return CaseView.of(case)

    def transfer(
        self,
        ref: str | CaseRef,
        centre: str,
        actor: str,
        reason: str | None = None,
        *,
        now: datetime | None = None,
    ) -> tuple[CaseView, CaseView]:
        """Move an open case to another centre; the reference, transcript and events stay.

        Returns (before, after). The holder (an agent of the old centre) is released, and an
        ``assigned`` case goes back to ``new`` so the new centre's agents can claim it; other
        open statuses are kept. One ``transferred`` event records ``old → new`` (and the
        reason). Raises :class:`InvalidTransition` for a resolved, closed or merged case and
        ``ValueError`` when the case already belongs to ``centre``.
        """
        if not centre:
            raise ValueError("centre is required")
        with self._write() as s:
            case = self._require(s, ref, lock=True)
            before = CaseView.of(case)
            status = Status(case.status)
            if status in DONE:
                raise InvalidTransition(case.ref, status, TRANSFERRED)
            if case.centre == centre:
                raise ValueError(f"{case.ref} already belongs to {centre}")
            target = Status.NEW if status == Status.ASSIGNED else status
            at = as_utc(now or utcnow())
            note = f"{case.centre}{TRANSFER_ARROW}{centre}" + (f": {reason}" if reason else "")
            case.centre, case.assigned_to, case.status = centre, None, target.value
            case.updated_at = max(case.updated_at, at)
            s.add(self._move_event(case, at, actor, TRANSFERRED, status, target, note))
            s.flush()
            return before, CaseView.of(case)

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
        with self._write() as s:
            case = self._require(s, ref, lock=True)
            before = CaseView.of(case)
            current = Status(case.status)
            if not can_transition(current, Status.FORWARDED):
                raise InvalidTransition(case.ref, current, Status.FORWARDED)
            case.status, case.updated_at = Status.FORWARDED.value, max(case.updated_at, at)
            text = agency + (f": {note}" if note else "")
            s.add(self._event(case, at, actor, FORWARDED, current, Status.FORWARDED, text))
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
        with self._read() as s:  # the common case, nothing due, takes no write lock
            if not s.execute(due.with_only_columns(Delivery.id)).first():
                return []
        taken: list[DeliveryView] = []
        with self._write() as s:
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
        with self._write() as s:
            row, case = self._delivery(s, delivery_id)
            if row.delivered_at is None:
                row.delivered_at, row.agency_ref, row.attempts = at, agency_ref, row.attempts + 1
                row.last_error = None
                note = row.agency + (f": {agency_ref}" if agency_ref else "")
                s.add(self._event(case, at, row.agency, DELIVERED, None, None, note))
            s.flush()
            return DeliveryView.of(row, case.ref)

    def delivery_failed(self, delivery_id: int, error: str, retry_at: datetime) -> DeliveryView:
        """Count a failed attempt and set when to try again."""
        with self._write() as s:
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
        with self._read() as s:
            case = self._require(s, ref)
            q = select(Delivery).where(Delivery.case_id == case.id).order_by(Delivery.id)
            return [DeliveryView.of(r, case.ref) for r in s.scalars(q)]

    def merge(
        self, ref: str | CaseRef, into: str | CaseRef, actor: str, *, now: datetime | None = None
    ) -> tuple[CaseView, CaseView]:
        """Close ``ref`` as a duplicate of ``into`` (same citizen, same centre, still open).

        One transaction: ``ref`` becomes ``merged`` (event ``merged``, note: ``into``) and
        ``into`` gets a ``merged_in`` event (note: ``ref``); transcripts stay where they are.
        Returns (the duplicate after, the case kept). CaseNotFound for an unknown reference,
        ValueError when the two cases may not be merged, InvalidTransition when the
        duplicate's status cannot become ``merged``.
        """
        at = as_utc(now or utcnow())
        with self._write() as s:
            dup = self._require(s, ref, lock=True)
            keep = self._require(s, into, lock=True)
            if dup.id == keep.id:
                raise ValueError(f"{dup.ref} cannot be merged into itself")
            if dup.citizen_jid != keep.citizen_jid or dup.centre != keep.centre:
                raise ValueError(f"{dup.ref} and {keep.ref} are not of one citizen and centre")
            if Status(keep.status) in DONE:
                raise ValueError(f"{keep.ref} is {keep.status}")
            current = Status(dup.status)
            if not can_transition(current, Status.MERGED):
                raise InvalidTransition(dup.ref, current, Status.MERGED)
            dup.status, dup.updated_at = Status.MERGED.value, max(dup.updated_at, at)
            keep.updated_at = max(keep.updated_at, at)
            s.add(self._event(dup, at, actor, MERGED, current, Status.MERGED, keep.ref))
            s.add(self._event(keep, at, actor, MERGED_IN, None, None, dup.ref))
            s.flush()
            return CaseView.of(dup), CaseView.of(keep)

    def merged_into(self, ref: str | CaseRef) -> str | None:
        """The reference of the case a merged case went into (None if it was not merged)."""
        with self._read() as s:
            case = self._find(s, ref)
            if case is None or case.status != Status.MERGED.value:
                return None
            q = (
                select(CaseEvent.note)
                .where(CaseEvent.case_id == case.id, CaseEvent.kind == MERGED)
                .order_by(CaseEvent.id.desc())
                .limit(1)
            )
            return s.scalar(q)

    def add_note(
        self,
        ref: str | CaseRef,
        agent_jid: str,
        text: str,
        origin_id: str | None = None,
        *,
        now: datetime | None = None,
    ) -> tuple[MessageView, bool]:
        """An internal note (direction ``note``, never for the citizen) and its audit event.

        Idempotent on (agent, origin_id) like :meth:`add_message`.
        """
        at = as_utc(now or utcnow())
        return self._append(ref, "note", agent_jid, text, origin_id, at, event=NOTE)

    def record(
        self,
        ref: str | CaseRef,
        actor: str,
        kind: str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> EventView:
        """Append an audit event that changes nothing else (e.g. an agent read the history)."""
        if not kind or len(kind) > 32:
            raise ValueError(f"bad event kind: {kind!r}")
        at = as_utc(now or utcnow())
        with self._write() as s:
            case = self._require(s, ref)
            ev = self._event(case, at, actor, kind, None, None, note)
            s.add(ev)
            s.flush()
            return EventView.of(ev, case.ref)

    @staticmethod
    def _event(
        case: Case,
        at: datetime,
        actor: str,
        kind: str,
        from_status: Status | None,
        to_status: Status | None,
        note: str | None,
    ) -> CaseEvent:
        return CaseEvent(
            case_id=case.id,
            at=at,
            actor=actor,
            kind=kind,
            note=note,
            from_status=None if from_status is None else from_status.value,
            to_status=None if to_status is None else to_status.value,
        )

    @classmethod
    def _move_event(
        cls,
        case: Case,
        at: datetime,
        actor: str,
        kind: str,
        status: Status,
        target: Status,
        note: str | None,
    ) -> CaseEvent:
        """An event whose from/to status are set only when ``target`` differs from ``status``."""
        changed = target != status
        return cls._event(
            case, at, actor, kind, status if changed else None, target if changed else None, note
        )

    # -- reading --------------------------------------------------------------------------

    def get(self, ref: str | CaseRef) -> CaseView | None:
        """The case with this reference (any letter case), or None."""
        with self._read() as s:
            case = self._find(s, ref)
            return None if case is None else CaseView.of(case)

    def latest_open_case(self, citizen_jid: str, centre: str | None = None) -> CaseView | None:
        """The citizen's newest case that is not resolved, closed or merged.

        With ``centre``: of that centre, or transferred away from it (a citizen who keeps
        writing to the old centre's address reaches the case at its new centre).
        """
        with self.engine.connect() as conn:
            row = conn.execute(*hot.latest_open(citizen_jid, centre)).first()
            return None if row is None else CaseView.of(row)  # type: ignore[arg-type]

    def add_to_open_case(
        self,
        citizen_jid: str,
        centre: str | None,
        body: str,
        origin_id: str | None = None,
        now: datetime | None = None,
    ) -> tuple[CaseView, MessageView, bool] | None:
        """A citizen's message onto their `latest_open_case` in one transaction (the bot's
        commonest write): (case, message, added), or None when they have no open case.
        Idempotent on (citizen, origin_id): a message stored before comes back with
        added=False (the unique (sender, origin_id) refuses it: no lookup before)."""
        at = as_utc(now or utcnow())

        def write() -> tuple[CaseView, MessageView, bool] | None:
            # Core only, statements built once (`latest_open`): the ORM's statement building,
            # session and unit of work cost more than the SQL itself on this path.
            with self._core_writer.begin() as conn:
                case = conn.execute(*hot.latest_open(citizen_jid, centre, lock=True)).first()
                if case is None:
                    return None
                row = {"case_id": case.id, "direction": "citizen", "sender": citizen_jid,
                       "body": body, "origin_id": origin_id, "created_at": at}  # fmt: skip
                msg_id = conn.execute(hot.insert_message(), row).inserted_primary_key[0]
                updated = max(case.updated_at, at)
                if updated != case.updated_at:
                    conn.execute(hot.touch_case(), {"cid": case.id, "at": updated})
                message = MessageView(id=msg_id, ref=case.ref, direction="citizen",
                                      sender=citizen_jid, body=body, origin_id=origin_id,
                                      created_at=at)  # fmt: skip
                view = CaseView.of(case)  # type: ignore[arg-type]
                return replace(view, updated_at=updated), message, True

        def replay(msg: CaseMessage, case: Case) -> tuple[CaseView, MessageView, bool]:
            return CaseView.of(case), MessageView.of(msg, case.ref), False

        return self._once(citizen_jid, origin_id, write, replay, precheck=False)

    def cases_for_citizen(self, citizen_jid: str) -> list[CaseView]:
        """All of a citizen's cases, newest first."""
        q = select(Case).where(Case.citizen_jid == citizen_jid)
        with self._read() as s:
            cases = s.scalars(q.order_by(Case.created_at.desc(), Case.id.desc()))
            return [CaseView.of(c) for c in cases]

    def transcript(self, ref: str | CaseRef) -> list[MessageView]:
        """The case's messages, oldest first (CaseNotFound for unknown refs)."""
        with self._read() as s:
            case = self._require(s, ref)
            q = select(CaseMessage).where(CaseMessage.case_id == case.id)
            rows = s.scalars(q.order_by(CaseMessage.created_at, CaseMessage.id))
            return [MessageView.of(m, case.ref) for m in rows]

    def events(self, ref: str | CaseRef) -> list[EventView]:
        """The case's audit events in the order they happened (CaseNotFound for unknown refs)."""
        with self._read() as s:
            case = self._require(s, ref)
            q = select(CaseEvent).where(CaseEvent.case_id == case.id)
            rows = s.scalars(q.order_by(CaseEvent.id))
            return [EventView.of(e, case.ref) for e in rows]

    def check_pin(self, ref: str | CaseRef, pin: str) -> bool:
        """Whether ``pin`` is the case's tracking PIN; constant-time, False for unknown refs."""
        with self._read() as s:
            case = self._find(s, ref)
            stored = None if case is None else case.pin_hash
        return verify_pin(pin, stored, self._pin_key)

    def count(self) -> int:
        """Number of cases."""
        with self._read() as s:
            return s.scalar(select(func.count()).select_from(Case)) or 0

    def __repr__(self) -> str:
        return f"CaseStore({self.engine.url.render_as_string(hide_password=True)!r})"

    # -- citizens' ratings (added for the citizen side of case handling) --------------------

    def rate(
        self, ref: str | CaseRef, score: int, citizen_jid: str, *, now: datetime | None = None
    ) -> int:
        """Keep the citizen's rating (1–5) of a case; a later answer replaces an earlier one.

        Records a ``rated`` event (note: the score). ValueError for a score outside 1–5,
        CaseNotFound for an unknown reference.
        """
        from .models import CaseRating

        if not 1 <= score <= 5:
            raise ValueError(f"a rating is 1–5, not {score}")
        at = as_utc(now or utcnow())
        with self._write() as s:
            case = self._require(s, ref, lock=True)
            row = s.scalars(select(CaseRating).where(CaseRating.case_id == case.id)).first()
            if row is None:
                row = CaseRating(case_id=case.id, score=score, citizen_jid=citizen_jid)
                row.rated_at = at
                s.add(row)
            else:
                row.score, row.citizen_jid, row.rated_at = score, citizen_jid, at
            s.add(self._event(case, at, citizen_jid, "rated", None, None, str(score)))
            s.flush()
            return score

    def rating(self, ref: str | CaseRef) -> int | None:
        """The citizen's rating of the case (1–5), or None when not rated."""
        from .models import CaseRating

        with self._read() as s:
            case = self._find(s, ref)
            if case is None:
                return None
            q = select(CaseRating.score).where(CaseRating.case_id == case.id)
            return s.scalars(q).first()

    def unclaimed_urgent(self) -> list[CaseView]:
        """Urgent cases nobody has taken yet: new or reopened, no holder, never transferred
        (a transfer announces the case in its new room itself). Oldest first."""
        transferred = select(CaseEvent.case_id).where(CaseEvent.kind == TRANSFERRED)
        q = select(Case).where(
            Case.urgent.is_(True),
            Case.assigned_to.is_(None),
            Case.status.in_([Status.NEW.value, Status.REOPENED.value]),
            Case.id.not_in(transferred),
        )
        with self._read() as s:
            return [CaseView.of(c) for c in s.scalars(q.order_by(Case.created_at, Case.id))]

    def message_by_origin(
        self, sender: str, origin_id: str | None
    ) -> tuple[MessageView, CaseView] | None:
        """The stored message `sender` sent with this id (a redelivery), and its case."""
        found = self._seen(sender, origin_id)
        if found is None:
            return None
        msg, case = found
        return MessageView.of(msg, case.ref), CaseView.of(case)

    def reissue_pin(self, ref: str | CaseRef, actor: str) -> str:
        """A new tracking PIN for the case (the old one stops working); audit event
        ``pin_reissued``. For a case whose first reply may never have reached the citizen."""
        pin = new_pin()
        digest = hash_pin(pin, self._pin_key)  # before taking the write lock
        with self._write() as s:
            case = self._require(s, ref, lock=True)
            case.pin_hash = digest
            s.add(self._event(case, utcnow(), actor, PIN_REISSUED, None, None, None))
        return pin

    def first_message(self, ref: str | CaseRef) -> MessageView | None:
        """The message that opened the case."""
        with self._read() as s:
            case = self._require(s, ref)
            q = select(CaseMessage).where(CaseMessage.case_id == case.id)
            row = s.scalars(q.order_by(CaseMessage.id).limit(1)).first()
            return None if row is None else MessageView.of(row, case.ref)

    def unannounced(self, kind: str = "announced", limit: int = 100) -> list[CaseView]:
        """Open cases opened outside the XMPP chat (e.g. Open311) without a `kind` event yet,
        oldest first: for the bridge to announce in their centre's room."""
        done = select(CaseEvent.case_id).where(CaseEvent.kind == kind)
        q = select(Case).where(
            Case.channel != "xmpp",
            Case.status.not_in([s.value for s in DONE]),
            Case.id.not_in(done),
        )
        with self._read() as s:
            return [CaseView.of(c) for c in s.scalars(q.order_by(Case.id).limit(limit))]

    def held_by(self, agent_jid: str) -> list[CaseView]:
        """The open cases `agent_jid` holds, oldest first."""
        q = select(Case).where(
            Case.assigned_to == agent_jid, Case.status.not_in([s.value for s in DONE])
        )
        with self._read() as s:
            return [CaseView.of(c) for c in s.scalars(q.order_by(Case.created_at, Case.id))]

    def open_load(self, agents: Iterable[str]) -> dict[str, int]:
        """How many open cases each of `agents` holds (0 for none)."""
        wanted = sorted(set(agents))
        load = dict.fromkeys(wanted, 0)
        if not wanted:
            return load
        q = (
            select(Case.assigned_to, func.count())
            .where(Case.assigned_to.in_(wanted), Case.status.not_in([s.value for s in DONE]))
            .group_by(Case.assigned_to)
        )
        with self._read() as s:
            for jid, n in s.execute(q):
                load[jid] = n
        return load

    def waiting(self, centre: str, limit: int = 50) -> list[CaseView]:
        """Open cases of `centre` nobody holds (new or reopened): urgent first, then oldest."""
        q = select(Case).where(
            Case.centre == centre,
            Case.assigned_to.is_(None),
            Case.status.in_([Status.NEW.value, Status.REOPENED.value]),
        )
        q = q.order_by(Case.urgent.desc(), Case.created_at, Case.id).limit(limit)
        with self._read() as s:
            return [CaseView.of(c) for c in s.scalars(q)]

    def open_cases(
        self, opened_before: datetime | None = None, centre: str | None = None
    ) -> list[CaseView]:
        """Cases not resolved, closed or merged (opened before `opened_before`, of `centre`),
        oldest first."""
        q = select(Case).where(Case.status.not_in([s.value for s in DONE]))
        if opened_before is not None:
            q = q.where(Case.created_at < as_utc(opened_before))
        if centre is not None:
            q = q.where(Case.centre == centre)
        with self._read() as s:
            return [CaseView.of(c) for c in s.scalars(q.order_by(Case.created_at, Case.id))]
