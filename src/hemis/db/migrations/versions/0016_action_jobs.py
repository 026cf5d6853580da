"""Action jobs: long ministry actions run in the background with recorded progress.

Revision ID: 0016
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = "status IN ('queued', 'running', 'succeeded', 'failed')"


def upgrade() -> None:
    op.create_table(
        "action_job",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("lock_key", sa.String(length=120), nullable=False),
        sa.Column("active_key", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("processed", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_role", sa.String(length=30), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.CheckConstraint(STATUS, name=op.f("ck_action_job_status_code")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_job")),
        sa.UniqueConstraint("active_key", name=op.f("uq_action_job_active_key")),
    )
    with op.batch_alter_table("action_job", schema=None) as batch_op:
        batch_op.create_index("ix_action_job_status", ["status"], unique=False)
        batch_op.create_index("ix_action_job_kind_created", ["kind", "created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # A national table: no row-level policy; the application role never deletes a job.
        op.execute("GRANT SELECT, INSERT, UPDATE ON action_job TO hemis_app")


def downgrade() -> None:
    with op.batch_alter_table("action_job", schema=None) as batch_op:
        batch_op.drop_index("ix_action_job_kind_created")
        batch_op.drop_index("ix_action_job_status")
    op.drop_table("action_job")
