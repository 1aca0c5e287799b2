"""Web: open311 (being built; see issue 6)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("open311", __name__)
