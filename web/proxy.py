"""The client's address behind a trusted reverse proxy (``DAMRONGDHAM_TRUSTED_PROXIES``).

Installed by ``web.create_app`` only when the setting names proxies: then a request coming
from one of them has ``REMOTE_ADDR`` replaced by the client it forwarded for (the rule of
``kernel.proxies.client_address``; like Werkzeug's ``ProxyFix``, but only for the declared
proxies and never trusting what a client wrote itself), and ``X-Forwarded-Proto: https``
marks the request secure. Any other request is left as it came, so the per-address limits
(``/track``, dashboard sign-in, account creation, uploads) count the connecting address.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kernel.proxies import client_address, is_trusted, networks


class TrustedProxies:
    """WSGI middleware: the client address from ``X-Forwarded-For`` of trusted proxies."""

    def __init__(self, app: Any, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self._networks = networks(self.trusted)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        remote = environ.get("REMOTE_ADDR") or ""
        if is_trusted(remote, self._networks):
            forwarded = environ.get("HTTP_X_FORWARDED_FOR")
            environ["damrongdham.proxy_addr"] = remote
            environ["REMOTE_ADDR"] = client_address(remote, forwarded, self.trusted)
            if environ.get("HTTP_X_FORWARDED_PROTO", "").strip().lower() == "https":
                environ["wsgi.url_scheme"] = "https"
        return self.app(environ, start_response)
