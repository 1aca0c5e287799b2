"""The statements of the bot's commonest work — a citizen's message onto their latest open
case — built once with bound parameters: building a SQLAlchemy statement per message cost
as much as running it."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Insert, Select, Update, bindparam, insert, or_, select, update

from .events import TRANSFER_ARROW, EventKind
from .lifecycle import DONE
from .models import Case, CaseEvent, CaseMessage

__all__ = ["TRANSFER_ARROW", "insert_message", "latest_open", "touch_case"]


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching what starts with `text` (escape character '/')."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


@cache
def _statement(by_centre: bool, lock: bool) -> Select:
    cases, events = Case.__table__.c, CaseEvent.__table__.c
    q = select(Case.__table__).where(
        cases.citizen_jid == bindparam("citizen"),
        cases.status.not_in([s.value for s in DONE]),
    )
    if by_centre:
        # Correlated, so that only this citizen's cases' events are looked at (through the
        # case_id index), never every transfer ever made.
        moved_away = (
            select(events.id)
            .where(
                events.case_id == cases.id,
                events.kind == EventKind.TRANSFERRED,
                events.note.like(bindparam("moved"), escape="/"),
            )
            .exists()
        )
        q = q.where(or_(cases.centre == bindparam("centre"), moved_away))
    q = q.order_by(cases.created_at.desc(), cases.id.desc()).limit(1)
    return q.with_for_update() if lock else q


def latest_open(citizen_jid: str, centre: str | None, lock: bool = False) -> tuple[Select, dict]:
    """The citizen's newest case that is not done (with `centre`: of that centre, or moved
    away from it), as (statement, parameters): a Core select of the cases table, whose rows
    `CaseView.of` takes as it takes a `Case`."""
    params: dict[str, str] = {"citizen": citizen_jid}
    if centre is not None:
        params |= {"centre": centre, "moved": _like_prefix(f"{centre}{TRANSFER_ARROW}")}
    return _statement(centre is not None, lock), params


@cache
def insert_message() -> Insert:
    return insert(CaseMessage)


@cache
def touch_case() -> Update:
    """updated_at of one case (parameters ``cid`` and ``at``)."""
    return update(Case).where(Case.id == bindparam("cid")).values(updated_at=bindparam("at"))
