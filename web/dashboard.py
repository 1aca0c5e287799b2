"""Web: dashboard (being built; see issue 6)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
