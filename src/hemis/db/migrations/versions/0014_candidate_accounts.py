"""Candidate accounts as in reality: self sign-up with the national e-ID (the identity assurance
level on the account, the e-ID tokens already used), accounts issued by high schools (the
school officer role, the school's code, one-time passwords that must be changed at first login),
and at most one account per person.

Revision ID: 0014
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "'ministry_admin', 'ministry_analyst', 'institution_officer', 'candidate'"
NEW_ROLES = OLD_ROLES + ", 'school_officer'"


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.add_column(sa.Column("assurance_level", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("school_code", sa.String(length=10), nullable=True))
        batch.create_index(batch.f("ix_app_user_school_code"), ["school_code"], unique=False)
        batch.create_unique_constraint(batch.f("uq_app_user_person_id"), ["person_id"])
        batch.drop_constraint(op.f("ck_app_user_role_code"), type_="check")
        batch.create_check_constraint(op.f("ck_app_user_role_code"), f"role IN ({NEW_ROLES})")
        batch.create_check_constraint(
            op.f("ck_app_user_school_officer_has_school"),
            "role <> 'school_officer' OR school_code IS NOT NULL",
        )
        batch.create_check_constraint(
            op.f("ck_app_user_assurance_level"), "assurance_level IN (1, 2)"
        )

    op.create_table(
        "eid_token_use",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_eid_token_use_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_eid_token_use")),
    )
    with op.batch_alter_table("eid_token_use") as batch:
        batch.create_index(batch.f("ix_eid_token_use_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_eid_token_use_expires_at"), ["expires_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # National, like app_user: no row-level security; the application role reads and writes.
        op.execute("GRANT SELECT, INSERT, DELETE ON eid_token_use TO hemis_app")


def downgrade() -> None:
    op.drop_table("eid_token_use")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_assurance_level"), type_="check")
        batch.drop_constraint(op.f("ck_app_user_school_officer_has_school"), type_="check")
        batch.drop_constraint(op.f("ck_app_user_role_code"), type_="check")
        batch.create_check_constraint(op.f("ck_app_user_role_code"), f"role IN ({OLD_ROLES})")
        batch.drop_constraint(batch.f("uq_app_user_person_id"), type_="unique")
        batch.drop_index(batch.f("ix_app_user_school_code"))
        for column in ("school_code", "assurance_level", "must_change_password"):
            batch.drop_column(column)
