"""`damrongdham up --no-bot --no-web`: Prosody only (the compose file's prosody service)."""

from __future__ import annotations

import socket

import pytest
from xmpp_helpers import start_stack

from devtools.chaos import pids_of

pytestmark = pytest.mark.xmpp


def test_up_without_bot_and_web_runs_prosody_alone(tmp_path) -> None:
    running = start_stack(tmp_path / "data", extra=["--no-bot", "--no-web"])
    try:
        info = running.info
        with socket.create_connection((info["c2s_host"], info["c2s_port"]), timeout=5):
            pass  # Prosody answers
        assert pids_of("damrongdham", " bot ", str(running.data_dir)) == []
        assert pids_of("damrongdham", " web ", str(running.data_dir)) == []
        assert (running.data_dir / "credentials.csv").exists()  # the centres are provisioned
    finally:
        assert running.stop() == 0
