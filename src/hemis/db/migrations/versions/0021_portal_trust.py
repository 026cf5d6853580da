"""The portal's trust fixes: the folded offer name, and the thread of a submission.

- Admission offers get `name_folded` (lower case, no diacritics, đ → d): the wish search finds
  "cong nghe" as it finds "công nghệ", with the same folded key the registry searches use.
- `submission_review`: each sign-off, return and acceptance of a submission with its version and
  comment (a tenant table with the row-level security of 0003), so a returned version keeps its
  comment and the version signed off after it starts its own part of the thread.

The column is added with a constant default (no table rewrite on PostgreSQL 11+, a plain ALTER
TABLE on SQLite) and filled from `name_vi` with hemis.common.text.fold, which is stable (it
depends on Unicode data only).

Revision ID: 0021
Revises: 0019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hemis.common.text import fold

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The same policy as 0001 and 0003: a national scope sees everything, an institution its own rows.
TENANT_CHECK = (
    "current_setting('hemis.national', true) = 'on' OR institution_id = "
    "nullif(current_setting('hemis.institution_id', true), '')::bigint"
)


def upgrade() -> None:
    _offer_name_folded()
    op.create_table(
        "submission_review",
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("submission_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=9), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "event IN ('submitted', 'returned', 'accepted')",
            name=op.f("ck_submission_review_event_code"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_submission_review_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "submission_id"],
            ["submission.institution_id", "submission.id"],
            name=op.f("fk_submission_review_institution_id_submission_id_submission"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_submission_review")),
    )
    op.create_index(
        op.f("ix_submission_review_submission_id"), "submission_review", ["submission_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE submission_review ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE submission_review FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_isolation ON submission_review "
            f"USING ({TENANT_CHECK}) WITH CHECK ({TENANT_CHECK})"
        )
        op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON submission_review TO hemis_app")


def _offer_name_folded() -> None:
    op.add_column(
        "admission_offer",
        sa.Column("name_folded", sa.String(250), nullable=False, server_default=""),
    )
    offers = sa.table(
        "admission_offer",
        sa.column("institution_id", sa.BigInteger),
        sa.column("id", sa.BigInteger),
        sa.column("name_vi", sa.String),
        sa.column("name_folded", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(offers.c.institution_id, offers.c.id, offers.c.name_vi)).all()
    if rows:
        bind.execute(
            offers.update()
            .where(
                offers.c.institution_id == sa.bindparam("b_inst"),
                offers.c.id == sa.bindparam("b_id"),
            )
            .values(name_folded=sa.bindparam("b_folded")),
            [{"b_inst": r[0], "b_id": r[1], "b_folded": fold(r[2])} for r in rows],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON submission_review")
    op.drop_index(op.f("ix_submission_review_submission_id"), table_name="submission_review")
    op.drop_table("submission_review")
    with op.batch_alter_table("admission_offer") as batch:
        batch.drop_column("name_folded")
