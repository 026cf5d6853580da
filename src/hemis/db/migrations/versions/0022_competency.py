"""Digital competency of learners (Circular 02/2025/TT-BGDĐT): the framework's tables (loaded
from hemis/competency/data), program targets, assessments (one row per sitting, levels one
character per competency position), self-assessments, credentials and the indicator cube.

PostgreSQL: the tenant tables (targets, assessments, credentials) get the tenant row-level
policy; the application role may read and write all of them, and never delete a credential
(revocation is an update).

Revision ID: 0022
Revises: 0019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = (
    "'ministry_admin', 'ministry_analyst', 'institution_officer', 'candidate', 'school_officer'"
)
NEW_ROLES = OLD_ROLES + ", 'learner'"
TENANT_TABLES = ("program_competency_target", "competency_assessment", "competency_credential")
NATIONAL_TABLES = (
    "competency_framework",
    "competency_domain",
    "competency",
    "competency_level",
    "competency_self_assessment",
    "competency_indicator",
)
TENANT_CHECK = (
    "current_setting('hemis.national', true) = 'on' OR institution_id = "
    "nullif(current_setting('hemis.institution_id', true), '')::bigint"
)


def upgrade() -> None:
    op.create_table(
        "competency_framework",
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("title_vi", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.String(length=100), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_competency_framework")),
    )
    op.create_table(
        "competency_domain",
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version"],
            ["competency_framework.version"],
            name=op.f("fk_competency_domain_framework_version_competency_framework"),
        ),
        sa.PrimaryKeyConstraint("framework_version", "code", name=op.f("pk_competency_domain")),
    )
    op.create_table(
        "competency_indicator",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("population", sa.String(length=10), nullable=False),
        sa.Column("institution_id", sa.BigInteger(), nullable=False),
        sa.Column("field_code", sa.String(length=3), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("with_target", sa.Integer(), nullable=False),
        sa.Column("assessed", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("below", sa.Integer(), nullable=False),
        sa.Column("gap_sum", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.CheckConstraint(
            "population IN ('learners', 'graduates')",
            name=op.f("ck_competency_indicator_population"),
        ),
        sa.CheckConstraint(
            "scope IN ('competency', 'domain')", name=op.f("ck_competency_indicator_scope")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_competency_indicator_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competency_indicator")),
    )
    with op.batch_alter_table("competency_indicator", schema=None) as batch_op:
        batch_op.create_index(
            "ix_competency_indicator_year", ["year", "population", "scope"], unique=False
        )

    op.create_table(
        "competency_level",
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("code_inferred", sa.Boolean(), nullable=False),
        sa.Column("tier_code", sa.String(length=2), nullable=False),
        sa.Column("tier_name_vi", sa.String(length=50), nullable=False),
        sa.Column("tier_name_en", sa.String(length=80), nullable=False),
        sa.Column("description_vi", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 8", name=op.f("ck_competency_level_level_range")),
        sa.ForeignKeyConstraint(
            ["framework_version"],
            ["competency_framework.version"],
            name=op.f("fk_competency_level_framework_version_competency_framework"),
        ),
        sa.PrimaryKeyConstraint("framework_version", "level", name=op.f("pk_competency_level")),
    )
    op.create_table(
        "competency_self_assessment",
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("competency_code", sa.String(length=4), nullable=False),
        sa.Column("answers", sa.String(length=20), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("band_low", sa.SmallInteger(), nullable=False),
        sa.Column("band_high", sa.SmallInteger(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.CheckConstraint(
            "band_high BETWEEN 1 AND 8", name=op.f("ck_competency_self_assessment_band_high")
        ),
        sa.CheckConstraint(
            "band_low <= band_high", name=op.f("ck_competency_self_assessment_band_order")
        ),
        sa.CheckConstraint(
            "band_low BETWEEN 1 AND 8", name=op.f("ck_competency_self_assessment_band_low")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_competency_self_assessment_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competency_self_assessment")),
    )
    with op.batch_alter_table("competency_self_assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_competency_self_assessment_person", ["person_id", "competency_code"], unique=False
        )

    op.create_table(
        "competency",
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("domain_code", sa.String(length=2), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("digcomp_equivalent", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version", "domain_code"],
            ["competency_domain.framework_version", "competency_domain.code"],
            name=op.f("fk_competency_framework_version_domain_code_competency_domain"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version"],
            ["competency_framework.version"],
            name=op.f("fk_competency_framework_version_competency_framework"),
        ),
        sa.PrimaryKeyConstraint("framework_version", "code", name=op.f("pk_competency")),
        sa.UniqueConstraint(
            "framework_version", "position", name=op.f("uq_competency_framework_version_position")
        ),
    )
    op.create_table(
        "competency_assessment",
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=25), nullable=False),
        sa.Column("evidence_ref", sa.String(length=200), server_default="", nullable=False),
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("levels", sa.String(length=32), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "method IN ('exam', 'coursework', 'certificate', 'validated_self_assessment')",
            name=op.f("ck_competency_assessment_method_code"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version"],
            ["competency_framework.version"],
            name=op.f("fk_competency_assessment_framework_version_competency_framework"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "learner_id"],
            ["learner.institution_id", "learner.id"],
            name=op.f("fk_competency_assessment_institution_id_learner_id_learner"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_competency_assessment_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_competency_assessment")),
        sa.UniqueConstraint(
            "institution_id",
            "learner_id",
            "assessed_on",
            "method",
            "evidence_ref",
            name=op.f(
                "uq_competency_assessment_institution_id_learner_id_assessed_on_method_evidence_ref"
            ),
        ),
    )
    op.create_table(
        "competency_credential",
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("credential_uuid", sa.String(length=36), nullable=False),
        sa.Column("status_list", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=80), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id", "learner_id"],
            ["learner.institution_id", "learner.id"],
            name=op.f("fk_competency_credential_institution_id_learner_id_learner"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_competency_credential_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_competency_credential_person_id_person")
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_competency_credential")),
        sa.UniqueConstraint(
            "credential_uuid", name=op.f("uq_competency_credential_credential_uuid")
        ),
        sa.UniqueConstraint(
            "status_list",
            "status_index",
            name=op.f("uq_competency_credential_status_list_status_index"),
        ),
    )
    with op.batch_alter_table("competency_credential", schema=None) as batch_op:
        batch_op.create_index("ix_competency_credential_person", ["person_id"], unique=False)

    op.create_table(
        "program_competency_target",
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("program_id", sa.BigInteger(), nullable=False),
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("competency_code", sa.String(length=4), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "level BETWEEN 1 AND 8", name=op.f("ck_program_competency_target_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["framework_version", "competency_code"],
            ["competency.framework_version", "competency.code"],
            name=op.f("fk_program_competency_target_framework_version_competency_code_competency"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "program_id"],
            ["program.institution_id", "program.id"],
            name=op.f("fk_program_competency_target_institution_id_program_id_program"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_program_competency_target_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_program_competency_target")),
        sa.UniqueConstraint(
            "institution_id",
            "program_id",
            "competency_code",
            name=op.f("uq_program_competency_target_institution_id_program_id_competency_code"),
        ),
    )
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_role_code"), type_="check")
        batch.create_check_constraint(op.f("ck_app_user_role_code"), f"role IN ({NEW_ROLES})")
    from hemis.competency.reference import load_framework

    load_framework(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} "
                f"USING ({TENANT_CHECK}) WITH CHECK ({TENANT_CHECK})"
            )
        op.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON program_competency_target, "
            "competency_assessment, competency_self_assessment, competency_indicator TO hemis_app"
        )
        op.execute("GRANT SELECT, INSERT, UPDATE ON competency_credential TO hemis_app")
        op.execute(
            "GRANT SELECT ON competency_framework, competency_domain, competency, "
            "competency_level TO hemis_app"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.drop_table("program_competency_target")
    with op.batch_alter_table("competency_credential", schema=None) as batch_op:
        batch_op.drop_index("ix_competency_credential_person")

    op.drop_table("competency_credential")
    op.drop_table("competency_assessment")
    op.drop_table("competency")
    with op.batch_alter_table("competency_self_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_competency_self_assessment_person")

    op.drop_table("competency_self_assessment")
    op.drop_table("competency_level")
    with op.batch_alter_table("competency_indicator", schema=None) as batch_op:
        batch_op.drop_index("ix_competency_indicator_year")

    op.drop_table("competency_indicator")
    op.drop_table("competency_domain")
    op.drop_table("competency_framework")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_role_code"), type_="check")
        batch.create_check_constraint(op.f("ck_app_user_role_code"), f"role IN ({OLD_ROLES})")
