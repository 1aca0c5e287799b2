"""Read-only aggregate queries for the staff dashboard: filtered case lists and statistics.

Everything is counted by the database (``GROUP BY``, ``COUNT``, ``MIN``), never by looping
over all cases in Python, so the dashboard stays quick with 100,000 cases; the same
statements run on SQLite and PostgreSQL (the few dialect differences — calendar days in
Bangkok time and the seconds between two timestamps — are in :func:`_day` and
:func:`_seconds`). The module only reads: it uses the store's engine through read
transactions and writes nothing.

Days are calendar days in Bangkok time (UTC+7, no daylight saving).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select

from .events import SLA_EVENTS
from .lifecycle import DONE, Status
from .models import Case, CaseEvent, CaseMessage
from .refs import BANGKOK, as_utc, parse_ref
from .store import CaseStore
from .views import CaseView
from .vocab import TOPICS, TYPES

__all__ = [
    "RESPONSE_BUCKETS",
    "SLA_EVENTS",
    "CaseFilter",
    "CasePage",
    "CaseQueries",
    "ExportRow",
    "ResponseTimes",
]


#: Response-time buckets: (key, upper bound in seconds, exclusive; None = no bound).
RESPONSE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("lt_15m", 15 * 60),
    ("lt_1h", 3600),
    ("lt_4h", 4 * 3600),
    ("lt_1d", 86400),
    ("lt_3d", 3 * 86400),
    ("ge_3d", None),
)

MAX_TEXT = 100
MAX_PER_PAGE = 500
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """Which cases a list, an export or a chart covers; every field narrows it.

    ``centres`` is the viewer's scope (None = every centre); ``centre`` one centre within
    it. ``since``/``until`` are Bangkok calendar days, both inclusive. ``text`` matches
    a reference (whole or part, Thai digits allowed) or words in the summary.
    """

    centres: frozenset[str] | None = None
    centre: str | None = None
    status: str | None = None
    topic: str | None = None
    type: str | None = None
    urgent: bool | None = None
    urgency: str | None = None
    """``emergency``, ``hazard`` or ``normal``: only cases of that level."""
    province: str | None = None
    text: str | None = None
    since: date | None = None
    until: date | None = None
    open_only: bool = False

    def __post_init__(self) -> None:
        if self.status is not None:
            Status(self.status)  # ValueError for an unknown status
        if self.topic is not None and self.topic not in TOPICS:
            raise ValueError(f"unknown topic: {self.topic!r}")
        if self.type is not None and self.type not in TYPES:
            raise ValueError(f"unknown type: {self.type!r}")
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filter as SQL conditions on :class:`Case`."""
        where: list[ColumnElement[bool]] = []
        if self.centres is not None:
            where.append(Case.centre.in_(sorted(self.centres)) if self.centres else literal(False))
        if self.centre:
            where.append(Case.centre == self.centre)
        if self.status:
            where.append(Case.status == self.status)
        if self.open_only:
            where.append(Case.status.not_in([s.value for s in DONE]))
        if self.topic:
            where.append(Case.topic == self.topic)
        if self.type:
            where.append(Case.type == self.type)
        if self.urgent is not None:
            where.append(Case.urgent.is_(self.urgent))
        if self.urgency:
            where.append(Case.urgency == self.urgency)
        if self.province == "":
            where.append(Case.province.is_(None))
        elif self.province:
            where.append(Case.province == self.province)
        if self.since:
            where.append(Case.created_at >= day_start(self.since))
        if self.until:
            where.append(Case.created_at < day_start(self.until + timedelta(days=1)))
        text = (self.text or "").strip()[:MAX_TEXT]
        if text:
            ref = parse_ref(text)
            if ref is not None:
                where.append(Case.ref == str(ref))
            else:
                as_ref = text.translate(_THAI_DIGITS).upper()
                where.append(
                    or_(
                        Case.ref.contains(as_ref, autoescape=True),
                        Case.summary.icontains(text, autoescape=True),
                    )
                )
        return where


def day_start(day: date) -> datetime:
    """Midnight at the start of a Bangkok calendar day, in UTC."""
    return as_utc(datetime.combine(day, time(0), tzinfo=BANGKOK))


def bangkok_day(at: datetime) -> date:
    """The Bangkok calendar day of an instant."""
    return as_utc(at).astimezone(BANGKOK).date()


