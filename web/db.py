"""The case store and rate limiter of the running web app (one per app, opened lazily)."""

from __future__ import annotations

from flask import current_app

from casestore import CaseStore
from casestore.ratelimit import RateLimiter


def store() -> CaseStore:
    """The app's case store (``DATABASE_URL``); RuntimeError when none is configured."""
    ext = current_app.extensions
    if "casestore" not in ext:
        url = current_app.config.get("DATABASE_URL")
        if not url:
            raise RuntimeError("DATABASE_URL (DAMRONGDHAM_DATABASE_URL) is not set")
        ext["casestore"] = CaseStore(url, pin_key=current_app.config.get("PIN_KEY"))
    return ext["casestore"]


def limiter() -> RateLimiter:
    """Rate limits shared by every worker (they live in the database)."""
    ext = current_app.extensions
    if "ratelimiter" not in ext:
        ext["ratelimiter"] = RateLimiter(store())
    return ext["ratelimiter"]
