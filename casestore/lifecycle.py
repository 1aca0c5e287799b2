"""Case statuses and the transitions allowed between them."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A case's Damrongdham status (stored as its value)."""

    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    FORWARDED = "forwarded"
    WAITING_CITIZEN = "waiting_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MERGED = "merged"
    REOPENED = "reopened"


S = Status

#: Allowed ``from -> {to}`` moves. ``merged`` is terminal.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset(
        {S.ASSIGNED, S.IN_PROGRESS, S.FORWARDED, S.WAITING_CITIZEN, S.RESOLVED, S.CLOSED, S.MERGED}
    ),
    S.ASSIGNED: frozenset(
        {S.NEW, S.IN_PROGRESS, S.FORWARDED, S.WAITING_CITIZEN, S.RESOLVED, S.CLOSED, S.MERGED}
    ),
    S.IN_PROGRESS: frozenset({S.FORWARDED, S.WAITING_CITIZEN, S.RESOLVED, S.CLOSED, S.MERGED}),
    S.FORWARDED: frozenset({S.IN_PROGRESS, S.WAITING_CITIZEN, S.RESOLVED, S.CLOSED}),
    S.WAITING_CITIZEN: frozenset({S.IN_PROGRESS, S.FORWARDED, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset(
        {S.ASSIGNED, S.IN_PROGRESS, S.FORWARDED, S.WAITING_CITIZEN, S.RESOLVED, S.CLOSED, S.MERGED}
    ),
    S.MERGED: frozenset(),
}

#: Statuses after which a case no longer counts as open (Open311 ``closed``).
DONE: frozenset[Status] = frozenset({S.RESOLVED, S.CLOSED, S.MERGED})

#: Statuses from which :meth:`CaseStore.assign` moves the case to ``assigned``.
ASSIGNABLE_FROM: frozenset[Status] = frozenset({S.NEW, S.REOPENED})


def can_transition(from_status: Status | str, to_status: Status | str) -> bool:
    """Whether the lifecycle allows moving from one status to another."""
    try:
        return Status(to_status) in TRANSITIONS[Status(from_status)]
    except ValueError:
        return False


def is_open(status: Status | str) -> bool:
    """True unless the case is resolved, closed or merged."""
    return Status(status) not in DONE


def open311_status(status: Status | str) -> str:
    """Open311 GeoReport v2 ``status``: ``closed`` for resolved/closed/merged, else ``open``."""
    return "open" if is_open(status) else "closed"
