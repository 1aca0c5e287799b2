"""A case's messages: the citizen's, the agents', the system's and internal notes
(table ``case_messages``). Each is stored once per (sender, origin_id): a redelivered
message comes back as it was stored, with ``added=False``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import latest_open as hot
from ..events import EventKind
from ..models import Case, CaseMessage
from ..refs import CaseRef, as_utc, utcnow
from ..views import CaseView, MessageView
from ..vocab import DIRECTIONS
from .audit import new_event
from .base import StoreBase


def insert_message(
    s: Session,
    case: Case,
    direction: str,
    sender: str,
    body: str,
    origin_id: str | None,
    at: datetime,
) -> CaseMessage:
    """Add a `case_messages` row for `case` to the session `s`."""
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


def _replay_message(msg: CaseMessage, case: Case) -> tuple[MessageView, bool]:
    return MessageView.of(msg, case.ref), False


class MessagesMixin(StoreBase):
    """Adding messages to cases and reading them back."""

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
        return self._append(ref, "note", agent_jid, text, origin_id, at, event=EventKind.NOTE)

    def _append(
        self,
        ref: str | CaseRef,
        direction: str,
        sender: str,
        body: str,
        origin_id: str | None,
        at: datetime,
        event: EventKind | None = None,
    ) -> tuple[MessageView, bool]:
        """Add a message to an existing case (and, with ``event``, an event noting its body)."""

        def write() -> tuple[MessageView, bool]:
            with self.writing() as s:
                if origin_id is not None and (seen := self._by_origin(s, sender, origin_id)):
                    return _replay_message(*seen)
                case = self._require(s, ref, lock=True)
                msg = insert_message(s, case, direction, sender, body, origin_id, at)
                case.updated_at = max(case.updated_at, at)
                if event is not None:
                    s.add(new_event(case, at, sender, event, None, None, body))
                s.flush()
                return MessageView.of(msg, case.ref), True

        return self._once(sender, origin_id, write, _replay_message, precheck=False)

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

    def transcript(self, ref: str | CaseRef) -> list[MessageView]:
        """The case's messages, oldest first (CaseNotFound for unknown refs)."""
        with self.reading() as s:
            case = self._require(s, ref)
            q = select(CaseMessage).where(CaseMessage.case_id == case.id)
            rows = s.scalars(q.order_by(CaseMessage.created_at, CaseMessage.id))
            return [MessageView.of(m, case.ref) for m in rows]

    def first_message(self, ref: str | CaseRef) -> MessageView | None:
        """The message that opened the case."""
        with self.reading() as s:
            case = self._require(s, ref)
            q = select(CaseMessage).where(CaseMessage.case_id == case.id)
            row = s.scalars(q.order_by(CaseMessage.id).limit(1)).first()
            return None if row is None else MessageView.of(row, case.ref)

    def message_by_origin(
        self, sender: str, origin_id: str | None
    ) -> tuple[MessageView, CaseView] | None:
        """The stored message `sender` sent with this id (a redelivery), and its case."""
        found = self._seen(sender, origin_id)
        if found is None:
            return None
        msg, case = found
        return MessageView.of(msg, case.ref), CaseView.of(case)
