"""Damrongdham Chat web app: citizen pages (later: web chat, case tracking, dashboard, Open311).

Run with ``flask --app web run`` or ``gunicorn 'web:create_app()'``. The app never writes SQL
itself: everything that touches cases goes through the ``casestore`` package.

Settings (``create_app(config)`` keys win over the environment): ``DOMAIN``
(``DAMRONGDHAM_DOMAIN``, default ``damrongdham.localhost``), ``DATABASE_URL``
(``DAMRONGDHAM_DATABASE_URL``), ``C2S_HOST``/``C2S_PORT`` (``DAMRONGDHAM_C2S_HOST``/``_PORT``,
default 127.0.0.1:5222), ``DATA_DIR`` (``DAMRONGDHAM_DATA_DIR``: the stack's data directory,
with ``provisioning.json``), ``WEBSOCKET_URL`` (``DAMRONGDHAM_WEBSOCKET_URL``),
``TRUSTED_PROXIES`` (``DAMRONGDHAM_TRUSTED_PROXIES``, default none: reverse proxies whose
``X-Forwarded-For`` names the client, ``web.proxy``) and ``SECRET_KEY``
(``DAMRONGDHAM_SECRET_KEY``; random per process when unset, so set it when
several worker processes must share sessions).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, render_template
from werkzeug.exceptions import HTTPException

from kernel.proxies import parse as parse_proxies
from web import chat, dashboard, open311, public, track
from web.proxy import TrustedProxies

__all__ = ["DEFAULT_DOMAIN", "create_app"]

DEFAULT_DOMAIN = "damrongdham.localhost"
DEFAULT_C2S_HOST = "127.0.0.1"
DEFAULT_C2S_PORT = 5222

# Generated once per process so every app (and every request) in it agrees on the key.
_PROCESS_SECRET = secrets.token_urlsafe(32)

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
        # The web chat: its XMPP WebSocket (narrowed to the configured origin by web.chat)
        # and its service worker.
        "connect-src 'self' ws: wss:; worker-src 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_ERROR_TEXT: dict[int, tuple[str, str]] = {
    400: ("คำขอไม่ถูกต้อง", "Bad request"),
    403: ("ไม่มีสิทธิ์เข้าถึงหน้านี้", "You may not open this page"),
    404: ("ไม่พบหน้าที่คุณต้องการ", "Page not found"),
    405: ("ไม่รองรับการเรียกหน้านี้ด้วยวิธีนี้", "Method not allowed"),
    500: ("ระบบขัดข้องชั่วคราว โปรดลองใหม่อีกครั้ง", "Something went wrong on our side"),
}


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def load_settings(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge ``config`` over the ``DAMRONGDHAM_*`` environment and defaults, and check it."""
    settings: dict[str, Any] = {
        "DOMAIN": _env("DAMRONGDHAM_DOMAIN") or DEFAULT_DOMAIN,
        "DATABASE_URL": _env("DAMRONGDHAM_DATABASE_URL"),
        "C2S_HOST": _env("DAMRONGDHAM_C2S_HOST") or DEFAULT_C2S_HOST,
        "C2S_PORT": _env("DAMRONGDHAM_C2S_PORT") or DEFAULT_C2S_PORT,
        "SECRET_KEY": _env("DAMRONGDHAM_SECRET_KEY") or _PROCESS_SECRET,
        "DATA_DIR": _env("DAMRONGDHAM_DATA_DIR"),
        "PIN_KEY": _env("DAMRONGDHAM_PIN_KEY"),
        "WEBSOCKET_URL": _env("DAMRONGDHAM_WEBSOCKET_URL"),
        "TRUSTED_PROXIES": _env("DAMRONGDHAM_TRUSTED_PROXIES"),
    }
    if daily_mb := _env("DAMRONGDHAM_UPLOAD_DAILY_MB"):
        settings["CHAT_UPLOAD_GLOBAL_BYTES"] = int(daily_mb) * 1024 * 1024
    settings.update(config or {})
    domain = str(settings["DOMAIN"]).strip().lower().rstrip(".")
    if not _DOMAIN_RE.match(domain):
        raise ValueError(f"DOMAIN {settings['DOMAIN']!r} is not a valid domain name")
    settings["DOMAIN"] = domain
    proxies = settings["TRUSTED_PROXIES"]
    settings["TRUSTED_PROXIES"] = parse_proxies(
        proxies if isinstance(proxies, str | None) else " ".join(proxies))
    try:
        port = int(settings["C2S_PORT"])
    except (TypeError, ValueError):
        raise ValueError(f"C2S_PORT {settings['C2S_PORT']!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ValueError(f"C2S_PORT {port} is outside 1..65535")
    settings["C2S_PORT"] = port
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _PROCESS_SECRET
    return settings


def _set_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error_page(error: HTTPException) -> tuple[str, int]:
    """A bilingual error page; also serves unhandled exceptions (as 500, no traceback)."""
    code = error.code or 500
    th, en = _ERROR_TEXT.get(code, ("เกิดข้อผิดพลาด", error.name or "Error"))
    return render_template("error.html", code=code, message_th=th, message_en=en), code


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the web app; ``config`` keys override the environment (see ``load_settings``)."""
    app = Flask(__name__)
    app.config.update(load_settings(config))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    for module in (public, chat, track, open311, dashboard):
        app.register_blueprint(module.bp)
    app.after_request(_set_security_headers)
    app.register_error_handler(HTTPException, _error_page)
    if app.config["TRUSTED_PROXIES"]:  # only then is X-Forwarded-For believed
        proxied = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
        app.wsgi_app = proxied  # type: ignore[method-assign]
    return app
