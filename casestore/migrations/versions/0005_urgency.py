"""Urgency levels: emergency, hazard, normal (issue 16).

Existing cases: urgent ones become ``emergency``, the others ``normal`` (a hazard was never
told apart before). Downgrade drops the column; ``urgent`` still says which were emergencies.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("urgency", sa.String(16), nullable=False, server_default="normal")
        )
    cases = sa.table("cases", sa.column("urgent", sa.Boolean), sa.column("urgency", sa.String))
    op.execute(cases.update().where(cases.c.urgent.is_(True)).values(urgency="emergency"))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite ≥ 3.35): a batch copy of ``cases`` would
    # drop the old table and, through ON DELETE CASCADE, every message and event.
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("urgency")
