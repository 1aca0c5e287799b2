"""Alembic migrations: idempotent, concurrent-safe, and matching the models."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

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
HEAD = "0005"


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


def test_urgency_levels_migration_maps_existing_cases_and_downgrades(db_url: str) -> None:
    """0005: an urgent case stored before levels existed becomes an emergency, the others
    normal; nothing else of the case changes; downgrading drops the column only."""
    from alembic import command
    from sqlalchemy import text

    from casestore.migrate import alembic_config, upgrade

    with CaseStore(db_url) as store:
        upgrade(store.engine, "0004")
        refs = {True: "TH57-2569-000001", False: "TH57-2569-000002"}
        with store.engine.begin() as conn:  # as a 0004 server wrote them
            for urgent, ref in refs.items():
                conn.execute(text(
                    "INSERT INTO cases (ref, centre, province, district, citizen_jid, status,"
                    " type, topic, urgent, urgent_reason, summary, assigned_to, channel,"
                    " pin_hash, created_at, updated_at) VALUES (:ref, 'c', 'TH-57', NULL,"
                    " 'a@x', 'new', 'complaint', 'other', :urgent, :reason, :summary, NULL,"
                    " 'xmpp', 'h', :at, :at)"
                ), {"ref": ref, "urgent": urgent, "reason": "fire" if urgent else None,
                    "summary": "ไฟไหม้" if urgent else "ถนนพัง", "at": datetime.now(UTC)})
    with CaseStore(db_url) as store:
        upgrade(store.engine)
        assert current_revision(store) == HEAD
        got = {urgent: store.get(ref) for urgent, ref in refs.items()}
        assert (got[True].urgency, got[True].urgent, got[True].urgent_reason) == (
            "emergency", True, "fire")
        assert (got[False].urgency, got[False].urgent) == ("normal", False)
        store.add_message(refs[True], "agent", "c@d", "รับเรื่องแล้ว")
        with store.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0004")
        with store.engine.connect() as conn:  # the downgrade kept messages and events
            assert conn.execute(text("SELECT count(*) FROM case_messages")).scalar() == 1
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT ref, urgent, summary FROM cases ORDER BY ref")).all()
        assert [(r[0], bool(r[1]), r[2]) for r in rows] == sorted(
            [(refs[True], True, "ไฟไหม้"), (refs[False], False, "ถนนพัง")])
        assert "urgency" not in {c["name"] for c in inspect(store.engine).get_columns("cases")}
