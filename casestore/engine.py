"""Engine set-up: SQLite in WAL mode with explicit (IMMEDIATE) write transactions."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

SQLITE_BUSY_MS = 30_000
WRITE = "casestore_write"  # execution option: this connection will write


def make_engine(url: str | URL) -> Engine:
    """Create an engine for ``url``; plain ``postgresql://`` means psycopg 3."""
    u = make_url(url)
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    backend = u.get_backend_name()
    if backend == "postgresql":
        return create_engine(u, pool_pre_ping=True)
    if backend != "sqlite":
        raise ValueError(f"unsupported database backend: {backend}")
    engine = create_engine(u, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of pysqlite's implicit one.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        _wal(cur)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
    finally:
        cur.close()


def _wal(cur: sqlite3.Cursor) -> None:
    # WAL is persistent, but the first switch needs the file to itself and SQLite does not
    # wait for that (no busy handler): retry while other connections open a fresh file.
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_begin(conn: Any) -> None:
    # A writer takes the write lock up front, so it waits (busy_timeout) instead of failing
    # with SQLITE_BUSY when it later upgrades a read snapshot.
    immediate = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
