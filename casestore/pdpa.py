"""PDPA (Thailand's Personal Data Protection Act, B.E. 2562): retention and subject access.

Retention (:func:`purge`): a case that is resolved, closed or merged, and reached that status
more than N days ago (default :data:`DEFAULT_RETENTION_DAYS`, or
``$DAMRONGDHAM_RETENTION_DAYS``), loses everything that can identify or describe the citizen:

- its transcript (every message: the citizen's, the agents', notices, internal notes);
- the citizen JID (case row, audit actors, rating) becomes :data:`PURGED_JID` (an anonymous
  case's row keeps the placeholder ``anonymous@anon.D``, which names nobody, so it stays
  published as anonymous);
- the tracking PIN hash (the case can no longer be looked up on /track) and the summary;
- the notes of its audit events (they may quote text) and the bodies of delivered Open311
  requests (they quote the complaint).

Kept for statistics: reference, centre, province, district, type, topic, urgency, status,
who handled it (staff accounts), every audit event's kind, time and status change, the
rating's score and its dates. A ``purged`` event records the purge. Purging twice is a no-op.

Subject access (:func:`subject_export`): a citizen's own data, as JSON — see
:data:`EXPORT_NOTE` for what is left out and why. Both work on SQLite and PostgreSQL through
the case store's engine, in one transaction each.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import delete, func, select, update

from .events import EventKind
from .lifecycle import DONE
from .models import Case, CaseEvent, CaseMessage, CaseRating, Delivery
from .refs import as_utc, utcnow
from .store import CaseStore
from .views import ANONYMOUS_PREFIX

DEFAULT_RETENTION_DAYS = 365
RETENTION_ENV = "DAMRONGDHAM_RETENTION_DAYS"
PURGED = EventKind.PURGED  # the audit event of a purge
PURGED_JID = "purged@pdpa.invalid"  # never an XMPP address: nothing is ever sent to it
ACTOR = "pdpa-retention"
EXPORT_FORMAT = "damrongdham-subject-export/1"
EXPORT_NOTE = (
    "ข้อมูลของท่านตาม พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 30 · "
    "Your data under the PDPA B.E. 2562, section 30. Included: every case opened from your "
    "address, every message you sent and every reply or notice sent to you, each status "
    "change with its time, and your ratings. Left out: the accounts of the officers who "
    "handled a case (they are staff data, not yours; replies are signed by the centre as you "
    "received them), internal notes between officers and audit notes (internal working "
    "documents of the centre), and the PIN (only a one-way hash is kept). Transcripts of "
    "cases older than the retention period have been erased."
)


class PdpaError(ValueError):
    """Bad input: one line for the user, nothing changed."""


def retention_days() -> int:
    """The default retention period: ``$DAMRONGDHAM_RETENTION_DAYS`` or 365."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError as exc:
        raise PdpaError(f"{RETENTION_ENV} must be a whole number of days, not {raw!r}") from exc
    if days < 0:
        raise PdpaError(f"{RETENTION_ENV} must not be negative")
    return days


@dataclass
class PurgeReport:
    """What a purge did (or, dry run, would do)."""

    cutoff: datetime
    dry_run: bool
    refs: list[str] = field(default_factory=list)
    messages: int = 0


def _done_at():
    """Per case: when it last reached resolved/closed/merged."""
    return (
        select(CaseEvent.case_id, func.max(CaseEvent.at).label("done_at"))
        .where(CaseEvent.to_status.in_([s.value for s in DONE]))
        .group_by(CaseEvent.case_id)
        .subquery()
    )


def due_for_purge(store: CaseStore, older_than_days: int, now: datetime | None = None):
    """Select the ids of cases to purge (not yet purged)."""
    if older_than_days < 0:
        raise PdpaError("--older-than-days must be 0 or more")
    cutoff = as_utc(now or utcnow()) - timedelta(days=older_than_days)
    done = _done_at()
    purged = select(CaseEvent.case_id).where(CaseEvent.kind == PURGED)
    q = (
        select(Case.id, Case.ref)
        .join(done, done.c.case_id == Case.id)
        .where(
            Case.status.in_([s.value for s in DONE]),
            done.c.done_at <= cutoff,
            Case.id.not_in(purged),
        )
        .order_by(Case.id)
    )
    return cutoff, q


