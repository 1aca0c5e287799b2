"""Gap-free, concurrency-safe case numbering via the ``case_counters`` table."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import CaseCounter
from .refs import MAX_SEQ

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def next_seq(session: Session, prefix: str, year: int) -> int:
    """Take the next sequence number for ``(prefix, year)`` inside the caller's transaction.

    The counter row is created if missing, then incremented with a single UPDATE that
    locks it until the transaction ends: concurrent openers queue up, and a rollback
    gives the number back, so references have neither duplicates nor gaps.
    """
    dialect = session.get_bind().dialect.name
    ins = _INSERT[dialect](CaseCounter).values(prefix=prefix, year=year, last_seq=0)
    session.execute(ins.on_conflict_do_nothing(index_elements=["prefix", "year"]))
    seq = session.execute(
        update(CaseCounter)
        .where(CaseCounter.prefix == prefix, CaseCounter.year == year)
        .values(last_seq=CaseCounter.last_seq + 1)
        .returning(CaseCounter.last_seq)
    ).scalar_one()
    if seq > MAX_SEQ:
        raise OverflowError(f"{prefix}-{year}: more than {MAX_SEQ} cases")
    return seq
