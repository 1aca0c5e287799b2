"""The web process: the Flask app under gunicorn, configured from the data dir."""

from __future__ import annotations

import os
import sys

from kernel.settings import StackSettings


def web_env(settings: StackSettings) -> dict[str, str]:
    """Environment the web app reads its configuration from."""
    secrets = settings.load_secrets()
    return {
        "DAMRONGDHAM_DOMAIN": settings.domain,
        "DAMRONGDHAM_DATA_DIR": str(settings.data_dir),
        "DAMRONGDHAM_DATABASE_URL": settings.db_url,
        "DAMRONGDHAM_SECRET_KEY": secrets.web_secret_key,
        "DAMRONGDHAM_PIN_KEY": secrets.pin_key,
        "DAMRONGDHAM_C2S_HOST": settings.listen,
        "DAMRONGDHAM_C2S_PORT": str(settings.c2s_port),
        "DAMRONGDHAM_WEBSOCKET_URL": f"ws://{settings.listen}:{settings.http_port}/xmpp-websocket",
    }


#: gunicorn's access log line: time, method, path (no query string), protocol, status, bytes,
#: milliseconds. Never the client's address (``%(h)s``, and no ``X-Forwarded-For``), its
#: User-Agent (``%(a)s``), the referrer or the query: on the anonymous tip page and the
#: upload relay these, beside the tip's time, could point at the whistle-blower. Rate
#: limits count per address in the database, not from this log.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

#: Threaded workers. gunicorn's default *sync* worker tells the arbiter it is alive only
#: between requests, so a response that streams longer than ``--timeout`` (30 s) — the CSV
#: export of a large case store, or any download to a slow phone — had its worker killed
#: mid-stream and the file ended early. A ``gthread`` worker's main loop keeps telling the
#: arbiter while a thread streams.
WORKER_OPTIONS = ["--worker-class", "gthread", "--threads", "4"]


def _no_control_socket() -> list[str]:
    """gunicorn ≥ 25 opens a control socket in ~/.gunicorn/, outside the data directory;
    nothing here uses it, so it is turned off (older releases have none)."""
    from gunicorn.config import KNOWN_SETTINGS

    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


def run_web(settings: StackSettings, workers: int = 2) -> None:
    """Replace this process with gunicorn serving `web:create_app()`."""
    os.environ.update(web_env(settings))
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{settings.listen}:{settings.web_port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        *WORKER_OPTIONS,
        "--graceful-timeout",
        "5",
        *_no_control_socket(),
        "web:create_app()",
    ]
    os.execv(sys.executable, argv)
