"""`damrongdham up` stops cleanly on Ctrl-C and a second run keeps everything."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from conftest import PG_URL, _pg_schema_url
from xmpp_helpers import REPO, citizen, free_ports, ref_in, start_stack

from casestore import CaseStore

pytestmark = pytest.mark.xmpp


def _pids_alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    continue
        except FileNotFoundError:
            continue
        alive.append(pid)
    return alive


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return out


def _report(info: dict, slug: str, text: str) -> str:
    async def go() -> str:
        person = await citizen(info)
        person.say(f"{slug}@{info['bot_domain']}", text)
        reply = await person.expect(lambda m: str(m["from"].bare).startswith(slug))
        person.close()
        return ref_in(reply["body"]) or reply["body"]

    return asyncio.run(go())


def test_restart_on_same_data_dir_keeps_cases_and_credentials(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    home = tmp_path / "home"  # nothing of the stack's may land outside the data directory
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    ports = free_ports(4)
    first = start_stack(data, ports)
    children = _children(first.proc.pid)
    assert len(children) == 3  # prosody, bot, web
    ref1 = _report(first.info, "phuket", "ร้านค้าโกงราคานักท่องเที่ยว")
    creds_before = (data / "credentials.csv").read_bytes()
    assert first.stop() == 0
    assert "stopped." in first.output
    assert not _pids_alive(children), "children outlived Ctrl-C"
    assert not (data / "stack.json").exists()
    bot_log = (data / "logs" / "bot.log").read_text(encoding="utf-8")
    for noise in ("Task was destroyed", "Event loop is closed", "Traceback"):
        assert noise not in bot_log, f"bot.log after Ctrl-C: {noise}"
    assert list(home.iterdir()) == []  # e.g. gunicorn's control socket in ~/.gunicorn/

    second = start_stack(data, ports)
    rival = subprocess.run(
        [sys.executable, "-m", "damrongdham", "up", "--data-dir", str(data)],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )
    assert rival.returncode == 1 and "another `damrongdham up` is running" in rival.stderr
    assert (data / "stack.json").exists()
    try:
        assert "76 up to date" in second.output
        assert "provisioned" not in second.output
        assert (data / "credentials.csv").read_bytes() == creds_before
        ref2 = _report(second.info, "phuket", "ถนนเลียบหาดไฟดับทั้งสาย")
    finally:
        assert second.stop() == 0
    store = CaseStore(second.db_url)
    assert store.get(ref1) is not None
    assert ref1[:-6] == ref2[:-6]
    assert int(ref2[-6:]) == int(ref1[-6:]) + 1
    assert store.count() == 2


@pytest.mark.postgres
def test_up_with_database_url_stores_cases_in_postgresql(tmp_path, request) -> None:
    if "postgres" not in __import__("conftest").BACKENDS:
        pytest.skip("PostgreSQL not selected (DAMRONGDHAM_TEST_DB)")

    schema = f"up_{os.getpid()}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = _pg_schema_url(schema)
    try:
        running = start_stack(tmp_path / "data", extra=["--database-url", url])
        try:
            ref = _report(running.info, "songkhla", "มีบ่อนการพนันเปิดทุกคืนในหมู่บ้าน")
        finally:
            assert running.stop() == 0
        assert not (tmp_path / "data" / "damrongdham.sqlite3").exists()
        assert running.info["database_url"].startswith("postgresql")
        assert CaseStore(url).get(ref) is not None
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
