"""A long CSV export under the stack's real gunicorn options is never cut mid-stream.

gunicorn's sync worker heartbeats only between requests: a response streaming longer than
``--timeout`` had its worker killed and the CSV ended early (a large store, a slow reader).
Here the timeout is 2 s and the reader takes longer than that; every row must arrive.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xmpp_helpers import REPO, free_ports

from casestore import CaseStore
from casestore.web_sessions import WebSessions
from damrongdham.web_service import WORKER_OPTIONS
from devtools.bench_memory import bulk_insert

DOMAIN = "damrongdham.localhost"
CASES = 20_000


def _get_slowly(port: int, path: str, cookie: str, seconds: float) -> bytes:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a slow phone's small window
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
    chunks, started = [], time.monotonic()
    sock.settimeout(30)
    while True:
        data = sock.recv(4096)
        if not data:
            break
        chunks.append(data)
        if time.monotonic() - started < seconds:
            time.sleep(0.02)
    sock.close()
    return b"".join(chunks)


@pytest.mark.timeout(240)
def test_a_slow_export_outlives_the_worker_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    bulk_insert(url, CASES)
    store = CaseStore(url)
    token = WebSessions(store).create(f"admin@{DOMAIN}").token
    store.close()
    (port,) = free_ports(1)
    env = dict(os.environ, DAMRONGDHAM_DOMAIN=DOMAIN, DAMRONGDHAM_DATABASE_URL=url,
               DAMRONGDHAM_SECRET_KEY="export-test", PYTHAINLP_OFFLINE="1")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         *WORKER_OPTIONS, "--timeout", "2", "web:create_app()"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        raw = _get_slowly(port, "/dashboard/export.csv", f"dd_session={token}", seconds=6)
    finally:
        web.terminate()
        log = web.communicate(timeout=10)[0]
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"), head[:200]
    assert "WORKER TIMEOUT" not in log, log[-2000:]
    rows = body.decode("utf-8-sig").splitlines()
    assert len(rows) == CASES + 1, (len(rows), rows[-1][:200])
    assert rows[-1].count(",") >= 20  # the last row is whole
