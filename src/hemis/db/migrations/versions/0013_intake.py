"""Admissions into the registry: `learner_admission` (tenant) keeps, for each learner the intake
wrote or recognised, the admission year, round, offer, method and score, and the student code
the intake allocated; confirmations get an index by institution (the intake reads them so). A
supplementary round gets its own confirmation deadline
(`admission_round.confirm_deadline_at`), and the year the date its admitted learners start on
(`admission_year.term_starts_on`).

Revision ID: 0013
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "learner_admission"
TENANT_CHECK = (
    "current_setting('hemis.national', true) = 'on' OR institution_id = "
    "nullif(current_setting('hemis.institution_id', true), '')::bigint"
)


def upgrade() -> None:
    with op.batch_alter_table("admission_year") as batch:
        batch.add_column(sa.Column("term_starts_on", sa.Date(), nullable=True))
    with op.batch_alter_table("admission_round") as batch:
        batch.add_column(
            sa.Column("confirm_deadline_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_index(
        "ix_enrolment_confirmation_institution",
        "enrolment_confirmation",
        ["institution_id", "year"],
    )
    op.create_table(
        TABLE,
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.String(length=12), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("score_h", sa.Integer(), nullable=False),
        sa.Column("student_code", sa.String(length=30), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method IN ('exam', 'transcript', 'hsa', 'vact', 'tsa')",
            name=op.f("ck_learner_admission_method_code"),
        ),
        sa.CheckConstraint("score_h >= 0", name=op.f("ck_learner_admission_score")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_learner_admission_year")),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_learner_admission_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "learner_id"],
            ["learner.institution_id", "learner.id"],
            name=op.f("fk_learner_admission_institution_id_learner_id_learner"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
            name=op.f("fk_learner_admission_institution_id_offer_id_admission_offer"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_learner_admission_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["year"], ["admission_year.year"], name=op.f("fk_learner_admission_year_admission_year")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["admission_round.id"],
            name=op.f("fk_learner_admission_round_id_admission_round"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_learner_admission")),
        sa.UniqueConstraint(
            "institution_id",
            "learner_id",
            name=op.f("uq_learner_admission_institution_id_learner_id"),
        ),
        sa.UniqueConstraint(
            "institution_id",
            "year",
            "person_id",
            name=op.f("uq_learner_admission_institution_id_year_person_id"),
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {TABLE} "
            f"USING ({TENANT_CHECK}) WITH CHECK ({TENANT_CHECK})"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO hemis_app")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {TABLE}")
    op.drop_table(TABLE)
    op.drop_index("ix_enrolment_confirmation_institution", table_name="enrolment_confirmation")
    with op.batch_alter_table("admission_round") as batch:
        batch.drop_column("confirm_deadline_at")
    with op.batch_alter_table("admission_year") as batch:
        batch.drop_column("term_starts_on")
