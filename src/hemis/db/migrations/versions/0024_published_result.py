"""The results-day read model: `published_result`, one row per candidate of each published
round, written when the round is published (ADR 0025).

National but personal, like `round_candidate`: on PostgreSQL under forced row-level security, a
row visible in a national scope and to the candidate it belongs to (`hemis.person_id`); only a
national scope writes it. The application role may read and insert, never change a row.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NATIONAL = "current_setting('hemis.national', true) = 'on'"
PERSON = "nullif(current_setting('hemis.person_id', true), '')::bigint"


def upgrade() -> None:
    op.create_table(
        "published_result",
        sa.Column("round_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("round_kind", sa.String(length=16), nullable=False),
        sa.Column("round_final", sa.Boolean(), nullable=False),
        sa.Column("confirm_deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("institution_id", sa.BigInteger(), nullable=True),
        sa.Column("offer_id", sa.BigInteger(), nullable=True),
        sa.Column("offer_code", sa.String(length=30), nullable=True),
        sa.Column("offer_name_vi", sa.String(length=250), nullable=True),
        sa.Column("institution_code", sa.String(length=10), nullable=True),
        sa.Column("institution_name_vi", sa.String(length=200), nullable=True),
        sa.Column("institution_name_en", sa.String(length=200), nullable=True),
        sa.Column("rank", sa.SmallInteger(), nullable=True),
        sa.Column("score_h", sa.Integer(), nullable=True),
        sa.Column("cutoff_h", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("wishes", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["admission_round.id"],
            name=op.f("fk_published_result_round_id_admission_round"),
        ),
        sa.PrimaryKeyConstraint("round_id", "person_id", name=op.f("pk_published_result")),
    )
    op.create_index(
        "ix_published_result_person_year", "published_result", ["person_id", "year"], unique=False
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("GRANT SELECT, INSERT ON published_result TO hemis_app")
    op.execute("ALTER TABLE published_result ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE published_result FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY candidate_isolation ON published_result "
        f"USING ({NATIONAL} OR person_id = {PERSON}) WITH CHECK ({NATIONAL})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS candidate_isolation ON published_result")
    op.drop_index("ix_published_result_person_year", table_name="published_result")
    op.drop_table("published_result")
