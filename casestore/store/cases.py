"""Cases themselves (table ``cases``): opening one, its lifecycle (assign, claim, status,
transfer, merge) and the lists the bridge and the bot read (open, waiting, held…).

Each change adds its audit event (``audit.py``) in the same transaction; a case's first
message is stored with it (``messages.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update

from .. import latest_open as hot
from ..errors import AlreadyAssigned, InvalidTransition
from ..events import AUTO_PREFIX, TRANSFER_ARROW, EventKind
from ..lifecycle import ASSIGNABLE_FROM, DONE, Status, can_transition
from ..models import Case, CaseEvent, CaseMessage
from ..numbering import next_seq
from ..pins import hash_pin, new_pin
from ..refs import CaseRef, as_utc, buddhist_year, format_ref, ref_prefix, utcnow
from ..views import CaseView, MessageView, OpenResult
from ..vocab import TOPICS, TYPES, URGENCIES
from .audit import move_event, new_event
from .base import StoreBase
from .messages import insert_message

SUMMARY_LEN = 200


def _replay_opened(msg: CaseMessage, case: Case) -> OpenResult:
    """`open_case` of a message stored before: the case as it is, no PIN."""
    return OpenResult(CaseView.of(case), MessageView.of(msg, case.ref), False, None)


class CasesMixin(StoreBase):
    """Opening cases, moving them along their lifecycle, and finding them."""

    # -- opening and changing -------------------------------------------------------------

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
        urgency: str | None = None,
    ) -> OpenResult:
        """Open a case with the citizen's first message; idempotent on (citizen, origin_id).

        Returns the tracking PIN in clear only when the case is created.
        """
        if type not in TYPES:
            raise ValueError(f"unknown case type: {type!r}")
        if topic not in TOPICS:
            raise ValueError(f"unknown topic: {topic!r}")
        urgency = urgency or ("emergency" if urgent else "normal")
        if urgency not in URGENCIES:
            raise ValueError(f"unknown urgency: {urgency!r}")
        urgent = urgency == "emergency"
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
            with self.writing() as s:
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
                    urgent=urgent,
                    urgent_reason=urgent_reason,
                    urgency=urgency,
                    summary=body[:SUMMARY_LEN],
                    assigned_to=None,
                    channel=channel,
                    pin_hash=pin_hash,
                    created_at=at,
                    updated_at=at,
                )
                s.add(case)
                s.flush()
                msg = insert_message(s, case, "citizen", citizen_jid, body, origin_id, at)
                s.add(new_event(case, at, citizen_jid, EventKind.OPENED, None, Status.NEW, channel))
                s.flush()
                return OpenResult(CaseView.of(case), MessageView.of(msg, case.ref), True, pin)

        return self._once(citizen_jid, origin_id, create, _replay_opened)

    def assign(
        self, ref: str | CaseRef, agent_jid: str, actor: str, *, now: datetime | None = None
    ) -> CaseView:
        """Give the case to an agent; a new or reopened case becomes ``assigned``.

        Re-assigning to the current assignee is a no-op; resolved/closed/merged cases refuse.
        """
        with self.writing() as s:
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
            s.add(move_event(case, at, actor, EventKind.ASSIGNED, status, target, agent_jid))
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
        with self.writing() as s:
            case = self._require(s, ref, lock=True)
            current = Status(case.status)
            if not can_transition(current, status):
                raise InvalidTransition(case.ref, current, str(status))
            target = Status(status)
            at = as_utc(now or utcnow())
            case.status, case.updated_at = target.value, max(case.updated_at, at)
            if target == Status.NEW:  # unassign
                case.assigned_to = None
            s.add(new_event(case, at, actor, EventKind.STATUS, current, target, note))
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
        with self.writing() as s:
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
                event = move_event(
                    case, at, agent_jid, EventKind.CLAIMED, status, target, agent_jid
                )
            else:
                note = f"{AUTO_PREFIX}{agent_jid}"
                event = move_event(case, at, by, EventKind.ASSIGNED, status, target, note)
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
        with self.writing() as s:
            case = self._require(s, ref, lock=True)
            before = CaseView.of(case)
            status = Status(case.status)
            if status in DONE:
                raise InvalidTransition(case.ref, status, EventKind.TRANSFERRED)
            if case.centre == centre:
                raise ValueError(f"{case.ref} already belongs to {centre}")
            target = Status.NEW if status == Status.ASSIGNED else status
            at = as_utc(now or utcnow())
            note = f"{case.centre}{TRANSFER_ARROW}{centre}" + (f": {reason}" if reason else "")
            case.centre, case.assigned_to, case.status = centre, None, target.value
            case.updated_at = max(case.updated_at, at)
            s.add(move_event(case, at, actor, EventKind.TRANSFERRED, status, target, note))
            s.flush()
            return before, CaseView.of(case)

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
        with self.writing() as s:
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
            s.add(new_event(dup, at, actor, EventKind.MERGED, current, Status.MERGED, keep.ref))
            s.add(new_event(keep, at, actor, EventKind.MERGED_IN, None, None, dup.ref))
            s.flush()
            return CaseView.of(dup), CaseView.of(keep)

    def merged_into(self, ref: str | CaseRef) -> str | None:
        """The reference of the case a merged case went into (None if it was not merged)."""
        with self.reading() as s:
            case = self._find(s, ref)
            if case is None or case.status != Status.MERGED.value:
                return None
            q = (
                select(CaseEvent.note)
                .where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.MERGED)
                .order_by(CaseEvent.id.desc())
                .limit(1)
            )
            return s.scalar(q)

    # -- reading --------------------------------------------------------------------------

    def get(self, ref: str | CaseRef) -> CaseView | None:
        """The case with this reference (any letter case), or None."""
        with self.reading() as s:
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

    def cases_for_citizen(self, citizen_jid: str) -> list[CaseView]:
        """All of a citizen's cases, newest first."""
        q = select(Case).where(Case.citizen_jid == citizen_jid)
        with self.reading() as s:
            cases = s.scalars(q.order_by(Case.created_at.desc(), Case.id.desc()))
            return [CaseView.of(c) for c in cases]

    def count(self) -> int:
        """Number of cases."""
        with self.reading() as s:
            return s.scalar(select(func.count()).select_from(Case)) or 0

    def unclaimed_urgent(self) -> list[CaseView]:
        """Urgent cases nobody has taken yet: new or reopened, no holder, never transferred
        (a transfer announces the case in its new room itself). Oldest first."""
        transferred = select(CaseEvent.case_id).where(CaseEvent.kind == EventKind.TRANSFERRED)
        q = select(Case).where(
            Case.urgent.is_(True),
            Case.assigned_to.is_(None),
            Case.status.in_([Status.NEW.value, Status.REOPENED.value]),
            Case.id.not_in(transferred),
        )
        with self.reading() as s:
            return [CaseView.of(c) for c in s.scalars(q.order_by(Case.created_at, Case.id))]

    def unannounced(
        self, kind: EventKind | str = EventKind.ANNOUNCED, limit: int = 100
    ) -> list[CaseView]:
        """Open cases opened outside the XMPP chat (e.g. Open311) without a `kind` event yet,
        oldest first: for the bridge to announce in their centre's room."""
        done = select(CaseEvent.case_id).where(CaseEvent.kind == kind)
        q = select(Case).where(
            Case.channel != "xmpp",
            Case.status.not_in([s.value for s in DONE]),
            Case.id.not_in(done),
        )
        with self.reading() as s:
            return [CaseView.of(c) for c in s.scalars(q.order_by(Case.id).limit(limit))]

    def release_all(
        self, agent_jid: str, actor: str, note: str, *, now: datetime | None = None
    ) -> list[CaseView]:
        """Take every open case from `agent_jid` (e.g. their account was disabled).

        Each case is left unassigned: an ``assigned`` case goes back to ``new`` (a status
        event), a case further along keeps its status (the lifecycle allows no way back) and
        gets a ``released`` event; `note` says why. Returns the cases as they are now.
        """
        at = as_utc(now or utcnow())
        released: list[CaseView] = []
        with self.writing() as s:
            q = select(Case).where(
                Case.assigned_to == agent_jid, Case.status.not_in([d.value for d in DONE])
            )
            for case in s.scalars(q.order_by(Case.id).with_for_update()):
                status = Status(case.status)
                case.assigned_to = None
                case.updated_at = max(case.updated_at, at)
                if can_transition(status, Status.NEW):
                    case.status = Status.NEW.value
                    s.add(new_event(case, at, actor, EventKind.STATUS, status, Status.NEW, note))
                else:
                    s.add(new_event(case, at, actor, EventKind.RELEASED, None, None, note))
                s.flush()
                released.append(CaseView.of(case))
        return released

    def held_by(self, agent_jid: str) -> list[CaseView]:
        """The open cases `agent_jid` holds, oldest first."""
        q = select(Case).where(
            Case.assigned_to == agent_jid, Case.status.not_in([s.value for s in DONE])
        )
        with self.reading() as s:
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
        with self.reading() as s:
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
        with self.reading() as s:
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
        with self.reading() as s:
            return [CaseView.of(c) for c in s.scalars(q.order_by(Case.created_at, Case.id))]
