"""Exceptions raised by the case store."""

from __future__ import annotations


class CaseStoreError(Exception):
    """Base class for case store errors."""


class CaseNotFound(CaseStoreError, LookupError):
    """No case has the given reference."""

    def __init__(self, ref: object) -> None:
        super().__init__(f"no case {ref!s}")
        self.ref = ref


class InvalidTransition(CaseStoreError, ValueError):
    """The requested status change is not allowed by the lifecycle."""

    def __init__(self, ref: str, from_status: str, to_status: str) -> None:
        super().__init__(f"{ref}: cannot go from {from_status} to {to_status}")
        self.ref = ref
        self.from_status = from_status
        self.to_status = to_status


class AlreadyAssigned(CaseStoreError):
    """Someone else holds the case (a claim lost to another agent)."""

    def __init__(self, ref: str, holder: str) -> None:
        super().__init__(f"{ref}: already assigned to {holder}")
        self.ref = ref
        self.holder = holder
