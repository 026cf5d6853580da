"""PostgreSQL: the application's role may read the migration version, so /readyz can tell a
database behind the code's migrations from a current one (0001 revoked every right on
alembic_version; reading it discloses nothing but the revision number).

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("GRANT SELECT ON alembic_version TO hemis_app")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("REVOKE ALL ON alembic_version FROM hemis_app")
