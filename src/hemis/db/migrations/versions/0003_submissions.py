"""Submissions: reporting-period lifecycle, files, issues, overrides, sign-off snapshots.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ["submission", "submission_job", "submission_answer", "submission_snapshot"]
# The same policy as 0001: a national scope sees everything, an institution scope its own rows.
TENANT_CHECK = (
    "current_setting('hemis.national', true) = 'on' OR institution_id = "
    "nullif(current_setting('hemis.institution_id', true), '')::bigint"
)


def _tenant_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
    ]


def _owner_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["institution_id"],
        ["institution.id"],
        name=op.f(f"fk_{table}_institution_id_institution"),
    )


def _submission_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["institution_id", "submission_id"],
        ["submission.institution_id", "submission.id"],
        name=op.f(f"fk_{table}_institution_id_submission_id_submission"),
    )


def upgrade() -> None:
    op.create_table(
        "submission",
        *_tenant_columns(),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("previous_id", sa.BigInteger(), nullable=True),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_name", sa.String(length=150), nullable=True),
        sa.Column("signed_by_title", sa.String(length=150), nullable=True),
        sa.Column("signed_off_by", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.Column("diff", sa.JSON(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'validated', 'submitted', 'accepted', 'returned')",
            name=op.f("ck_submission_status_code"),
        ),
        _owner_fk("submission"),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["reporting_period.id"],
            name=op.f("fk_submission_period_id_reporting_period"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_submission")),
        sa.UniqueConstraint(
            "institution_id",
            "period_id",
            "version",
            name=op.f("uq_submission_institution_id_period_id_version"),
        ),
    )
    op.create_table(
        "submission_job",
        *_tenant_columns(),
        sa.Column("submission_id", sa.BigInteger(), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("full_replacement", sa.Boolean(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("processed", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("issues", sa.LargeBinary(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'applied', 'checked', 'rejected', 'failed')",
            name=op.f("ck_submission_job_status_code"),
        ),
        _owner_fk("submission_job"),
        _submission_fk("submission_job"),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_submission_job")),
    )
    with op.batch_alter_table("submission_job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_job_submission_id"), ["submission_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_submission_job_status"), ["status"], unique=False)

    op.create_table(
        "submission_answer",
        *_tenant_columns(),
        sa.Column("submission_id", sa.BigInteger(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=11), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('explanation', 'override')", name=op.f("ck_submission_answer_kind_code")
        ),
        sa.CheckConstraint(
            "status IN ('noted', 'pending', 'approved', 'rejected')",
            name=op.f("ck_submission_answer_status_code"),
        ),
        _owner_fk("submission_answer"),
        _submission_fk("submission_answer"),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_submission_answer")),
        sa.UniqueConstraint(
            "institution_id",
            "submission_id",
            "entity",
            "rule",
            name=op.f("uq_submission_answer_institution_id_submission_id_entity_rule"),
        ),
    )
    op.create_table(
        "submission_snapshot",
        *_tenant_columns(),
        sa.Column("submission_id", sa.BigInteger(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("fingerprints", sa.LargeBinary(), nullable=False),
        _owner_fk("submission_snapshot"),
        _submission_fk("submission_snapshot"),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_submission_snapshot")),
        sa.UniqueConstraint(
            "institution_id",
            "submission_id",
            "entity",
            name=op.f("uq_submission_snapshot_institution_id_submission_id_entity"),
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        enable_row_level_security()


def enable_row_level_security() -> None:
    """The pattern of 0001: FORCEd row-level security, and the app role may read and write."""
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING ({TENANT_CHECK}) WITH CHECK ({TENANT_CHECK})"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO hemis_app")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.drop_table("submission_snapshot")
    op.drop_table("submission_answer")
    with op.batch_alter_table("submission_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_job_status"))
        batch_op.drop_index(batch_op.f("ix_submission_job_submission_id"))
    op.drop_table("submission_job")
    op.drop_table("submission")
