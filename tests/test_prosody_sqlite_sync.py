"""Prosody's SQLite storage syncs at checkpoints, not on every commit (or, when asked, on
every commit): `mod_damrongdham_sqlite_sync` on a real Prosody, read back from its own
connection."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from damrongdham.prosody import (
    SQLITE_SYNC_ENV,
    ProsodyError,
    ProsodyProcess,
    render_config,
    sqlite_sync,
)
from devtools.local_stack import free_ports
from kernel.settings import StackSettings


def _settings(tmp_path: Path) -> StackSettings:
    c2s, comp, http = free_ports(3)
    return StackSettings(
        data_dir=tmp_path / "data", c2s_port=c2s, component_port=comp, http_port=http
    )


def _read_back(log: Path, timeout: float = 15.0) -> set[str]:
    """The values Prosody read back after setting the pragma, from its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        found = set(re.findall(r"prosody\.sqlite: synchronous=\w+ \(reads back (\w+)\)", text))
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no synchronous line in {log}:\n{text[-2000:]}")


@pytest.mark.parametrize(("mode", "value"), [(None, "1"), ("full", "2"), ("normal", "1")])
def test_prosody_sqlite_synchronous_is_set_on_its_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str | None, value: str
) -> None:
    if mode is None:
        monkeypatch.delenv(SQLITE_SYNC_ENV, raising=False)  # the default: normal
    else:
        monkeypatch.setenv(SQLITE_SYNC_ENV, mode)
    prosody = ProsodyProcess(_settings(tmp_path), "secret-for-the-test")
    prosody.start()
    try:
        assert _read_back(prosody.log_file) == {value}
        assert "could not set synchronous" not in prosody.log_file.read_text(encoding="utf-8")
    finally:
        prosody.stop()


def test_a_wrong_sync_mode_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SQLITE_SYNC_ENV, "sometimes")
    settings = _settings(tmp_path)
    with pytest.raises(ProsodyError, match="SYNC='sometimes': use normal or full"):
        render_config(settings, "secret")
    assert not (settings.prosody_dir / "prosody.cfg.lua").exists()
    monkeypatch.setenv(SQLITE_SYNC_ENV, " FULL ")
    assert sqlite_sync() == "full"
    text = render_config(settings, "secret").read_text(encoding="utf-8")
    assert 'damrongdham_sqlite_synchronous = "full"' in text
    assert '"damrongdham_sqlite_sync";' in text
