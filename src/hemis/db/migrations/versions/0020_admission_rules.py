"""Admission rules as the regulations say (issue 16).

- `admission_offer.weights`: subject weights of an offer's combinations (e.g. {"math": 2}); the
  offer's scores, floor and cutoffs are on its own scale (40 with one subject doubled), so the
  floor's check allows up to 90 (three subjects of weight 3).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _floor_check(high: int) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite rebuilds the table to change a check; the tables that reference it are checked
        # at commit, when the rebuilt table carries the name again.
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table("admission_offer", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_admission_offer_floor"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_admission_offer_floor"), sa.text(f"floor_h BETWEEN 0 AND {high}")
        )


def upgrade() -> None:
    op.add_column(
        "admission_offer",
        sa.Column("weights", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )
    _floor_check(9000)


def downgrade() -> None:
    _floor_check(3000)
    with op.batch_alter_table("admission_offer", schema=None) as batch_op:
        batch_op.drop_column("weights")
