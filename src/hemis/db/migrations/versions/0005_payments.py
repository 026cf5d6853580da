"""Payments: fee schedules, payment windows, invoices, payment intents, gateway notifications,
refunds, idempotency records and reconciliation reports. All national tables (no tenant rows).

On PostgreSQL the application role may not delete notifications or refunds: they are the ledger.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = [
    "fee_schedule",
    "payment_window",
    "invoice",
    "payment_intent",
    "payment_notification",
    "payment_refund",
    "idempotency_record",
    "reconciliation_report",
]


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_table(
        "payment_notification",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("txn_ref", sa.String(length=100), nullable=False),
        sa.Column("intent_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=2), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_payment_notification")),
    )
    op.create_index(
        "ix_payment_notification_txn", "payment_notification", ["gateway", "txn_ref"], unique=False
    )
    op.create_table(
        "reconciliation_report",
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ledger_count", sa.Integer(), nullable=False),
        sa.Column("ledger_amount", sa.BigInteger(), nullable=False),
        sa.Column("gateway_count", sa.Integer(), nullable=False),
        sa.Column("gateway_amount", sa.BigInteger(), nullable=False),
        sa.Column("differences", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_report")),
    )
    op.create_index(
        "ix_reconciliation_report_day", "reconciliation_report", ["gateway", "day"], unique=False
    )
    op.create_table(
        "fee_schedule",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("exam_fee", sa.BigInteger(), nullable=False),
        sa.Column("wish_fee", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("exam_fee >= 0", name=op.f("ck_fee_schedule_exam_fee")),
        sa.CheckConstraint("wish_fee >= 0", name=op.f("ck_fee_schedule_wish_fee")),
        sa.ForeignKeyConstraint(
            ["year"], ["admission_year.year"], name=op.f("fk_fee_schedule_year_admission_year")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_fee_schedule")),
    )
    op.create_table(
        "invoice",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("province_group", sa.Integer(), nullable=False),
        sa.Column("wish_count", sa.Integer(), nullable=False),
        sa.Column("wish_fee", sa.BigInteger(), nullable=False),
        sa.Column("exam_fee", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_invoice_amount")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_invoice_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["year"], ["admission_year.year"], name=op.f("fk_invoice_year_admission_year")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("year", "person_id", name=op.f("uq_invoice_year_person_id")),
    )
    op.create_table(
        "payment_window",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("province_group", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provinces", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_payment_window_order")),
        sa.CheckConstraint(
            "province_group BETWEEN 1 AND 99", name=op.f("ck_payment_window_province_group")
        ),
        sa.ForeignKeyConstraint(
            ["year"], ["admission_year.year"], name=op.f("fk_payment_window_year_admission_year")
        ),
        sa.PrimaryKeyConstraint("year", "province_group", name=op.f("pk_payment_window")),
    )
    op.create_table(
        "payment_intent",
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("txn_ref", sa.String(length=34), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.String(length=10), nullable=True),
        sa.Column("response_code", sa.String(length=4), nullable=True),
        sa.Column("transaction_no", sa.String(length=40), nullable=True),
        sa.Column("bank_code", sa.String(length=20), nullable=True),
        sa.Column("card_type", sa.String(length=20), nullable=True),
        sa.Column("pay_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.CheckConstraint(
            "status IN ('created', 'pending', 'paid', 'failed', 'expired', 'refunded')",
            name=op.f("ck_payment_intent_status_code"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_intent_amount")),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_intent_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_intent")),
        sa.UniqueConstraint("gateway", "txn_ref", name=op.f("uq_payment_intent_gateway_txn_ref")),
    )
    op.create_index("ix_payment_intent_invoice", "payment_intent", ["invoice_id"], unique=False)
    op.create_index(
        "ix_payment_intent_status_sent", "payment_intent", ["status", "sent_at"], unique=False
    )
    op.create_table(
        "payment_refund",
        sa.Column("intent_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("response_code", sa.String(length=4), nullable=False),
        sa.Column("transaction_no", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["payment_intent.id"],
            name=op.f("fk_payment_refund_intent_id_payment_intent"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_refund")),
        sa.UniqueConstraint("intent_id", name=op.f("uq_payment_refund_intent_id")),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} TO hemis_app")
        op.execute("REVOKE DELETE ON payment_notification, payment_refund FROM hemis_app")


def downgrade() -> None:
    op.drop_table("payment_refund")
    op.drop_index("ix_payment_intent_status_sent", table_name="payment_intent")
    op.drop_index("ix_payment_intent_invoice", table_name="payment_intent")
    op.drop_table("payment_intent")
    op.drop_table("payment_window")
    op.drop_table("invoice")
    op.drop_table("fee_schedule")
    op.drop_index("ix_reconciliation_report_day", table_name="reconciliation_report")
    op.drop_table("reconciliation_report")
    op.drop_index("ix_payment_notification_txn", table_name="payment_notification")
    op.drop_table("payment_notification")
    op.drop_table("idempotency_record")
