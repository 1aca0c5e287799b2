"""The Damrongdham case store: models, numbering, lifecycle and migrations.

The only code that writes the case database; every other part goes through :class:`CaseStore`.
"""

from .errors import AlreadyAssigned, CaseNotFound, CaseStoreError, InvalidTransition
from .events import EventKind
from .lifecycle import TRANSITIONS, Status, can_transition, is_open, open311_status
from .refs import CaseRef, buddhist_year, format_ref, parse_ref
from .store import CaseStore
from .views import CaseView, DeliveryView, EventView, MessageView, OpenResult
from .vocab import DIRECTIONS, TOPICS, TYPES

__all__ = [
    "DIRECTIONS",
    "TOPICS",
    "TRANSITIONS",
    "TYPES",
    "AlreadyAssigned",
    "CaseNotFound",
    "CaseRef",
    "CaseStore",
    "CaseStoreError",
    "CaseView",
    "DeliveryView",
    "EventKind",
    "EventView",
    "InvalidTransition",
    "MessageView",
    "OpenResult",
    "Status",
    "buddhist_year",
    "can_transition",
    "format_ref",
    "is_open",
    "open311_status",
    "parse_ref",
]