def purge(
    store: CaseStore,
    older_than_days: int,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PurgeReport:
    """Purge the cases done more than `older_than_days` ago (see the module docstring)."""
    cutoff, q = due_for_purge(store, older_than_days, now)
    at = as_utc(now or utcnow())
    with store.writing() as s:
        rows = s.execute(q).all()
        ids = [r.id for r in rows]
        report = PurgeReport(cutoff, dry_run, [r.ref for r in rows])
        if not ids:
            return report
        report.messages = (
            s.scalar(
                select(func.count()).select_from(CaseMessage).where(CaseMessage.case_id.in_(ids))
            )
            or 0
        )
        if dry_run:
            return report
        own_citizen = select(Case.citizen_jid).where(Case.id == CaseEvent.case_id)
        s.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(ids)))
        s.execute(
            update(CaseEvent)
            .where(CaseEvent.case_id.in_(ids), CaseEvent.actor == own_citizen.scalar_subquery())
            .values(actor=PURGED_JID)
            .execution_options(synchronize_session=False)
        )
        s.execute(
            update(CaseEvent)
            .where(CaseEvent.case_id.in_(ids))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        s.execute(
            update(CaseRating)
            .where(CaseRating.case_id.in_(ids))
            .values(citizen_jid=PURGED_JID)
            .execution_options(synchronize_session=False)
        )
        s.execute(
            update(Delivery)
            .where(Delivery.case_id.in_(ids), Delivery.delivered_at.is_not(None))
            .values(payload="{}", last_error=None)
            .execution_options(synchronize_session=False)
        )
        s.execute(
            update(Case)
            .where(Case.id.in_(ids))
            .values(
                # An anonymous case keeps its placeholder (nobody's data): it stays published
                # as anonymous (province only, dates to the day; casestore.open311_format).
                citizen_jid=sql_case(
                    (Case.citizen_jid.startswith(ANONYMOUS_PREFIX), Case.citizen_jid),
                    else_=PURGED_JID,
                ),
                pin_hash="",
                summary="",
                urgent_reason=None,
            )
            .execution_options(synchronize_session=False)
        )
        for case_id in ids:
            s.add(
                CaseEvent(
                    case_id=case_id,
                    at=at,
                    actor=ACTOR,
                    kind=PURGED,
                    from_status=None,
                    to_status=None,
                    note=None,
                )
            )
    return report


def _iso(at: datetime | None) -> str | None:
    return None if at is None else as_utc(at).isoformat()


def subject_export(store: CaseStore, citizen_jid: str, now: datetime | None = None) -> dict:
    """A citizen's data for a PDPA access request (raises PdpaError for an unknown JID)."""
    jid = citizen_jid.strip()
    local, at_sign, host = jid.partition("@")
    if not (local and at_sign and host) or "/" in jid:
        raise PdpaError(f"not a bare JID: {citizen_jid!r} (expected name@citizens.<domain>)")
    if jid == PURGED_JID or (local == "anonymous" and host.startswith("anon.")):
        raise PdpaError(
            f"{jid} is a placeholder shared by many cases, not a person: nothing to export"
        )
    with store.reading() as s:
        cases = s.scalars(
            select(Case).where(Case.citizen_jid == jid).order_by(Case.created_at, Case.id)
        ).all()
        if not cases:
            raise PdpaError(f"no cases for {jid}: nothing is stored for this address")
        out: list[dict[str, Any]] = []
        for case in cases:
            messages = s.scalars(
                select(CaseMessage)
                .where(CaseMessage.case_id == case.id, CaseMessage.direction != "note")
                .order_by(CaseMessage.created_at, CaseMessage.id)
            ).all()
            events = s.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case.id, CaseEvent.to_status.is_not(None))
                .order_by(CaseEvent.at, CaseEvent.id)
            ).all()
            rating = s.scalars(
                select(CaseRating).where(
                    CaseRating.case_id == case.id, CaseRating.citizen_jid == jid
                )
            ).one_or_none()
            out.append(
                {
                    "ref": case.ref,
                    "centre": case.centre,
                    "province": case.province,
                    "district": case.district,
                    "type": case.type,
                    "topic": case.topic,
                    "urgent": case.urgent,
                    "status": case.status,
                    "channel": case.channel,
                    "opened_at": _iso(case.created_at),
                    "updated_at": _iso(case.updated_at),
                    "messages": [
                        {
                            "at": _iso(m.created_at),
                            "from": "you" if m.direction == "citizen" else "centre",
                            "kind": m.direction,
                            "text": m.body,
                        }
                        for m in messages
                    ],
                    "status_history": [
                        {"at": _iso(e.at), "from": e.from_status, "to": e.to_status} for e in events
                    ],
                    "rating": None
                    if rating is None
                    else {"score": rating.score, "rated_at": _iso(rating.rated_at)},
                }
            )
    return {
        "format": EXPORT_FORMAT,
        "subject": jid,
        "exported_at": _iso(as_utc(now or utcnow())),
        "about": EXPORT_NOTE,
        "cases": out,
    }


def export_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
