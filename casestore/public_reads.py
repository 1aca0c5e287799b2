"""Read-only queries for the public web: case tracking and the Open311 GeoReport v2 API.

Nothing here writes. The queries select only the columns a public answer may show, so a
citizen's address, the text of their messages, agents' addresses and the PIN hash are never
loaded (:class:`PublicCase`); tracking, which shows the centre's replies to the citizen who
proved the PIN, uses :meth:`CaseStore.events` and :meth:`CaseStore.transcript`.

Also here: the last count of a rate-limit bucket without counting (``rate_hits``). The
approximate position of each province's seat that public answers give instead of anyone's
own location (``province_point``, ``nearest_province``) is :mod:`casestore.places`'s,
re-exported for the public readers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, not_, or_, select

from .events import EventKind
from .lifecycle import Status
from .models import Case, CaseEvent, RateLimit
from .places import nearest_province, province_point
from .ratelimit import MAX_BUCKET
from .refs import BANGKOK, as_utc, utcnow
from .store import CaseStore
from .views import ANONYMOUS_PREFIX

__all__ = [
    "MAX_IDS",
    "PublicCase",
    "find_cases",
    "nearest_province",
    "province_point",
    "public_case",
    "rate_hits",
]

MAX_IDS = 1000  # service_request_id values in one query
_CHUNK = 500  # bound parameters per IN (…) clause

# When the case last changed in public view: its last status change or transfer. Not
# ``Case.updated_at``, which also moves with every message and internal note.
_LAST_CHANGE = (
    select(func.max(CaseEvent.at))
    .where(
        CaseEvent.case_id == Case.id,
        or_(CaseEvent.to_status.is_not(None), CaseEvent.kind == EventKind.TRANSFERRED),
    )
    .correlate(Case)
    .scalar_subquery()
)

_PUBLIC_COLUMNS = (
    Case.ref,
    Case.centre,
    Case.province,
    Case.district,
    Case.status,
    Case.type,
    Case.topic,
    Case.created_at,
    func.coalesce(_LAST_CHANGE, Case.created_at),
    Case.citizen_jid.startswith(ANONYMOUS_PREFIX),
)


@dataclass(frozen=True, slots=True)
class PublicCase:
    """What anyone may know about a case: where (centre, province, district), what kind,
    its status and when. No citizen, agent, message text, summary or PIN."""

    ref: str
    centre: str
    province: str | None
    district: str | None
    status: Status
    type: str
    topic: str
    created_at: datetime
    updated_at: datetime
    """The last status change or transfer (messages and notes do not count)."""
    anonymous: bool = False
    """Opened from ``anon.D`` (the placeholder citizen): published with the province only
    and dates to the day (``casestore.open311_format``)."""


def _row(row: object) -> PublicCase:
    ref, centre, province, district, status, type_, topic, created, updated, anon = row  # type: ignore[misc]
    return PublicCase(
        ref=ref,
        centre=centre,
        province=province,
        district=district,
        status=Status(status),
        type=type_,
        topic=topic,
        created_at=as_utc(created),
        updated_at=as_utc(updated),
        anonymous=bool(anon),
    )


def public_case(store: CaseStore, ref: str) -> PublicCase | None:
    """The public view of one case by its canonical reference (``TH57-2569-000001``)."""
    with store.reading() as s:
        row = s.execute(select(*_PUBLIC_COLUMNS).where(Case.ref == ref)).one_or_none()
    return None if row is None else _row(row)


_ANONYMOUS = Case.citizen_jid.startswith(ANONYMOUS_PREFIX)


def next_midnight(at: datetime) -> datetime:
    """``at`` itself when it is midnight in Thai time, else the next Thai midnight (UTC)."""
    local = as_utc(at).astimezone(BANGKOK)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return as_utc(day if day == local else day + timedelta(days=1))


# An anonymous case is public only by its day (its Thai-time date): it is within a time
# filter when its day is, so the filter cannot be narrowed to find its second. A day
# (midnight) is ≥ start exactly when the case opened at or after the next midnight from
# start, and < end exactly when it opened before the next midnight from end.


def _opened_since(start: datetime):
    return or_(
        and_(not_(_ANONYMOUS), Case.created_at >= start),
        and_(_ANONYMOUS, Case.created_at >= next_midnight(start)),
    )


def _opened_before(end: datetime):
    return or_(
        and_(not_(_ANONYMOUS), Case.created_at < end),
        and_(_ANONYMOUS, Case.created_at < next_midnight(end)),
    )


def find_cases(
    store: CaseStore,
    *,
    refs: Collection[str] | None = None,
    topics: Collection[str] | None = None,
    statuses: Iterable[Status] | None = None,
    centres: Collection[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[PublicCase]:
    """Public views of the cases matching every filter given, newest first.

    ``refs`` are canonical references (at most ``MAX_IDS``); ``start`` is inclusive and
    ``end`` exclusive, both on the opening time.
    """
    if refs is not None and len(refs) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} references at once")
    q = select(*_PUBLIC_COLUMNS)
    if topics is not None:
        q = q.where(Case.topic.in_(sorted(topics)))
    if statuses is not None:
        q = q.where(Case.status.in_(sorted(s.value for s in statuses)))
    if centres is not None:
        q = q.where(Case.centre.in_(sorted(centres)))
    if start is not None:
        q = q.where(_opened_since(as_utc(start)))
    if end is not None:
        q = q.where(_opened_before(as_utc(end)))
    order = (Case.created_at.desc(), Case.id.desc())
    with store.reading() as s:
        if refs is None:
            rows = s.execute(q.order_by(*order).limit(limit).offset(offset)).all()
            return [_row(r) for r in rows]
        wanted = sorted(set(refs))
        found: list[PublicCase] = []
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            found += [_row(r) for r in s.execute(q.where(Case.ref.in_(chunk))).all()]
    found.sort(key=lambda c: (c.created_at, c.ref), reverse=True)
    return found[offset : offset + limit]


def rate_hits(
    store: CaseStore, bucket: str, window: timedelta, *, now: datetime | None = None
) -> int:
    """How many hits ``bucket`` holds in its current window, without adding one (0 when the
    window is over). For limits that count only failures but must refuse before trying."""
    at = as_utc(now or utcnow())
    with store.reading() as s:
        row = s.execute(
            select(RateLimit.window_start, RateLimit.hits).where(
                RateLimit.bucket == bucket[:MAX_BUCKET]
            )
        ).one_or_none()
    if row is None or as_utc(row[0]) + window <= at:
        return 0
    return int(row[1])
