"""gunicorn's access log (logs/web.log) never names a client: no address, no User-Agent."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from damrongdham.web_service import ACCESS_LOG_FORMAT

UA = "Marker-UA/7.7 (whistle; blower)"
XFF = "198.51.100.77"
PEER = "203.0.113.9"


def _line(cfg_format: str) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", cfg_format)
    logger = Logger(cfg)
    lines: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    logger.access_log.handlers = [Catch()]
    environ = {
        "REQUEST_METHOD": "PUT",
        "RAW_URI": "/chat/api/upload?anon=1",
        "PATH_INFO": "/chat/api/upload",
        "QUERY_STRING": "anon=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": PEER,
        "HTTP_USER_AGENT": UA,
        "HTTP_X_FORWARDED_FOR": XFF,
        "HTTP_REFERER": "http://127.0.0.1/?anon=1",
    }
    req = SimpleNamespace(headers=[("USER-AGENT", UA), ("X-FORWARDED-FOR", XFF)])
    resp = SimpleNamespace(status="201 CREATED", sent=42, headers=[])
    logger.access(resp, req, environ, timedelta(milliseconds=12))
    assert len(lines) == 1
    return lines[0]


def test_the_access_log_names_no_client() -> None:
    line = _line(ACCESS_LOG_FORMAT)
    assert '"PUT /chat/api/upload HTTP/1.1" 201 42' in line
    for secret in (PEER, XFF, UA, "Marker-UA", "anon=1", "Referer", "127.0.0.1"):
        assert secret not in line, line


def test_gunicorns_default_would_name_it() -> None:
    """The counter-check: gunicorn's own default format writes the address and the UA."""
    line = _line(Config().access_log_format)
    assert PEER in line and UA in line


def test_the_web_process_uses_the_format(monkeypatch, tmp_path) -> None:
    from damrongdham import web_service

    seen: list[list[str]] = []
    monkeypatch.setattr(web_service.os, "execv", lambda exe, argv: seen.append(argv))
    monkeypatch.setattr(web_service, "web_env", lambda settings: {})
    web_service.run_web(SimpleNamespace(listen="127.0.0.1", web_port=1))
    (argv,) = seen
    assert argv[argv.index("--access-logformat") + 1] == ACCESS_LOG_FORMAT
