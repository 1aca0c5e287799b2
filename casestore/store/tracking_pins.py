"""Tracking PINs of cases (column ``cases.pin_hash``): checking one, issuing a new one.

How PINs are made and hashed is ``casestore.pins``; a case gets its first PIN when it is
opened (``cases.py``)."""

from __future__ import annotations

from ..events import EventKind
from ..pins import hash_pin, new_pin, verify_pin
from ..refs import CaseRef, utcnow
from .audit import new_event
from .base import StoreBase


class PinsMixin(StoreBase):
    """Checking and reissuing a case's tracking PIN."""

    def check_pin(self, ref: str | CaseRef, pin: str) -> bool:
        """Whether ``pin`` is the case's tracking PIN; constant-time, False for unknown refs."""
        with self.reading() as s:
            case = self._find(s, ref)
            stored = None if case is None else case.pin_hash
        return verify_pin(pin, stored, self._pin_key)

    def reissue_pin(self, ref: str | CaseRef, actor: str) -> str:
        """A new tracking PIN for the case (the old one stops working); audit event
        ``pin_reissued``. For a case whose first reply may never have reached the citizen."""
        pin = new_pin()
        digest = hash_pin(pin, self._pin_key)  # before taking the write lock
        with self.writing() as s:
            case = self._require(s, ref, lock=True)
            case.pin_hash = digest
            s.add(new_event(case, utcnow(), actor, EventKind.PIN_REISSUED, None, None, None))
        return pin
