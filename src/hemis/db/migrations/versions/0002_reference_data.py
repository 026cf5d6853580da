"""Load the national reference tables (disciplines, provinces, ethnicities, ISCED-F).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from hemis.registry.reference import load_all

    load_all(op.get_bind())


def downgrade() -> None:
    pass
