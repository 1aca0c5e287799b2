"""The `damrongdham` command line: triage filter and `up` settings merging."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from damrongdham.cli import _up_settings, build_parser, main
from kernel.config_file import save_settings
from kernel.settings import DEFAULT_DOMAIN, StackSettings

PINNED_KEYS = {
    "type", "topic", "province", "district", "urgent", "urgent_reason", "urgency", "masked",
}
ROOT = Path(__file__).resolve().parent.parent


def _run_triage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str, *flags: str
) -> list[dict[str, object]]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(["triage", *flags]) == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


# -- triage -------------------------------------------------------------------------------


def test_triage_one_object_per_non_empty_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = "ถนนพังที่เชียงราย โทร 081-234-5678\n\n   \nสามีทำร้ายร่างกาย จ.เลย\nhello"
    rows = _run_triage(monkeypatch, capsys, stdin)
    assert len(rows) == 3
    assert all(set(row) == PINNED_KEYS for row in rows)
    road, violence, hello = rows
    assert road["province"] == "TH-57"
    assert road["masked"] == "ถนนพังที่เชียงราย โทร [เบอร์โทร]"
    assert road["urgent"] is False
    assert violence["urgent"] is True and violence["province"] == "TH-42"
    assert hello["province"] is None and hello["topic"] == "other"


def test_triage_writes_thai_unescaped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("ร้องเรียนถนนพัง\n"))
    main(["triage"])
    out = capsys.readouterr().out
    assert "ร้องเรียนถนนพัง" in out
    assert "\\u0e" not in out


def test_triage_explain_adds_evidence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (row,) = _run_triage(monkeypatch, capsys, "ร้องเรียนถนนพัง\n", "--explain")
    assert set(row) == PINNED_KEYS | {"evidence"}
    assert isinstance(row["evidence"], list)
    # the road ("ถนน", or the more telling "ถนนพัง") and the complaint word decided it
    assert any(str(w).startswith("ถนน") for w in row["evidence"])


def test_triage_empty_input_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_triage(monkeypatch, capsys, "\n \n\t\n") == []


def test_triage_as_a_real_process() -> None:
    """`python -m damrongdham triage` writes UTF-8 JSON lines whatever the locale."""
    proc = subprocess.run(
        [sys.executable, "-m", "damrongdham", "triage"],
        input="ไฟไหม้บ้าน ที่โคราช\n".encode(),
        capture_output=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "LANG": "C", "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert set(row) == PINNED_KEYS
    assert row["province"] == "TH-30" and row["urgent"] is True
    assert "ไฟไหม้บ้าน".encode() in proc.stdout


# -- up settings --------------------------------------------------------------------------


def _args(data_dir: Path, *flags: str) -> argparse.Namespace:
    return build_parser().parse_args(["up", "--data-dir", str(data_dir), *flags])


@pytest.fixture(autouse=True)
def _no_database_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAMRONGDHAM_DATABASE_URL", raising=False)


def test_fresh_data_dir_uses_defaults(tmp_path: Path) -> None:
    s = _up_settings(_args(tmp_path))
    assert s.domain == DEFAULT_DOMAIN
    assert s.data_dir == tmp_path.resolve()
    assert (s.c2s_port, s.component_port, s.http_port, s.web_port) == (5222, 5347, 5280, 8080)


def test_fresh_data_dir_takes_the_flags(tmp_path: Path) -> None:
    s = _up_settings(_args(tmp_path, "--domain", "d.example", "--c2s-port", "15222"))
    assert s.domain == "d.example"
    assert s.c2s_port == 15222


def test_saved_domain_is_kept(tmp_path: Path) -> None:
    save_settings(StackSettings(data_dir=tmp_path.resolve(), domain="d.example", http_port=15280))
    s = _up_settings(_args(tmp_path, "--c2s-port", "15222"))
    assert s.domain == "d.example"
    assert s.http_port == 15280  # saved value kept
    assert s.c2s_port == 15222  # flag over saved value
    assert _up_settings(_args(tmp_path, "--domain", "d.example")).domain == "d.example"


def test_changing_a_saved_domain_is_refused(tmp_path: Path) -> None:
    save_settings(StackSettings(data_dir=tmp_path.resolve(), domain="d.example"))
    with pytest.raises(SystemExit, match="cannot change its domain"):
        _up_settings(_args(tmp_path, "--domain", "other.example"))


def test_changing_a_saved_default_domain_is_refused(tmp_path: Path) -> None:
    save_settings(StackSettings(data_dir=tmp_path.resolve()))
    with pytest.raises(SystemExit, match="cannot change its domain"):
        _up_settings(_args(tmp_path, "--domain", "other.example"))


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMRONGDHAM_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert _up_settings(_args(tmp_path)).database_url == "postgresql+psycopg://u@h/db"
    flag = _up_settings(_args(tmp_path, "--database-url", "sqlite:///x.db"))
    assert flag.database_url == "sqlite:///x.db"


def test_bad_port_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _args(tmp_path, "--c2s-port", "70000")


def test_bot_without_config_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bot", "--data-dir", str(tmp_path)]) == 2
    assert "damrongdham up" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["up", "bot", "web"])
def test_default_data_dir_is_absolute(command: str, tmp_path: Path, monkeypatch) -> None:
    """Prosody resolves relative paths against its own directory: ours must be absolute."""
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args([command])
    assert args.data_dir == tmp_path / "data" and args.data_dir.is_absolute()
