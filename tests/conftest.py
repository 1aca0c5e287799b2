"""Shared pytest fixtures: databases (SQLite and the machine's PostgreSQL).

One setting picks the databases of the whole suite, DAMRONGDHAM_TEST_DB:
  unset or "sqlite,postgres"  db_url tests on both; stacks (`damrongdham up`) on SQLite
  "postgres"                  everything on PostgreSQL: db_url tests and every stack a test
                              starts (a fresh schema each, dropped at the end of the session)
  "sqlite"                    everything on SQLite
Tests read a stack's case store through `RunningStack.db_url`, never a file path."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from devtools.local_stack import TEST_DB_ENV, TEST_PG_URL, drop_created_schemas, pg_schema_url

PG_URL = TEST_PG_URL
BACKENDS = [b for b in os.environ.get(TEST_DB_ENV, "sqlite,postgres").split(",") if b]
_pg_schema_url = pg_schema_url


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the PostgreSQL schemas of the stacks this session started."""
    drop_created_schemas()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite3'}"
        return
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    """One `damrongdham up` for the whole session (Prosody, bot, bridge, web)."""
    from xmpp_helpers import start_stack

    running = start_stack(tmp_path_factory.mktemp("stack") / "data")
    try:
        yield running
    finally:
        running.stop()


# -- bridge tests without XMPP: a SQLite case store and a relay on it -------------------------
# Modules that need another store (both backends, a fixed clock) define their own ``store``,
# and modules whose relay needs more (presence, agencies) their own ``relay``.

BRIDGE_DOMAIN = "damrongdham.localhost"


@pytest.fixture
def store(tmp_path: Path):
    """A migrated case store in a fresh SQLite file, closed after the test."""
    from casestore import CaseStore

    s = CaseStore(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def relay(store):
    """The case relay on ``store`` for ``damrongdham.localhost``."""
    from bots.relay import Relay
    from kernel.addresses import Addresses

    return Relay(store, Addresses.for_domain(BRIDGE_DOMAIN))


@pytest.fixture
def db_store(db_url: str):
    """A migrated case store on each backend of `db_url` (SQLite and PostgreSQL)."""
    from casestore import CaseStore

    s = CaseStore(db_url)
    s.migrate()
    yield s
    s.close()
