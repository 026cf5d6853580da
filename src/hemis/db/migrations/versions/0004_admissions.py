"""Admissions: exam registration, results, offers, wishes, rounds, confirmations.

National tables (a candidate's data, whatever the institution): admission_year, exam_registration,
result_batch, result_score, wish, admission_round, round_snapshot, round_candidate,
enrolment_confirmation. Tenant tables keyed (institution_id, id), with the same row-level
security as 0001: admission_offer, conversion_table, round_offer_result. A round's snapshot is
immutable: the database refuses to update or delete it.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ["admission_offer", "conversion_table", "round_offer_result"]
NATIONAL_TABLES = [
    "admission_year",
    "exam_registration",
    "result_batch",
    "result_score",
    "wish",
    "admission_round",
    "round_snapshot",
    "round_candidate",
    "enrolment_confirmation",
]
TENANT_CHECK = (
    "current_setting('hemis.national', true) = 'on' OR institution_id = "
    "nullif(current_setting('hemis.institution_id', true), '')::bigint"
)
ELECTIVES = (
    "'foreign_language', 'history', 'physics', 'chemistry', 'biology', 'geography', "
    "'economics_law', 'informatics', 'technology'"
)
METHODS = "method IN ('exam', 'transcript', 'hsa', 'vact', 'tsa')"
YEAR = "year BETWEEN 2000 AND 2100"


def _stamps() -> list[sa.Column[dt.datetime]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False)


def _institution() -> sa.Column[int]:
    return sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False)


def _year_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["year"], ["admission_year.year"], name=op.f(f"fk_{table}_year_admission_year")
    )


def _institution_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["institution_id"], ["institution.id"], name=op.f(f"fk_{table}_institution_id_institution")
    )


def upgrade() -> None:
    op.create_table(
        "admission_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("wish_cap", sa.Integer(), nullable=True),
        sa.Column("teacher_wish_limit", sa.Integer(), nullable=True),
        sa.Column("registration_opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wishes_open_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wishes_close_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirm_deadline_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "wish_cap IS NULL OR wish_cap >= 1", name=op.f("ck_admission_year_wish_cap")
        ),
        sa.CheckConstraint(YEAR, name=op.f("ck_admission_year_year")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_admission_year")),
    )
    op.create_table(
        "admission_round",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=13), nullable=False),
        sa.Column("is_final", sa.Boolean(), nullable=False),
        sa.Column("tie_policy", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=11), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        _id(),
        sa.CheckConstraint(
            "kind IN ('regular', 'supplementary')", name=op.f("ck_admission_round_kind_code")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'snapshotted', 'run', 'published')",
            name=op.f("ck_admission_round_status_code"),
        ),
        sa.CheckConstraint(
            "tie_policy IN ('group', 'strict')", name=op.f("ck_admission_round_tie_policy_code")
        ),
        _year_fk("admission_round"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_round")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_admission_round_year_number")),
    )
    op.create_table(
        "exam_registration",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("candidate_number", sa.String(length=8), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=False),
        sa.Column("school_name", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=2), nullable=True),
        sa.Column("graduation_year", sa.Integer(), nullable=False),
        sa.Column("elective1", sa.String(length=16), nullable=False),
        sa.Column("elective2", sa.String(length=16), nullable=False),
        sa.Column("foreign_language", sa.String(length=2), nullable=True),
        sa.Column("technology_track", sa.String(length=11), nullable=True),
        sa.Column("exam_site", sa.String(length=10), nullable=False),
        _id(),
        *_stamps(),
        sa.CheckConstraint(
            "area IN ('KV1', 'KV2-NT', 'KV2', 'KV3')", name=op.f("ck_exam_registration_area_code")
        ),
        sa.CheckConstraint(
            "category IS NULL OR category IN ('01','02','03','04','05','06','07')",
            name=op.f("ck_exam_registration_category_code"),
        ),
        sa.CheckConstraint(
            f"elective1 IN ({ELECTIVES})", name=op.f("ck_exam_registration_elective1_code")
        ),
        sa.CheckConstraint(
            f"elective2 IN ({ELECTIVES})", name=op.f("ck_exam_registration_elective2_code")
        ),
        sa.CheckConstraint(
            "elective1 <> elective2", name=op.f("ck_exam_registration_electives_differ")
        ),
        sa.CheckConstraint(YEAR, name=op.f("ck_exam_registration_year")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_exam_registration_person_id_person")
        ),
        _year_fk("exam_registration"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_registration")),
        sa.UniqueConstraint(
            "year", "candidate_number", name=op.f("uq_exam_registration_year_candidate_number")
        ),
        sa.UniqueConstraint("year", "person_id", name=op.f("uq_exam_registration_year_person_id")),
    )
    op.create_index(
        op.f("ix_exam_registration_person_id"), "exam_registration", ["person_id"], unique=False
    )
    op.create_table(
        "result_batch",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        _id(),
        sa.CheckConstraint(METHODS, name=op.f("ck_result_batch_method_code")),
        _year_fk("result_batch"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_batch")),
    )
    op.create_table(
        "admission_offer",
        _institution(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name_vi", sa.String(length=250), nullable=False),
        sa.Column("discipline_code", sa.String(length=7), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("method_quotas", sa.JSON(), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("combinations", sa.JSON(), nullable=False),
        sa.Column("floor_h", sa.Integer(), nullable=False),
        sa.Column("tiebreaks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=6), nullable=False),
        _id(),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_admission_offer_status_code")
        ),
        sa.CheckConstraint("floor_h BETWEEN 0 AND 3000", name=op.f("ck_admission_offer_floor")),
        sa.CheckConstraint("quota >= 0", name=op.f("ck_admission_offer_quota")),
        sa.CheckConstraint(YEAR, name=op.f("ck_admission_offer_year")),
        sa.ForeignKeyConstraint(
            ["institution_id", "program_id"],
            ["program.institution_id", "program.id"],
            name=op.f("fk_admission_offer_institution_id_program_id_program"),
        ),
        _institution_fk("admission_offer"),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_admission_offer")),
        sa.UniqueConstraint(
            "institution_id",
            "year",
            "code",
            name=op.f("uq_admission_offer_institution_id_year_code"),
        ),
    )
    op.create_index("ix_admission_offer_year", "admission_offer", ["year"], unique=False)
    op.create_table(
        "conversion_table",
        _institution(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        _id(),
        *_stamps(),
        sa.CheckConstraint(METHODS, name=op.f("ck_conversion_table_method_code")),
        sa.CheckConstraint(YEAR, name=op.f("ck_conversion_table_year")),
        _institution_fk("conversion_table"),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_conversion_table")),
        sa.UniqueConstraint(
            "institution_id",
            "year",
            "method",
            name=op.f("uq_conversion_table_institution_id_year_method"),
        ),
    )
    op.create_table(
        "enrolment_confirmation",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("institution_id", sa.BigInteger(), nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.String(length=12), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        _id(),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_enrolment_confirmation_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["admission_round.id"],
            name=op.f("fk_enrolment_confirmation_round_id_admission_round"),
        ),
        _year_fk("enrolment_confirmation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_confirmation")),
        sa.UniqueConstraint(
            "year", "person_id", name=op.f("uq_enrolment_confirmation_year_person_id")
        ),
    )
    op.create_table(
        "result_score",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=24), nullable=False),
        sa.Column("score_h", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(METHODS, name=op.f("ck_result_score_method_code")),
        sa.CheckConstraint("score_h >= 0", name=op.f("ck_result_score_score")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["result_batch.id"], name=op.f("fk_result_score_batch_id_result_batch")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_result_score_person_id_person")
        ),
        sa.PrimaryKeyConstraint(
            "year", "person_id", "method", "subject", name=op.f("pk_result_score")
        ),
    )
    op.create_index(op.f("ix_result_score_batch_id"), "result_score", ["batch_id"], unique=False)
    op.create_table(
        "round_candidate",
        sa.Column("round_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("institution_id", sa.BigInteger(), nullable=True),
        sa.Column("offer_id", sa.BigInteger(), nullable=True),
        sa.Column("bucket", sa.String(length=12), nullable=True),
        sa.Column("rank", sa.SmallInteger(), nullable=True),
        sa.Column("score_h", sa.Integer(), nullable=True),
        sa.Column("wishes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["admission_round.id"],
            name=op.f("fk_round_candidate_round_id_admission_round"),
        ),
        sa.PrimaryKeyConstraint("round_id", "person_id", name=op.f("pk_round_candidate")),
    )
    op.create_index("ix_round_candidate_person", "round_candidate", ["person_id"], unique=False)
    op.create_table(
        "round_snapshot",
        sa.Column("round_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["admission_round.id"],
            name=op.f("fk_round_snapshot_round_id_admission_round"),
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_snapshot")),
    )
    op.create_table(
        "round_offer_result",
        _institution(),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.String(length=12), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("applicants", sa.Integer(), nullable=False),
        sa.Column("admitted", sa.Integer(), nullable=False),
        sa.Column("cutoff_h", sa.Integer(), nullable=True),
        _id(),
        sa.ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
            name=op.f("fk_round_offer_result_institution_id_offer_id_admission_offer"),
        ),
        _institution_fk("round_offer_result"),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["admission_round.id"],
            name=op.f("fk_round_offer_result_round_id_admission_round"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_round_offer_result")),
        sa.UniqueConstraint(
            "institution_id",
            "round_id",
            "offer_id",
            "bucket",
            name=op.f("uq_round_offer_result_institution_id_round_id_offer_id_bucket"),
        ),
    )
    op.create_index("ix_round_offer_result_round", "round_offer_result", ["round_id"], unique=False)
    op.create_table(
        "wish",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("institution_id", sa.BigInteger(), nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        _id(),
        *_stamps(),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_wish_rank")),
        sa.ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
            name=op.f("fk_wish_institution_id_offer_id_admission_offer"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_wish_person_id_person")
        ),
        _year_fk("wish"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wish")),
        sa.UniqueConstraint(
            "year",
            "person_id",
            "institution_id",
            "offer_id",
            name=op.f("uq_wish_year_person_id_institution_id_offer_id"),
        ),
        sa.UniqueConstraint("year", "person_id", "rank", name=op.f("uq_wish_year_person_id_rank")),
    )
    op.create_index("ix_wish_offer", "wish", ["institution_id", "offer_id"], unique=False)
    protect_snapshots()
    if op.get_bind().dialect.name == "postgresql":
        enable_row_level_security()


def protect_snapshots() -> None:
    """A round's snapshot is immutable: updates and deletes are refused by the database."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION round_snapshot_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'round snapshots are immutable'; END $$"
        )
        op.execute(
            "CREATE TRIGGER round_snapshot_immutable BEFORE UPDATE OR DELETE ON round_snapshot "
            "FOR EACH ROW EXECUTE FUNCTION round_snapshot_immutable()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER round_snapshot_no_{event.lower()} BEFORE {event} "
                "ON round_snapshot BEGIN SELECT RAISE(ABORT, 'round snapshots are immutable'); END"
            )


