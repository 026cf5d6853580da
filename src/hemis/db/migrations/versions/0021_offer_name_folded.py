"""Admission offers get `name_folded` (lower case, no diacritics, đ → d): the wish search finds
"cong nghe" as it finds "công nghệ", with the same folded key the registry searches use.

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


def upgrade() -> None:
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
    with op.batch_alter_table("admission_offer") as batch:
        batch.drop_column("name_folded")
