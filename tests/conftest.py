"""Shared pytest fixtures: databases (SQLite and the machine's PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

PG_URL = os.environ.get(
    "DAMRONGDHAM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [b for b in os.environ.get("DAMRONGDHAM_TEST_DB", "sqlite,postgres").split(",") if b]


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


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
    from bridge.relay import Relay
    from damrongdham.addresses import Addresses

    return Relay(store, Addresses.for_domain(BRIDGE_DOMAIN))


@pytest.fixture
def db_store(db_url: str):
    """A migrated case store on each backend of `db_url` (SQLite and PostgreSQL)."""
    from casestore import CaseStore

    s = CaseStore(db_url)
    s.migrate()
    yield s
    s.close()
