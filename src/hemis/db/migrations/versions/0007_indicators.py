"""Indicators: computed results, definitions versions, population tables.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same policy as 0001/0003: a national scope sees everything, an institution its own rows.
TENANT_CHECK = (
    "current_setting('hemis.national', true) = 'on' OR institution_id = "
    "nullif(current_setting('hemis.institution_id', true), '')::bigint"
)
NATIONAL_TABLES = ("indicator_cube", "population_by_age")


def upgrade() -> None:
    op.create_table(
        "indicator_result",
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("indicator_id", sa.String(length=40), nullable=False),
        sa.Column("definition_version", sa.SmallInteger(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=7), nullable=False),
        sa.Column("reason_vi", sa.Text(), nullable=True),
        sa.Column("reason_en", sa.Text(), nullable=True),
        sa.Column("threshold_verified", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pass', 'fail', 'unknown', 'na', 'info')",
            name=op.f("ck_indicator_result_status_code"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_indicator_result_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_indicator_result")),
        sa.UniqueConstraint(
            "institution_id",
            "indicator_id",
            "definition_version",
            "year",
            name="uq_indicator_result_key",
        ),
    )
    with op.batch_alter_table("indicator_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_result_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_indicator_result_year"), ["year"], unique=False)

    op.create_table(
        "indicator_cube",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("field_code", sa.String(length=3), nullable=False),
        sa.Column("isced_code", sa.String(length=4), nullable=False),
        sa.Column("province_code", sa.String(length=3), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("ownership", sa.String(length=20), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("degree", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=20), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_cube")),
    )
    with op.batch_alter_table("indicator_cube", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_cube_year"), ["year"], unique=False)

    op.create_table(
        "population_by_age",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("age", sa.SmallInteger(), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.CheckConstraint("age >= 0 AND age <= 120", name=op.f("ck_population_by_age_age")),
        sa.CheckConstraint("population >= 0", name=op.f("ck_population_by_age_population")),
        sa.CheckConstraint(
            "sex IN ('male', 'female', 'total')", name=op.f("ck_population_by_age_sex_code")
        ),
        sa.PrimaryKeyConstraint("year", "age", "sex", name=op.f("pk_population_by_age")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE indicator_result ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE indicator_result FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_isolation ON indicator_result "
            f"USING ({TENANT_CHECK}) WITH CHECK ({TENANT_CHECK})"
        )
        op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON indicator_result TO hemis_app")
        for table in NATIONAL_TABLES:
            op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO hemis_app")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON indicator_result")
    op.drop_table("population_by_age")
    with op.batch_alter_table("indicator_cube", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_cube_year"))
    op.drop_table("indicator_cube")
    with op.batch_alter_table("indicator_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_result_year"))
        batch_op.drop_index(batch_op.f("ix_indicator_result_indicator_id"))
    op.drop_table("indicator_result")
