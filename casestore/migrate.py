"""Programmatic Alembic: no alembic.ini needed at runtime."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from .engine import WRITE

MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK = 0x44414D52  # "DAMR": serialises concurrent migrate() calls on PostgreSQL


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config for the case store's migrations, bound to a connection or URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` in one transaction (a no-op when already there)."""
    with engine.execution_options(**{WRITE: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        command.upgrade(alembic_config(conn), revision)