def enable_row_level_security() -> None:
    """The policy of 0001 on the tenant tables, and the application role's grants."""
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING ({TENANT_CHECK}) WITH CHECK ({TENANT_CHECK})"
        )
    tables = ", ".join([*TENANT_TABLES, *NATIONAL_TABLES])
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO hemis_app")
    op.execute("REVOKE UPDATE, DELETE ON round_snapshot FROM hemis_app")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute("DROP TRIGGER IF EXISTS round_snapshot_immutable ON round_snapshot")
        op.execute("DROP FUNCTION IF EXISTS round_snapshot_immutable()")
    op.drop_index("ix_wish_offer", table_name="wish")
    op.drop_table("wish")
    op.drop_index("ix_round_offer_result_round", table_name="round_offer_result")
    op.drop_table("round_offer_result")
    op.drop_table("round_snapshot")
    op.drop_index("ix_round_candidate_person", table_name="round_candidate")
    op.drop_table("round_candidate")
    op.drop_index(op.f("ix_result_score_batch_id"), table_name="result_score")
    op.drop_table("result_score")
    op.drop_table("enrolment_confirmation")
    op.drop_table("conversion_table")
    op.drop_index("ix_admission_offer_year", table_name="admission_offer")
    op.drop_table("admission_offer")
    op.drop_table("result_batch")
    op.drop_index(op.f("ix_exam_registration_person_id"), table_name="exam_registration")
    op.drop_table("exam_registration")
    op.drop_table("admission_round")
    op.drop_table("admission_year")