@dataclass(frozen=True, slots=True)
class CasePage:
    """One page of a filtered, newest-first case list."""

    cases: list[CaseView]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class ExportRow:
    """A case for the CSV export, with when an agent first wrote to the citizen."""

    case: CaseView
    first_agent_at: datetime | None

    @property
    def response_s(self) -> int | None:
        if self.first_agent_at is None:
            return None
        return max(0, int((self.first_agent_at - self.case.created_at).total_seconds()))


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """First agent message minus opening, over the filtered cases.

    ``answered`` cases have an agent message; ``mean_s``/``median_s`` are over those
    (None when there are none); ``buckets`` counts them per :data:`RESPONSE_BUCKETS` key.
    """

    cases: int
    answered: int
    mean_s: float | None
    median_s: float | None
    buckets: list[tuple[str, int]] = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        return self.cases - self.answered


def _day(dialect: str, column: Any) -> ColumnElement[Any]:
    """The Bangkok calendar day of a timestamp column, computed by the database."""
    if dialect == "sqlite":  # stored as naive UTC text; Bangkok is UTC+7 all year
        return func.date(column, "+7 hours")
    return func.date(func.timezone("Asia/Bangkok", column))


def _seconds(dialect: str, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Seconds from ``earlier`` to ``later``, computed by the database."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class CaseQueries:
    """Read-only queries over a case store's database (see the module docstring)."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self.dialect = store.engine.dialect.name

    def _session(self) -> Any:
        return self.store.reading()

    @staticmethod
    def _filtered(f: CaseFilter, *columns: Any) -> Select[Any]:
        return select(*columns).where(*f.conditions())

    # -- lists ----------------------------------------------------------------------------

    def page(self, f: CaseFilter, page: int = 1, per_page: int = 50) -> CasePage:
        """Page ``page`` (from 1) of the filtered cases, newest first; ValueError if < 1."""
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError("page must be ≥ 1 and per_page 1..500")
        with self._session() as s:
            total = s.scalar(self._filtered(f, func.count(Case.id))) or 0
            q = (
                self._filtered(f, Case)
                .order_by(Case.created_at.desc(), Case.id.desc())
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
            return CasePage([CaseView.of(c) for c in s.scalars(q)], total, page, per_page)

    def count(self, f: CaseFilter) -> int:
        """Number of filtered cases."""
        with self._session() as s:
            return s.scalar(self._filtered(f, func.count(Case.id))) or 0

    def export(self, f: CaseFilter, batch: int = 1000) -> Iterator[ExportRow]:
        """Every filtered case, newest first, in batches (keyset on id: memory stays flat)."""
        last_id: int | None = None
        while True:
            q = self._filtered(f, Case).order_by(Case.id.desc()).limit(batch)
            if last_id is not None:
                q = q.where(Case.id < last_id)
            with self._session() as s:
                cases = list(s.scalars(q))
                if not cases:
                    return
                first = dict(
                    s.execute(
                        select(CaseMessage.case_id, func.min(CaseMessage.created_at))
                        .where(
                            CaseMessage.case_id.in_([c.id for c in cases]),
                            CaseMessage.direction == "agent",
                        )
                        .group_by(CaseMessage.case_id)
                    ).all()
                )
                rows = [ExportRow(CaseView.of(c), first.get(c.id)) for c in cases]
            yield from rows
            last_id = cases[-1].id
            if len(cases) < batch:
                return

    # -- counts per group -----------------------------------------------------------------

    def _grouped(self, f: CaseFilter, key: Any) -> list[tuple[Any, int]]:
        n = func.count(Case.id)
        q = self._filtered(f, key, n).group_by(key).order_by(n.desc(), key)
        with self._session() as s:
            return [(k, int(c)) for k, c in s.execute(q).all()]

    def per_topic(self, f: CaseFilter) -> list[tuple[str, int]]:
        """(topic, cases), most first."""
        return self._grouped(f, Case.topic)

    def per_status(self, f: CaseFilter) -> list[tuple[str, int]]:
        """(status, cases), most first."""
        return self._grouped(f, Case.status)

    def per_type(self, f: CaseFilter) -> list[tuple[str, int]]:
        """(type, cases), most first."""
        return self._grouped(f, Case.type)

    def per_centre(self, f: CaseFilter) -> list[tuple[str, int]]:
        """(centre slug, cases), most first."""
        return self._grouped(f, Case.centre)

    def per_province(self, f: CaseFilter) -> list[tuple[str | None, int]]:
        """(ISO province code or None when unknown, cases), most first."""
        return self._grouped(f, Case.province)

    def per_day(self, f: CaseFilter, first: date, last: date) -> list[tuple[date, int]]:
        """Cases opened on each Bangkok day from ``first`` to ``last`` (inclusive, zeros kept).

        The days outside ``f.since``/``f.until`` are not counted; at most 3,660 days.
        """
        if first > last or (last - first).days >= 3660:
            raise ValueError("first must not be after last, and at most 3,660 days apart")
        since = max(first, f.since) if f.since else first
        until = min(last, f.until) if f.until else last
        counts: dict[date, int] = {}
        if since <= until:
            day = _day(self.dialect, Case.created_at)
            q = (
                self._filtered(f, day, func.count(Case.id))
                .where(
                    Case.created_at >= day_start(since),
                    Case.created_at < day_start(until + timedelta(days=1)),
                )
                .group_by(day)
            )
            with self._session() as s:
                counts = {_as_date(d): int(c) for d, c in s.execute(q).all()}
        days = (last - first).days + 1
        return [
            (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range(days)
        ]

    def totals(self, f: CaseFilter) -> dict[str, int]:
        """``cases``, ``open`` and ``urgent`` among the filtered cases (one query)."""
        done = [s.value for s in DONE]
        q = self._filtered(
            f,
            func.count(Case.id),
            func.coalesce(func.sum(case((Case.status.not_in(done), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Case.urgent.is_(True), 1), else_=0)), 0),
        )
        with self._session() as s:
            total, open_, urgent = s.execute(q).one()
        return {"cases": int(total), "open": int(open_), "urgent": int(urgent)}

    # -- SLA and response times -----------------------------------------------------------

    def sla_breaches(self, f: CaseFilter) -> list[tuple[str, int]]:
        """(SLA event kind, distinct cases with it) for every kind of :data:`SLA_EVENTS`."""
        n = func.count(func.distinct(CaseEvent.case_id))
        q = (
            select(CaseEvent.kind, n)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(CaseEvent.kind.in_(SLA_EVENTS), *f.conditions())
            .group_by(CaseEvent.kind)
        )
        with self._session() as s:
            found = {k: int(c) for k, c in s.execute(q).all()}
        return [(k, found.get(k, 0)) for k in SLA_EVENTS]

    def response_times(self, f: CaseFilter) -> ResponseTimes:
        """How long the filtered cases waited for the first agent message (see ResponseTimes)."""
        first = (
            select(
                CaseMessage.case_id.label("case_id"),
                func.min(CaseMessage.created_at).label("first_at"),
            )
            .where(CaseMessage.direction == "agent")
            .group_by(CaseMessage.case_id)
            .subquery()
        )
        secs = _seconds(self.dialect, first.c.first_at, Case.created_at)
        answered = (
            select(secs.label("secs"))
            .select_from(Case)
            .join(first, first.c.case_id == Case.id)
            .where(*f.conditions())
            .subquery()
        )
        bucket_of = case(
            *[
                (answered.c.secs < bound, literal(key))
                for key, bound in RESPONSE_BUCKETS
                if bound is not None
            ],
            else_=literal(RESPONSE_BUCKETS[-1][0]),
        )
        with self._session() as s:
            cases = s.scalar(self._filtered(f, func.count(Case.id))) or 0
            n, mean = s.execute(select(func.count(), func.avg(answered.c.secs))).one()
            n = int(n or 0)
            median: float | None = None
            if n:
                mid = s.scalars(
                    select(answered.c.secs)
                    .order_by(answered.c.secs)
                    .offset((n - 1) // 2)
                    .limit(2 if n % 2 == 0 else 1)
                ).all()
                median = sum(float(x) for x in mid) / len(mid)
            found = dict(s.execute(select(bucket_of, func.count()).group_by(bucket_of)).all())
        buckets = [(key, int(found.get(key, 0))) for key, _ in RESPONSE_BUCKETS]
        return ResponseTimes(int(cases), n, None if mean is None else float(mean), median, buckets)
