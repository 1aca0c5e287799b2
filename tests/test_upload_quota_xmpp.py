"""Prosody's own upload quota for every XMPP app: all uploads together stop at
``http_file_share_global_quota`` (``DAMRONGDHAM_UPLOAD_GLOBAL_QUOTA_MB``), whoever asks —
a real Prosody with our rendered config, slots asked over raw c2s."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from raw_xmpp import login

from damrongdham.prosody import UPLOAD_QUOTA_ENV, ProsodyProcess, register
from devtools.local_stack import free_ports
from kernel.settings import StackSettings

pytestmark = pytest.mark.xmpp


def ask_slot(conn, service: str, size: int) -> str:
    iq_id = f"slot{uuid.uuid4().hex[:8]}"
    mark = len(conn.received)
    conn.send(f"<iq type='get' id='{iq_id}' to='{service}'>"
              f"<request xmlns='urn:xmpp:http:upload:0' filename='p.jpg' size='{size}' "
              "content-type='image/jpeg'/></iq>")
    return conn.read_until(rf"<iq[^>]*id=['\"]{iq_id}['\"].*?</iq>", start=mark)


def test_uploads_of_many_accounts_stop_at_the_global_quota(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPLOAD_QUOTA_ENV, "1")  # 1 MB for the whole server
    c2s, comp, http_port = free_ports(3)
    settings = StackSettings(data_dir=tmp_path / "data", c2s_port=c2s, component_port=comp,
                             http_port=http_port)
    server = ProsodyProcess(settings, "secret-for-the-test")
    server.start()
    try:
        conns = []
        for name in ("alice", "bob"):  # two accounts, as a script registering many would
            register(server.config, name, settings.citizen_domain, "pw-" + name)
            conns.append(login(settings.listen, c2s, f"{name}@{settings.citizen_domain}",
                               "pw-" + name, settings.ca_file))
        first = ask_slot(conns[0], settings.upload_domain, 600 * 1024)
        assert "<slot" in first, first
        refused = ask_slot(conns[1], settings.upload_domain, 600 * 1024)
        assert "type='error'" in refused.replace('"', "'"), refused
        assert re.search(r"<resource-constraint", refused), refused
        assert "Server global storage quota reached" in refused
        for conn in conns:
            conn.close()
    finally:
        server.stop()
