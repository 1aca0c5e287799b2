"""Web: chat (being built; see issue 6)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("chat", __name__)
