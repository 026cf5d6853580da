"""National databases: sync status, exchange log, linkage, outcomes.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ["sync_state"]
NATIONAL_TABLES = ["sync_run", "exchange_entry", "exchange_head", "person_link"]
# The same policy as 0001: a national scope sees everything, an institution scope its own rows.
TENANT_CHECK = (
    "current_setting('hemis.national', true) = 'on' OR institution_id = "
    "nullif(current_setting('hemis.institution_id', true), '')::bigint"
)
REGISTRY = "system IN ('population', 'insurance', 'civil_service')"
SYNC_STATUS = "status IN ('not_checked', 'actual', 'different', 'error', 'not_found')"


def _now() -> sa.Column[object]:
    return sa.Column("started_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("institution_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("system", sa.String(length=13), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=11), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("diff", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("payload_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(REGISTRY, name=op.f("ck_sync_state_system_code")),
        sa.CheckConstraint(SYNC_STATUS, name=op.f("ck_sync_state_status_code")),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_sync_state_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "id", name=op.f("pk_sync_state")),
        sa.UniqueConstraint(
            "institution_id",
            "system",
            "record_id",
            name=op.f("uq_sync_state_institution_id_system_record_id"),
        ),
    )
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_state_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_state_status"), ["status"], unique=False)

    op.create_table(
        "sync_run",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("system", sa.String(length=13), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=11), nullable=False),
        _now(),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.CheckConstraint(REGISTRY, name=op.f("ck_sync_run_system_code")),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'interrupted', 'failed')",
            name=op.f("ck_sync_run_status_code"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    op.create_table(
        "exchange_entry",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("system", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("in_reply_to", sa.String(length=36), nullable=True),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("signed_at", sa.String(length=40), nullable=True),
        sa.Column("signature", sa.String(length=100), nullable=True),
        sa.Column("signature_ok", sa.Boolean(), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_exchange_entry")),
    )
    with op.batch_alter_table("exchange_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_entry_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exchange_entry_message_id"), ["message_id"], unique=False
        )
    op.create_table(
        "exchange_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_seq", sa.BigInteger(), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_head")),
    )
    op.create_table(
        "person_link",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("system", sa.String(length=13), nullable=False),
        sa.Column("registry_key", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("method", sa.String(length=13), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(REGISTRY, name=op.f("ck_person_link_system_code")),
        sa.CheckConstraint(
            "method IN ('deterministic', 'probabilistic', 'clerical')",
            name=op.f("ck_person_link_method_code"),
        ),
        sa.CheckConstraint(
            "status IN ('linked', 'review', 'rejected')", name=op.f("ck_person_link_status_code")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_link")),
        sa.UniqueConstraint(
            "system", "registry_key", name=op.f("uq_person_link_system_registry_key")
        ),
    )
    with op.batch_alter_table("person_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_link_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_link_status"), ["status"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        _postgres_privileges()


def _postgres_privileges() -> None:
    """Tenant rows under FORCEd row-level security (as 0001/0003); the exchange log is
    append-only for the application role: it may insert and read, the purge runs as the owner."""
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING ({TENANT_CHECK}) WITH CHECK ({TENANT_CHECK})"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO hemis_app")
    op.execute("GRANT SELECT, INSERT, UPDATE ON sync_run, person_link, exchange_head TO hemis_app")
    op.execute("GRANT SELECT, INSERT ON exchange_entry TO hemis_app")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    with op.batch_alter_table("person_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_link_status"))
        batch_op.drop_index(batch_op.f("ix_person_link_person_id"))
    op.drop_table("person_link")
    op.drop_table("exchange_head")
    with op.batch_alter_table("exchange_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_entry_message_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_entry_at"))
    op.drop_table("exchange_entry")
    op.drop_table("sync_run")
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_state_status"))
        batch_op.drop_index(batch_op.f("ix_sync_state_person_id"))
    op.drop_table("sync_state")
