"""Login attempts counted atomically; row-level security on the candidates' admissions records;
the application role's updates of the payment ledger narrowed to the columns that change.

- `login_attempt` replaces `login_failure`: one counter row per (username, client address) and
  one per username (client ''), incremented by a single upsert before the password is checked,
  so concurrent guesses are all counted (accounts/throttle.py).
- PostgreSQL: `wish`, `round_candidate` and `enrolment_confirmation` get row-level security. A row
  is visible in a national scope, to the candidate it belongs to (`hemis.person_id`, set by the
  candidate's session), and to the institution it names; an institution also sees the round
  outcome of every candidate who placed a wish with it (its applicants' scores).
- PostgreSQL: `hemis_app` may update only `deliveries` and `last_at` of a payment notification
  (a redelivery) and nothing of a refund; both are otherwise append-only.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NATIONAL = "current_setting('hemis.national', true) = 'on'"
INSTITUTION = "nullif(current_setting('hemis.institution_id', true), '')::bigint"
PERSON = "nullif(current_setting('hemis.person_id', true), '')::bigint"
OWN_OR_INSTITUTION = f"{NATIONAL} OR person_id = {PERSON} OR institution_id = {INSTITUTION}"
# The institution's applicants: their outcome shows the score they had for its offers.
APPLICANT = (
    "EXISTS (SELECT 1 FROM wish w WHERE w.person_id = round_candidate.person_id "  # noqa: S608
    f"AND w.institution_id = {INSTITUTION})"  # (constant SQL, no input)
)
POLICIES: dict[str, tuple[str, str]] = {  # table: (USING, WITH CHECK)
    "wish": (OWN_OR_INSTITUTION, f"{NATIONAL} OR person_id = {PERSON}"),
    "round_candidate": (f"{OWN_OR_INSTITUTION} OR {APPLICANT}", NATIONAL),
    "enrolment_confirmation": (OWN_OR_INSTITUTION, f"{NATIONAL} OR person_id = {PERSON}"),
}
NOTIFICATION_UPDATES = "deliveries, last_at"


def upgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_username_at")
    op.drop_table("login_failure")
    op.create_table(
        "login_attempt",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("username", "client", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_window_start", "login_attempt", ["window_start"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempt TO hemis_app")
    for table, (using, check) in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY candidate_isolation ON {table} USING ({using}) WITH CHECK ({check})"
        )
    op.execute("REVOKE UPDATE ON payment_notification, payment_refund FROM hemis_app")
    op.execute(f"GRANT UPDATE ({NOTIFICATION_UPDATES}) ON payment_notification TO hemis_app")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"REVOKE UPDATE ({NOTIFICATION_UPDATES}) ON payment_notification FROM hemis_app")
        op.execute("GRANT UPDATE ON payment_notification, payment_refund TO hemis_app")
        for table in POLICIES:
            op.execute(f"DROP POLICY IF EXISTS candidate_isolation ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_index("ix_login_attempt_window_start", table_name="login_attempt")
    op.drop_table("login_attempt")
    op.create_table(
        "login_failure",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_login_failure_username_at", ["username", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON login_failure TO hemis_app")
