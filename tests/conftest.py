"""Shared pytest fixtures: databases (SQLite and the machine's PostgreSQL).

One setting picks the databases of the whole suite, DAMRONGDHAM_TEST_DB:
  unset or "sqlite,postgres"  db_url tests on both; stacks (`damrongdham up`) on SQLite
  "postgres"                  everything on PostgreSQL: db_url tests and every stack a test
                              starts (a fresh schema each, dropped at the end of the session)
  "sqlite"                    everything on SQLite
Tests read a stack's case store through `RunningStack.db_url`, never a file path.

Case stores for tests without a stack (migrated, closed after the test):
  store      a fresh SQLite file; in a module marked ``pytestmark = pytest.mark.every_backend``
             the same store on each backend above, one test run per backend
  db_store   on each backend above, for modules that also use the SQLite ``store``
Modules needing more from a store (settings, a clock) add fixtures beside it, not another
``store``."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "every_backend: the module's `store` fixture runs on each backend of "
        f"{TEST_DB_ENV} (SQLite and PostgreSQL by default), not only on SQLite",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`store` in a module marked ``every_backend``: one run per backend, ids as `db_url`'s."""
    if "store" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "every_backend"
    ):
        metafunc.parametrize("store", BACKENDS, indirect=True, ids=BACKENDS)


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on `backend`: a SQLite file, or a new PostgreSQL schema
    (dropped at the end)."""
    if backend == "sqlite":
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


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL schema."""
    with _database(request.param, tmp_path) as url:
        yield url


@contextmanager
def _migrated_store(url: str):
    from casestore import CaseStore

    s = CaseStore(url)
    try:
        s.migrate()
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    """One `damrongdham up` for the whole session (Prosody, bot, bridge, web)."""
    from xmpp_helpers import start_stack

    running = start_stack(tmp_path_factory.mktemp("stack") / "data")
    try:
        yield running
    finally:
        running.stop()


# -- case stores, and for bridge tests without XMPP a relay on one --------------------------
# Modules whose relay needs more (presence, agencies) define their own ``relay``.

BRIDGE_DOMAIN = "damrongdham.localhost"


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """A migrated case store in a fresh SQLite file, closed after the test; in a module
    marked ``every_backend``, on each backend in turn (see `pytest_generate_tests`)."""
    backend = getattr(request, "param", "sqlite")
    with _database(backend, tmp_path) as url, _migrated_store(url) as s:
        yield s


@pytest.fixture
def relay(store):
    """The case relay on ``store`` for ``damrongdham.localhost``."""
    from bots.relay import Relay
    from kernel.addresses import Addresses

    return Relay(store, Addresses.for_domain(BRIDGE_DOMAIN))


@pytest.fixture
def db_store(db_url: str):
    """A migrated case store on each backend of `db_url` (SQLite and PostgreSQL)."""
    with _migrated_store(db_url) as s:
        yield s
