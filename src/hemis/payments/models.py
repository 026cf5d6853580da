"""Payment tables, all national (the ministry collects admission fees, whatever the institution).

Money is integer đồng. A payment intent is one attempt to pay one invoice at one gateway, unique
by (gateway, txn_ref). Every notification the gateway sends is kept raw, keyed by a digest of its
payload so a replay is recognised. Intents and notifications are not in the global audit chain:
they are their own append-only ledger, and the chain's single head row would serialise every IPN
(ADR 0010); fee schedules and windows, which people change, are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Audited, Base, IdMixin, TimestampMixin
from hemis.db.types import utcnow
from hemis.payments.rules import IntentStatus
from hemis.registry.models._common import code_column_type, in_codes

__all__ = [
    "FeeSchedule",
    "IdempotencyRecord",
    "Invoice",
    "PaymentIntent",
    "PaymentNotification",
    "PaymentRefund",
    "PaymentWindow",
    "ReconciliationReport",
]


class FeeSchedule(Audited, TimestampMixin, Base):
    """The fees of one admission year, in đồng (0 = no such fee)."""

    __tablename__ = "fee_schedule"
    __table_args__ = (
        CheckConstraint("exam_fee >= 0", name="exam_fee"),
        CheckConstraint("wish_fee >= 0", name="wish_fee"),
    )

    year: Mapped[int] = mapped_column(
        ForeignKey("admission_year.year"), primary_key=True, autoincrement=False
    )
    exam_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    wish_fee: Mapped[int] = mapped_column(BigInteger)


class PaymentWindow(Audited, TimestampMixin, Base):
    """When one province group pays (times in UTC); `provinces` lists its province codes."""

    __tablename__ = "payment_window"
    __table_args__ = (
        CheckConstraint("province_group BETWEEN 1 AND 99", name="province_group"),
        CheckConstraint("closes_at > opens_at", name="order"),
    )

    year: Mapped[int] = mapped_column(
        ForeignKey("admission_year.year"), primary_key=True, autoincrement=False
    )
    province_group: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opens_at: Mapped[dt.datetime]
    closes_at: Mapped[dt.datetime]
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)


class Invoice(IdMixin, Base):
    """What a candidate owes for a year, computed from their wishes when the wish window closed."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("year", "person_id"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    province_group: Mapped[int] = mapped_column(Integer)
    wish_count: Mapped[int] = mapped_column(Integer)
    wish_fee: Mapped[int] = mapped_column(BigInteger)
    exam_fee: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PaymentIntent(IdMixin, Base):
    """One attempt to pay an invoice at a gateway, and where it stands."""

    __tablename__ = "payment_intent"
    __table_args__ = (
        UniqueConstraint("gateway", "txn_ref"),
        in_codes("status", IntentStatus),
        CheckConstraint("amount > 0", name="amount"),
        Index("ix_payment_intent_invoice", "invoice_id"),
        Index("ix_payment_intent_status_sent", "status", "sent_at"),
    )

    invoice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("invoice.id"))
    gateway: Mapped[str] = mapped_column(String(20))
    txn_ref: Mapped[str] = mapped_column(String(34))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(code_column_type(IntentStatus))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    settled_at: Mapped[dt.datetime | None]
    settled_by: Mapped[str | None] = mapped_column(String(10))  # ipn, query, refund
    response_code: Mapped[str | None] = mapped_column(String(4))
    transaction_no: Mapped[str | None] = mapped_column(String(40))
    bank_code: Mapped[str | None] = mapped_column(String(20))
    card_type: Mapped[str | None] = mapped_column(String(20))
    pay_date: Mapped[dt.datetime | None]


class PaymentNotification(Base):
    """A gateway notification as received (raw parameters), once per distinct payload."""

    __tablename__ = "payment_notification"
    __table_args__ = (Index("ix_payment_notification_txn", "gateway", "txn_ref"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    txn_ref: Mapped[str] = mapped_column(String(100))
    intent_id: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(2))  # our first answer (RspCode)
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PaymentRefund(IdMixin, Base):
    """A full refund of a paid intent (one per intent)."""

    __tablename__ = "payment_refund"
    __table_args__ = (UniqueConstraint("intent_id"),)

    intent_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("payment_intent.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(100))
    response_code: Mapped[str] = mapped_column(String(4))
    transaction_no: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The first response to a state-changing request with an Idempotency-Key (Stripe's design)."""

    __tablename__ = "idempotency_record"

    principal: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReconciliationReport(IdMixin, Base):
    """Our ledger of one day against the gateway's settlement file, with every difference."""

    __tablename__ = "reconciliation_report"
    __table_args__ = (Index("ix_reconciliation_report_day", "gateway", "day"),)

    gateway: Mapped[str] = mapped_column(String(20))
    day: Mapped[dt.date] = mapped_column(Date)
    ledger_count: Mapped[int] = mapped_column(Integer)
    ledger_amount: Mapped[int] = mapped_column(BigInteger)
    gateway_count: Mapped[int] = mapped_column(Integer)
    gateway_amount: Mapped[int] = mapped_column(BigInteger)
    differences: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
