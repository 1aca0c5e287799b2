"""A whole `damrongdham up` in a subprocess on free loopback ports (tests, chaos, bench)."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@dataclass
class RunningStack:
    """`damrongdham up` in a subprocess, with what it wrote."""

    data_dir: Path
    proc: subprocess.Popen[str]
    info: dict
    output_file: Path

    @property
    def output(self) -> str:
        return self.output_file.read_text(encoding="utf-8")

    @property
    def db_url(self) -> str:
        """The case store's full URL (from config.json: stack.json hides the password)."""
        return stack_db_url(self.data_dir)

    def credentials(self) -> dict[str, dict[str, str]]:
        with (self.data_dir / "credentials.csv").open(encoding="utf-8") as fh:
            return {row["slug"]: row for row in csv.DictReader(fh)}

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def stack_db_url(data_dir: Path) -> str:
    """The case store URL the stack in `data_dir` uses (SQLite unless told otherwise)."""
    config = data_dir / "config.json"
    if config.exists():
        url = json.loads(config.read_text(encoding="utf-8")).get("database_url")
        if url:
            return url
    return f"sqlite:///{data_dir / 'damrongdham.sqlite3'}"


# Tests select their databases with DAMRONGDHAM_TEST_DB (see tests/conftest.py): when it names
# PostgreSQL only, every stack a test starts keeps its cases in a fresh PostgreSQL schema.
TEST_DB_ENV = "DAMRONGDHAM_TEST_DB"
TEST_PG_URL = os.environ.get(
    "DAMRONGDHAM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
created_schemas: list[str] = []  # dropped by the test session at its end


def stacks_on_postgres() -> bool:
    """True when DAMRONGDHAM_TEST_DB selects PostgreSQL and not SQLite."""
    backends = {b for b in os.environ.get(TEST_DB_ENV, "").split(",") if b}
    return "postgres" in backends and "sqlite" not in backends


def pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in TEST_PG_URL else "?"
    return f"{TEST_PG_URL}{sep}options=-csearch_path%3D{schema}"


def new_pg_schema(prefix: str = "stk") -> str:
    """A fresh, empty PostgreSQL schema on the test server; returns its URL."""
    import sqlalchemy as sa

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    created_schemas.append(schema)
    return pg_schema_url(schema)


def drop_created_schemas() -> None:
    """Drop every schema `new_pg_schema` made in this process."""
    if not created_schemas:
        return
    import sqlalchemy as sa

    admin = sa.create_engine(TEST_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            while created_schemas:
                schema = created_schemas.pop()
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def _test_database(data_dir: Path, extra: list[str]) -> list[str]:
    """`--database-url` for a new stack when tests run on PostgreSQL (a restart keeps its own)."""
    if not stacks_on_postgres() or "--database-url" in extra:
        return []
    if (data_dir / "config.json").exists():
        return []  # config.json already names this data directory's database
    return ["--database-url", new_pg_schema()]


def start_stack(
    data_dir: Path, ports: list[int] | None = None, timeout: float = 90,
    extra: list[str] | None = None,
) -> RunningStack:
    """Run `python -m damrongdham up` on free loopback ports and wait for stack.json."""
    c2s, comp, http, web = ports or free_ports(4)
    data_dir.mkdir(parents=True, exist_ok=True)
    out = data_dir.parent / f"{data_dir.name}-up-{uuid.uuid4().hex[:6]}.log"
    env = dict(os.environ, PYTHAINLP_OFFLINE="1", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "damrongdham", "up", "--data-dir", str(data_dir),
           "--c2s-port", str(c2s), "--component-port", str(comp), "--http-port", str(http),
           "--web-port", str(web), "--registration-throttle-max", "10000",
           *_test_database(data_dir, extra or []), *(extra or [])]
    with out.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, text=True, env=env,
                                cwd=REPO)
    stack_file = data_dir / "stack.json"
    deadline = time.monotonic() + timeout
    while not stack_file.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"up exited with {proc.returncode}:\n{out.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"up not ready after {timeout} s:\n{out.read_text()}")
        time.sleep(0.1)
    info = json.loads(stack_file.read_text(encoding="utf-8"))
    return RunningStack(data_dir, proc, info, out)
