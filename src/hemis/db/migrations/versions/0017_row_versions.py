"""Row versions and person claims.

Every audited table, and every table the API updates, gets `row_version` (1 for the rows there
are; raised by one on every update): the ORM refuses to write over a change it did not read, the
audit log's "before" is therefore the committed row, and the API's ETag / If-Match carry it.
Persons get `review_of` and `review_status`: a person recorded from an institution's write that
contradicts the registered person with the same national ID, pending the ministry's review.

Adding a column with a constant default rewrites no table on PostgreSQL (11+) and is a plain
ALTER TABLE on SQLite. The two person checks are created on PostgreSQL only: SQLite would have to
rebuild the person table, which every learner and staff row references.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# hemis.db.base.versioned_tables() at this revision (listed, not imported: a migration must not
# change when the models do).
VERSIONED = (
    "action_job",
    "admission_offer",
    "admission_round",
    "admission_year",
    "asset",
    "award",
    "campus",
    "conversion_table",
    "enrolment_confirmation",
    "exam_registration",
    "expenditure",
    "facility",
    "fee_schedule",
    "institution",
    "learner",
    "learner_admission",
    "learner_status_event",
    "payment_window",
    "person",
    "program",
    "reporting_period",
    "resource_summary",
    "result_score",
    "revenue",
    "staff",
    "staff_change",
    "submission",
    "submission_answer",
    "term_result",
    "wish",
)
PENDING = sa.text("review_of IS NOT NULL")


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(
            table,
            sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a reference in ADD COLUMN (Alembic would rebuild the table for it).
        op.execute(
            "ALTER TABLE person ADD COLUMN review_of BIGINT "
            "CONSTRAINT fk_person_review_of_person REFERENCES person (id)"
        )
    else:
        op.add_column("person", sa.Column("review_of", sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            op.f("fk_person_review_of_person"), "person", "person", ["review_of"], ["id"]
        )
    op.add_column("person", sa.Column("review_status", sa.String(8), nullable=True))
    op.create_index(
        op.f("ix_person_review_of"),
        "person",
        ["review_of"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(
            op.f("ck_person_review_status_code"),
            "person",
            "review_status IN ('pending', 'merged', 'rejected')",
        )
        op.create_check_constraint(
            op.f("ck_person_review_pair"),
            "person",
            "(review_of IS NULL) = (review_status IS NULL)",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_person_review_pair"), "person", type_="check")
        op.drop_constraint(op.f("ck_person_review_status_code"), "person", type_="check")
        op.drop_constraint(op.f("fk_person_review_of_person"), "person", type_="foreignkey")
    op.drop_index(op.f("ix_person_review_of"), table_name="person")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("review_status")
        batch.drop_column("review_of")
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_version")
