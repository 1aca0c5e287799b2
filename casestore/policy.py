"""Deployment rules shared by the bot and the bridge, configurable by environment."""

from __future__ import annotations

import os

REOPEN_DAYS_DEFAULT = 14


def reopen_days() -> int:
    """Days after resolution in which a citizen may reopen a case
    (``DAMRONGDHAM_REOPEN_DAYS``, default 14)."""
    try:
        days = int(os.environ.get("DAMRONGDHAM_REOPEN_DAYS", REOPEN_DAYS_DEFAULT))
    except ValueError:
        return REOPEN_DAYS_DEFAULT
    return days if days >= 0 else REOPEN_DAYS_DEFAULT
