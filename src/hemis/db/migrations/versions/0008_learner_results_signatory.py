"""Learner: cumulative GPA, credits earned, graduation date and diploma number as reported in the
learners file (nothing a submission carries is dropped). Users: the signatory flag (the
institution's accountable officer, who alone signs a submission off).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learner") as batch:
        batch.add_column(sa.Column("gpa", sa.Numeric(3, 2), nullable=True))
        batch.add_column(sa.Column("credits_earned", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("graduated_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("diploma_number", sa.String(40), nullable=True))
        batch.create_check_constraint(op.f("ck_learner_gpa_scale"), "gpa >= 0 AND gpa <= 4")
        batch.create_check_constraint(op.f("ck_learner_credits"), "credits_earned >= 0")

    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("signatory", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_app_user_signatory_is_officer"),
            "NOT signatory OR role = 'institution_officer'",
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_signatory_is_officer"), type_="check")
        batch.drop_column("signatory")
    with op.batch_alter_table("learner") as batch:
        batch.drop_constraint(op.f("ck_learner_credits"), type_="check")
        batch.drop_constraint(op.f("ck_learner_gpa_scale"), type_="check")
        for column in ("diploma_number", "graduated_on", "credits_earned", "gpa"):
            batch.drop_column(column)
