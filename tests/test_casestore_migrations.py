"""Alembic migrations: idempotent, concurrent-safe, and matching the models."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from casestore import CaseStore
from casestore.models import Base

TABLES = {
    "cases",
    "case_messages",
    "case_events",
    "case_counters",
    "web_sessions",
    "api_keys",
    "rate_limits",
    "outbox",
    "case_ratings",
    "alembic_version",
}
HEAD = "0004"


def current_revision(store: CaseStore) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_migrate_twice_is_a_no_op(db_url: str) -> None:
    with CaseStore(db_url) as store:
        assert current_revision(store) is None
        store.migrate()
        assert current_revision(store) == HEAD
        ref = store.open_case(centre="c", province=None, citizen_jid="a@x", body="x").case.ref
        store.migrate()
    with CaseStore(db_url) as again:
        again.migrate()
        assert current_revision(again) == HEAD
        assert set(inspect(again.engine).get_table_names()) == TABLES
        assert again.get(ref) is not None and again.count() == 1


def test_migrated_schema_matches_models(db_url: str) -> None:
    with CaseStore(db_url) as store:
        store.migrate()
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, Base.metadata) == []


def test_concurrent_migrate_on_a_fresh_database(db_url: str) -> None:
    stores = [CaseStore(db_url) for _ in range(3)]
    barrier = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def run(store: CaseStore) -> None:
        barrier.wait()
        try:
            store.migrate()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(current_revision(s) == HEAD for s in stores)
    for s in stores:
        s.close()
