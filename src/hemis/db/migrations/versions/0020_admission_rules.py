"""Admission rules as the regulations say (issue 16).

- `admission_offer.weights`: subject weights of an offer's combinations (e.g. {"math": 2}); the
  offer's scores, floor and cutoffs are on its own scale (40 with one subject doubled), so the
  floor's check allows up to 90 (three subjects of weight 3).
- `bonus_table` (tenant): an institution's published bonus-point tables (language certificates,
  awards); `candidate_achievement` (national): a candidate's certificates and awards with their
  provenance; `direct_admission` (national, naming the institution): direct and priority
  admission outside the matching, answered by the candidate.
- `round_candidate.path`: admitted outside the matching; `round_offer_result.direct`: the seats
  those paths took out of the quota before the matching.
- `round_distribution` (national, public once the round is published): each program's score
  distribution in a round, small cells suppressed.
- `admission_year.unpaid_wishes_count`: whether wishes without a paid fee enter the rounds.
- PostgreSQL: row-level security — bonus tables per institution; achievements visible to the
  candidate they belong to; direct admissions to the candidate and the institution.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hemis.db.types import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NATIONAL = "current_setting('hemis.national', true) = 'on'"
INSTITUTION = "nullif(current_setting('hemis.institution_id', true), '')::bigint"
PERSON = "nullif(current_setting('hemis.person_id', true), '')::bigint"
TENANT_CHECK = f"{NATIONAL} OR institution_id = {INSTITUTION}"
POLICIES: dict[str, tuple[str, str]] = {  # table: (USING, WITH CHECK)
    "bonus_table": (TENANT_CHECK, TENANT_CHECK),
    "candidate_achievement": (f"{NATIONAL} OR person_id = {PERSON}", NATIONAL),
    "direct_admission": (
        f"{NATIONAL} OR person_id = {PERSON} OR institution_id = {INSTITUTION}",
        f"{NATIONAL} OR person_id = {PERSON} OR institution_id = {INSTITUTION}",
    ),
}


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    ]


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
    _create_tables()
    op.add_column(
        "admission_year",
        sa.Column("unpaid_wishes_count", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("round_candidate", sa.Column("path", sa.String(length=12), nullable=True))
    op.add_column(
        "round_offer_result",
        sa.Column("direct", sa.Integer(), server_default="0", nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, (using, check) in POLICIES.items():
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            name = "tenant_isolation" if table == "bonus_table" else "candidate_isolation"
            op.execute(f"CREATE POLICY {name} ON {table} USING ({using}) WITH CHECK ({check})")
            op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO hemis_app")
        # published with the round, never changed: no UPDATE or DELETE for the application
        op.execute("GRANT SELECT, INSERT ON round_distribution TO hemis_app")


def _create_tables() -> None:
    op.create_table(
        "bonus_table",
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        *_stamps(),
        sa.CheckConstraint("kind IN ('language', 'award')", name=op.f("ck_bonus_table_kind_code")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_bonus_table_year")),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_bonus_table_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_bonus_table")),
        sa.UniqueConstraint(
            "institution_id", "year", "kind", name=op.f("uq_bonus_table_institution_id_year_kind")
        ),
    )
    op.create_table(
        "candidate_achievement",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("score_h", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("document", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "kind IN ('language', 'award')", name=op.f("ck_candidate_achievement_kind_code")
        ),
        sa.CheckConstraint(
            "score_h IS NULL OR score_h >= 0", name=op.f("ck_candidate_achievement_score")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_candidate_achievement_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["admission_year.year"],
            name=op.f("fk_candidate_achievement_year_admission_year"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_achievement")),
        sa.UniqueConstraint(
            "year",
            "person_id",
            "kind",
            "code",
            name=op.f("uq_candidate_achievement_year_person_id_kind_code"),
        ),
    )
    op.create_index(
        "ix_candidate_achievement_person", "candidate_achievement", ["person_id"], unique=False
    )
    op.create_table(
        "direct_admission",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("institution_id", sa.BigInteger(), nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.String(length=8), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "path IN ('direct', 'priority')", name=op.f("ck_direct_admission_path_code")
        ),
        sa.CheckConstraint(
            "status IN ('offered', 'accepted', 'declined')",
            name=op.f("ck_direct_admission_status_code"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
            name=op.f("fk_direct_admission_institution_id_offer_id_admission_offer"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_direct_admission_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["year"], ["admission_year.year"], name=op.f("fk_direct_admission_year_admission_year")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_admission")),
        sa.UniqueConstraint(
            "year",
            "person_id",
            "institution_id",
            "offer_id",
            name=op.f("uq_direct_admission_year_person_id_institution_id_offer_id"),
        ),
    )
    op.create_index("ix_direct_admission_offer", "direct_admission", ["institution_id", "offer_id"])
    op.create_index("ix_direct_admission_person", "direct_admission", ["person_id"])
    op.create_table(
        "round_distribution",
        sa.Column("round_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("offer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.String(length=12), nullable=False),
        sa.Column("bins", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["admission_round.id"],
            name=op.f("fk_round_distribution_round_id_admission_round"),
        ),
        sa.PrimaryKeyConstraint(
            "round_id", "institution_id", "offer_id", "bucket", name=op.f("pk_round_distribution")
        ),
    )
    op.create_index(
        "ix_round_distribution_offer", "round_distribution", ["institution_id", "offer_id"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in POLICIES:
            name = "tenant_isolation" if table == "bonus_table" else "candidate_isolation"
            op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
    with op.batch_alter_table("admission_year", schema=None) as batch_op:
        batch_op.drop_column("unpaid_wishes_count")
    with op.batch_alter_table("round_offer_result", schema=None) as batch_op:
        batch_op.drop_column("direct")
    with op.batch_alter_table("round_candidate", schema=None) as batch_op:
        batch_op.drop_column("path")
    op.drop_index("ix_round_distribution_offer", table_name="round_distribution")
    op.drop_table("round_distribution")
    op.drop_table("direct_admission")
    op.drop_table("candidate_achievement")
    op.drop_table("bonus_table")
    _floor_check(3000)
    with op.batch_alter_table("admission_offer", schema=None) as batch_op:
        batch_op.drop_column("weights")
