"""Cheaper bulk loads of persons, learners and staff: the person name index goes (name search
matches anywhere in a name, which a b-tree cannot serve; maintaining it in random order was the
dearest part of loading millions of persons), and on PostgreSQL the timestamps of the three
bulk tables default to now(), so a COPY can leave them out.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BULK_TABLES = ("person", "learner", "staff")


def upgrade() -> None:
    op.drop_index("ix_person_name_folded", table_name="person")
    # Only the PostgreSQL COPY path leaves the timestamps out; SQLite is always given them (and
    # would need a table rebuild to change a default).
    if op.get_bind().dialect.name == "postgresql":
        for table in BULK_TABLES:
            for column in ("created_at", "updated_at"):
                op.alter_column(table, column, server_default=sa.func.now())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in BULK_TABLES:
            for column in ("created_at", "updated_at"):
                op.alter_column(table, column, server_default=None)
    op.create_index("ix_person_name_folded", "person", ["name_folded"])
