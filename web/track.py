"""Web: track (being built; see issue 6)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("track", __name__)
