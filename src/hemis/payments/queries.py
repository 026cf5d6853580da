"""Read side of the payment pages: a candidate's invoice and intents, the ministry's totals and
anomalies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.payments.gateways.client import VN_TZ, VnpayGateway, result_of
from hemis.payments.models import (
    FeeSchedule,
    Invoice,
    PaymentIntent,
    PaymentNotification,
    PaymentRefund,
    ReconciliationReport,
)
from hemis.payments.rules import IntentStatus, IpnOutcome

COUNTED = (IntentStatus.paid.value, IntentStatus.refunded.value)


def intents_of(session: Session, invoice_id: int) -> list[PaymentIntent]:
    return list(
        session.scalars(
            select(PaymentIntent)
            .where(PaymentIntent.invoice_id == invoice_id)
            .order_by(PaymentIntent.id.desc())
        )
    )


def find_intent_by_ref(session: Session, gateway: str, txn_ref: str) -> PaymentIntent | None:
    return session.scalar(
        select(PaymentIntent).where(
            PaymentIntent.gateway == gateway, PaymentIntent.txn_ref == txn_ref
        )
    )


def refund_of(session: Session, intent_id: int) -> PaymentRefund | None:
    return session.scalar(select(PaymentRefund).where(PaymentRefund.intent_id == intent_id))


@dataclass(frozen=True)
class Totals:
    by_group: list[tuple[int, int, int]]  # group, payments, đồng
    by_day: list[tuple[str, int, int]]
    by_channel: list[tuple[str, int, int]]
    paid_count: int
    paid_amount: int
    invoices: int
    invoiced_amount: int


def totals(session: Session, year: int) -> Totals:
    """Money actually kept (paid intents; refunded ones are not counted)."""
    paid = (
        select(
            Invoice.province_group,
            PaymentIntent.amount,
            PaymentIntent.bank_code,
            func.coalesce(PaymentIntent.pay_date, PaymentIntent.settled_at).label("at"),
        )
        .join(Invoice, Invoice.id == PaymentIntent.invoice_id)
        .where(Invoice.year == year, PaymentIntent.status == IntentStatus.paid.value)
    )
    rows = session.execute(paid).all()
    group: dict[int, list[int]] = {}
    day: dict[str, list[int]] = {}
    channel: dict[str, list[int]] = {}

    def add(cell: list[int], amount: int) -> None:
        cell[0] += 1
        cell[1] += amount

    for g, amount, bank, at in rows:
        local = at.astimezone(VN_TZ).date().isoformat() if at else "—"
        add(group.setdefault(int(g), [0, 0]), int(amount))
        add(day.setdefault(local, [0, 0]), int(amount))
        add(channel.setdefault(bank or "—", [0, 0]), int(amount))
    invoices, invoiced = session.execute(
        select(func.count(), func.coalesce(func.sum(Invoice.amount), 0)).where(Invoice.year == year)
    ).one()
    return Totals(
        by_group=sorted((k, v[0], v[1]) for k, v in group.items()),
        by_day=sorted((k, v[0], v[1]) for k, v in day.items()),
        by_channel=sorted(((k, v[0], v[1]) for k, v in channel.items()), key=lambda r: -r[2]),
        paid_count=sum(v[0] for v in group.values()),
        paid_amount=sum(v[1] for v in group.values()),
        invoices=int(invoices),
        invoiced_amount=int(invoiced),
    )


@dataclass(frozen=True)
class Anomalies:
    double_debits: list[dict[str, Any]]
    stuck: list[PaymentIntent]
    refused_notifications: list[PaymentNotification]
    # The gateway said "paid" about an intent our ledger had already closed as failed: the payer
    # was debited, we answered "already confirmed" (02) and changed nothing. Someone must look.
    paid_after_failure: list[PaymentNotification]
    report: ReconciliationReport | None


def _reports_paid(notification: PaymentNotification) -> bool:
    if notification.gateway == VnpayGateway.name:
        return result_of(notification.payload).paid
    return True  # a gateway we cannot read here: shown, to be judged by a person


def paid_after_failure(session: Session, limit: int = 200) -> list[PaymentNotification]:
    """Notifications that report a payment of an intent whose status is failed."""
    rows = session.scalars(
        select(PaymentNotification)
        .join(PaymentIntent, PaymentIntent.id == PaymentNotification.intent_id)
        .where(
            PaymentNotification.outcome == IpnOutcome.already_confirmed.value,
            PaymentIntent.status == IntentStatus.failed.value,
        )
        .order_by(PaymentNotification.first_at.desc())
        .limit(limit)
    )
    return [n for n in rows if _reports_paid(n)]


def anomalies(
    session: Session, year: int, stuck_after: dt.timedelta, now: dt.datetime
) -> Anomalies:
    multi = (
        select(PaymentIntent.invoice_id)
        .join(Invoice, Invoice.id == PaymentIntent.invoice_id)
        .where(Invoice.year == year, PaymentIntent.status.in_(COUNTED))
        .group_by(PaymentIntent.invoice_id)
        .having(func.count() > 1)
    )
    doubles = session.execute(
        select(
            PaymentIntent.invoice_id,
            PaymentIntent.id,
            PaymentIntent.txn_ref,
            PaymentIntent.amount,
            PaymentIntent.status,
        )
        .where(PaymentIntent.invoice_id.in_(multi), PaymentIntent.status.in_(COUNTED))
        .order_by(PaymentIntent.invoice_id, PaymentIntent.id)
    ).all()
    stuck = list(
        session.scalars(
            select(PaymentIntent)
            .where(
                PaymentIntent.status.in_((IntentStatus.created.value, IntentStatus.pending.value)),
                func.coalesce(PaymentIntent.sent_at, PaymentIntent.created_at) <= now - stuck_after,
            )
            .order_by(PaymentIntent.id)
            .limit(200)
        )
    )
    refused = list(
        session.scalars(
            select(PaymentNotification)
            .where(PaymentNotification.outcome.in_(("01", "04", "99")))
            .order_by(PaymentNotification.first_at.desc())
            .limit(200)
        )
    )
    report = session.scalar(
        select(ReconciliationReport).order_by(ReconciliationReport.created_at.desc()).limit(1)
    )
    return Anomalies(
        double_debits=[dict(r._mapping) for r in doubles],
        stuck=stuck,
        refused_notifications=refused,
        paid_after_failure=paid_after_failure(session),
        report=report,
    )


# --- what the admissions rounds read --------------------------------------------------------------


PAID_WISHES_SQL = (
    "SELECT i.person_id, i.wish_count AS paid_wishes FROM invoice i WHERE i.year = :year "
    "AND EXISTS ("
    "SELECT 1 FROM payment_intent p WHERE p.invoice_id = i.id AND p.status = 'paid')"
)


def paid_wishes(session: Session, year: int) -> pl.DataFrame:
    """person_id → paid_wishes: the wishes a paid invoice covers (its first `wish_count` by
    rank, counted when the wish window closed). A refunded payment covers nothing."""
    from hemis.admissions.frames import read_frame

    return read_frame(
        session,
        PAID_WISHES_SQL,
        {"person_id": pl.Int64, "paid_wishes": pl.Int64},
        {"year": year},
    )


def wish_fee(session: Session, year: int) -> int:
    """The fee per wish of a year in đồng (0: no fee, or no schedule)."""
    fees = session.get(FeeSchedule, year)
    return 0 if fees is None else int(fees.wish_fee)


def paid_wish_count(session: Session, year: int, person_id: int) -> int:
    """How many of a candidate's wishes (by rank) a paid invoice covers (0: none paid)."""
    invoice = session.scalar(
        select(Invoice).where(Invoice.year == year, Invoice.person_id == person_id)
    )
    if invoice is None:
        return 0
    paid = session.scalar(
        select(func.count(PaymentIntent.id)).where(
            PaymentIntent.invoice_id == invoice.id,
            PaymentIntent.status == IntentStatus.paid.value,
        )
    )
    return int(invoice.wish_count) if paid else 0
