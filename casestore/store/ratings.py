"""Citizens' ratings of how their case was handled (table ``case_ratings``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..events import EventKind
from ..models import CaseRating
from ..refs import CaseRef, as_utc, utcnow
from .audit import new_event
from .base import StoreBase


class RatingsMixin(StoreBase):
    """A citizen's 1–5 rating of a case."""

    def rate(
        self, ref: str | CaseRef, score: int, citizen_jid: str, *, now: datetime | None = None
    ) -> int:
        """Keep the citizen's rating (1–5) of a case; a later answer replaces an earlier one.

        Records a ``rated`` event (note: the score). ValueError for a score outside 1–5,
        CaseNotFound for an unknown reference.
        """
        if not 1 <= score <= 5:
            raise ValueError(f"a rating is 1–5, not {score}")
        at = as_utc(now or utcnow())
        with self.writing() as s:
            case = self._require(s, ref, lock=True)
            row = s.scalars(select(CaseRating).where(CaseRating.case_id == case.id)).first()
            if row is None:
                row = CaseRating(case_id=case.id, score=score, citizen_jid=citizen_jid)
                row.rated_at = at
                s.add(row)
            else:
                row.score, row.citizen_jid, row.rated_at = score, citizen_jid, at
            s.add(new_event(case, at, citizen_jid, EventKind.RATED, None, None, str(score)))
            s.flush()
            return score

    def rating(self, ref: str | CaseRef) -> int | None:
        """The citizen's rating of the case (1–5), or None when not rated."""
        with self.reading() as s:
            case = self._find(s, ref)
            if case is None:
                return None
            q = select(CaseRating.score).where(CaseRating.case_id == case.id)
            return s.scalars(q).first()
