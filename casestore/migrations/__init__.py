"""Alembic migrations of the case database (run by ``CaseStore.migrate()``)."""
