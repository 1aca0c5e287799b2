"""CaseStore: the only code that writes the case database.

One class for callers, written by area, one module each:

==================  =====================================================================
``base.py``         the engine, the unit of work (:meth:`~StoreBase.reading`,
                    :meth:`~StoreBase.writing`), lookups, idempotent writes
``cases.py``        open, assign, claim, status, transfer, merge; the lists of cases
``messages.py``     a case's messages: add, add a note, follow-ups, transcript
``audit.py``        audit events: record, read; the rows every change adds
``outbox.py``       forwarding to agencies and the outbox rows that deliver it
``ratings.py``      citizens' ratings
``tracking_pins.py`` checking and reissuing a case's tracking PIN
==================  =====================================================================

The other modules of the package that touch the database (``queries``, ``pdpa``,
``api_keys``, ``web_sessions``…) do so through the same unit of work.
"""

from __future__ import annotations

from ..events import AUTO_PREFIX, TRANSFER_ARROW
from .audit import AuditMixin
from .base import StoreBase
from .cases import SUMMARY_LEN, CasesMixin
from .messages import MessagesMixin
from .outbox import OutboxMixin
from .ratings import RatingsMixin
from .tracking_pins import PinsMixin

__all__ = ["AUTO_PREFIX", "SUMMARY_LEN", "TRANSFER_ARROW", "CaseStore", "StoreBase"]


class CaseStore(CasesMixin, MessagesMixin, AuditMixin, OutboxMixin, RatingsMixin, PinsMixin):
    """Cases, their messages and events, in SQLite or PostgreSQL.

    Every method opens and closes its own transaction and returns frozen views; the store
    is safe to share between threads, and several stores (processes) may share a database.
    Code of the ``casestore`` package that needs its own transaction uses
    :meth:`reading` / :meth:`writing`.
    """
