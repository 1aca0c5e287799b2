"""One case as a self-contained JSON document, and back: how a case moves between servers.

A federated transfer (`bridge.federation`) exports the case on one server and imports it on
another. The reference, the transcript and the audit log travel unchanged; the receiving
server adds one ``transferred`` event naming where the case came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import CaseNotFound, CaseStoreError
from .events import TRANSFER_ARROW, EventKind
from .lifecycle import Status
from .models import Case, CaseCounter, CaseEvent, CaseMessage
from .refs import as_utc, parse_ref, utcnow
from .store import CaseStore
from .views import CaseView
from .vocab import URGENCIES

FORMAT = "damrongdham-case/1"
CASE_FIELDS = (
    "ref", "centre", "province", "district", "citizen_jid", "status", "type", "topic", "urgent",
    "urgent_reason", "summary", "assigned_to", "channel", "pin_hash", "created_at", "updated_at",
    "urgency",
)  # fmt: skip
MESSAGE_FIELDS = ("direction", "sender", "body", "origin_id", "created_at")
EVENT_FIELDS = ("at", "actor", "kind", "from_status", "to_status", "note")
TIMES = {"created_at", "updated_at", "at"}
DONE = {Status.RESOLVED.value, Status.CLOSED.value, Status.MERGED.value}


class ImportConflict(CaseStoreError):
    """The reference already names a different case on this server."""


def _row(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = as_utc(value).isoformat() if isinstance(value, datetime) else value
    return out


def _parsed(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    out = {name: row.get(name) for name in fields}
    for name in TIMES & set(fields):
        out[name] = as_utc(datetime.fromisoformat(row[name]))
    return out


def export_case(store: CaseStore, ref: str, origin: str) -> dict[str, Any]:
    """The case `ref` with its messages and events, as JSON-ready data from server `origin`."""
    with Session(store.engine) as s:
        parsed = parse_ref(ref)
        case = None if parsed is None else s.scalars(
            select(Case).where(Case.ref == str(parsed))
        ).one_or_none()
        if case is None:
            raise CaseNotFound(ref)
        messages = s.scalars(
            select(CaseMessage).where(CaseMessage.case_id == case.id)
            .order_by(CaseMessage.created_at, CaseMessage.id)
        )
        events = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
        return {
            "format": FORMAT,
            "origin": origin,
            "case": _row(case, CASE_FIELDS),
            "messages": [_row(m, MESSAGE_FIELDS) for m in messages],
            "events": [_row(e, EVENT_FIELDS) for e in events],
        }


def import_case(
    store: CaseStore, data: dict[str, Any], centre: str, actor: str, reason: str | None = None,
    *, now: datetime | None = None,
) -> tuple[CaseView, bool]:
    """Store an exported case under `centre` of this server; returns (case, created).

    The reference, transcript and audit log are kept; the case is unassigned (an ``assigned``
    case goes back to ``new``) and one ``transferred`` event records ``origin centre →
    centre``. Importing the same case again returns it unchanged (created False): a transfer
    message delivered twice is harmless. Raises :class:`ImportConflict` when the reference
    already names another case here, and ValueError for a document of another format or a
    case that is no longer open.
    """
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    fields = _parsed(data["case"], CASE_FIELDS)
    parsed = parse_ref(fields["ref"])
    if parsed is None:
        raise ValueError(f"bad case reference {fields['ref']!r}")
    if fields["status"] in DONE:
        raise ValueError(f"{parsed} is {fields['status']}: only open cases move")
    if fields.get("urgency") not in URGENCIES:  # from a server older than urgency levels
        fields["urgency"] = "emergency" if fields.get("urgent") else "normal"
    at = as_utc(now or utcnow())
    with store.writing() as s:  # the case store package writes through its own sessions
        existing = s.scalars(select(Case).where(Case.ref == str(parsed))).one_or_none()
        if existing is not None:
            same = (existing.citizen_jid == fields["citizen_jid"]
                    and as_utc(existing.created_at) == fields["created_at"])
            if not same:
                raise ImportConflict(f"{parsed} already names another case on this server")
            return CaseView.of(existing), False
        old_status = fields["status"]
        target = Status.NEW.value if old_status == Status.ASSIGNED.value else old_status
        origin_centre = f"{fields['centre']}@{data.get('origin', '?')}"
        fields.update(ref=str(parsed), centre=centre, assigned_to=None, status=target,
                      updated_at=max(fields["updated_at"], at))
        case = Case(**fields)
        s.add(case)
        s.flush()
        for row in data.get("messages", []):
            s.add(CaseMessage(case_id=case.id, **_parsed(row, MESSAGE_FIELDS)))
        for row in data.get("events", []):
            s.add(CaseEvent(case_id=case.id, **_parsed(row, EVENT_FIELDS)))
        note = f"{origin_centre}{TRANSFER_ARROW}{centre}" + (f": {reason}" if reason else "")
        s.add(CaseEvent(case_id=case.id, at=at, actor=actor, kind=EventKind.TRANSFERRED, note=note,
                        from_status=old_status if target != old_status else None,
                        to_status=target if target != old_status else None))
        _reserve(s, parsed.prefix, parsed.year, parsed.seq)
        s.flush()
        return CaseView.of(case), True


def _reserve(s: Session, prefix: str, year: int, seq: int) -> None:
    """Keep this server's own numbering from handing out the imported reference again."""
    counter = s.get(CaseCounter, (prefix, year), with_for_update=True)
    if counter is None:
        s.add(CaseCounter(prefix=prefix, year=year, last_seq=seq))
    elif counter.last_seq < seq:
        counter.last_seq = seq
