"""Payment use cases: fee schedules and windows, invoices, starting a payment, refunds.

The IPN path is in ipn.py, reconciliation in reconcile.py, the idempotency contract in
idempotency.py. Functions here write through the given session; the callers that own the
transaction (idempotency.run, the CLI) commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.admissions.models import AdmissionYear, ExamRegistration, Wish
from hemis.config import Settings
from hemis.db.ids import allocate_ids
from hemis.db.types import utcnow
from hemis.errors import NotFound, ValidationFailed
from hemis.payments import rules
from hemis.payments.errors import (
    AlreadyPaid,
    GatewayDown,
    NotRefundable,
    RefundRefused,
    WindowClosed,
)
from hemis.payments.gateways.base import Checkout, Gateway, GatewayUnavailable
from hemis.payments.gateways.client import VnpayGateway
from hemis.payments.models import (
    FeeSchedule,
    Invoice,
    PaymentIntent,
    PaymentRefund,
    PaymentWindow,
)
from hemis.payments.rules import IntentStatus

GATEWAYS = ("vnpay",)


def gateway_from_settings(settings: Settings) -> Gateway:
    return VnpayGateway(
        settings.payment_gateway_url,
        settings.vnpay_tmn_code,
        settings.vnpay_secret,
        timeout=settings.gateway_timeout_seconds,
    )


# --- fee schedule and windows ------------------------------------------------------------------


def set_fees(session: Session, year: int, wish_fee: int, exam_fee: int = 0) -> FeeSchedule:
    if session.get(AdmissionYear, year) is None:
        raise NotFound("admission_year", year)
    for field, value in (("wish_fee", wish_fee), ("exam_fee", exam_fee)):
        if value < 0:
            raise ValidationFailed(
                "Lệ phí không được âm.",
                "Fees must not be negative.",
                details=[{"field": field, "code": "fee.negative"}],
            )
    row = session.get(FeeSchedule, year) or FeeSchedule(year=year)
    row.wish_fee, row.exam_fee = wish_fee, exam_fee
    session.add(row)
    return row


def set_window(
    session: Session,
    year: int,
    group: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    provinces: list[str] | None = None,
) -> PaymentWindow:
    if closes_at <= opens_at:
        raise ValidationFailed(
            "Thời điểm đóng phải sau thời điểm mở.",
            "The window must close after it opens.",
            details=[{"field": "closes_at", "code": "window.order"}],
        )
    row = session.get(PaymentWindow, (year, group)) or PaymentWindow(
        year=year, province_group=group
    )
    row.opens_at, row.closes_at = opens_at, closes_at
    row.provinces = sorted(provinces or [])
    session.add(row)
    return row


def group_of(windows: list[PaymentWindow], province: str) -> int:
    for window in windows:
        if province in window.provinces:
            return window.province_group
    return rules.province_group(province)


# --- invoices -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueSummary:
    issued: int
    existing: int


def issue_invoices(session: Session, year: int, now: dt.datetime | None = None) -> IssueSummary:
    """Invoice every candidate with wishes (or an exam registration, when an exam fee applies),
    once the wish window has closed. Existing invoices are kept: running it again adds only
    the missing ones."""
    now = now or utcnow()
    calendar = session.get(AdmissionYear, year)
    fees = session.get(FeeSchedule, year)
    if calendar is None or fees is None:
        raise NotFound("fee_schedule", year)
    if calendar.wishes_close_at is not None and now < calendar.wishes_close_at:
        raise ValidationFailed(
            "Chỉ lập hóa đơn sau khi đóng đăng ký nguyện vọng.",
            "Invoices are computed only after the wish window closes.",
            code="wishes_still_open",
        )
    windows = list(session.scalars(select(PaymentWindow).where(PaymentWindow.year == year)))
    counts: dict[int, int] = {
        person: int(n)
        for person, n in session.execute(
            select(Wish.person_id, func.count()).where(Wish.year == year).group_by(Wish.person_id)
        )
    }
    sites: dict[int, str] = {
        row.person_id: row.exam_site
        for row in session.execute(
            select(ExamRegistration.person_id, ExamRegistration.exam_site).where(
                ExamRegistration.year == year
            )
        )
    }
    have = set(session.scalars(select(Invoice.person_id).where(Invoice.year == year)))
    people = set(counts) | (set(sites) if fees.exam_fee else set())
    todo = sorted(people - have)
    if todo:
        first = allocate_ids(session.connection(), "invoice", len(todo))
        for offset, person in enumerate(todo):
            wishes = int(counts.get(person, 0))
            registered = person in sites and fees.exam_fee > 0
            amount = rules.invoice_amount(wishes, fees.wish_fee, fees.exam_fee, registered)
            if amount == 0:
                continue
            session.add(
                Invoice(
                    id=first + offset,
                    year=year,
                    person_id=person,
                    province_group=group_of(windows, sites.get(person, "")[:2]),
                    wish_count=wishes,
                    wish_fee=fees.wish_fee,
                    exam_fee=fees.exam_fee if registered else 0,
                    amount=amount,
                    issued_at=now,
                )
            )
    session.flush()
    return IssueSummary(issued=len(todo), existing=len(have))


def get_invoice(session: Session, invoice_id: int, person_id: int | None = None) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or (person_id is not None and invoice.person_id != person_id):
        raise NotFound("invoice", invoice_id)
    return invoice


def find_invoice(session: Session, year: int, person_id: int) -> Invoice | None:
    return session.scalar(
        select(Invoice).where(Invoice.year == year, Invoice.person_id == person_id)
    )


def is_paid(session: Session, invoice_id: int) -> bool:
    return (
        session.scalar(
            select(func.count(PaymentIntent.id)).where(
                PaymentIntent.invoice_id == invoice_id,
                PaymentIntent.status == IntentStatus.paid.value,
            )
        )
        or 0
    ) > 0


def window_for(session: Session, invoice: Invoice) -> PaymentWindow | None:
    return session.get(PaymentWindow, (invoice.year, invoice.province_group))


# --- starting a payment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    intent: PaymentIntent
    redirect_url: str


def start_payment(
    session: Session,
    settings: Settings,
    gateway: Gateway,
    invoice_id: int,
    *,
    person_id: int | None,
    ip_addr: str,
    now: dt.datetime | None = None,
) -> Started:
    """A new intent for the invoice and the gateway URL to send the candidate to."""
    now = now or utcnow()
    invoice = get_invoice(session, invoice_id, person_id)
    if is_paid(session, invoice.id):
        raise AlreadyPaid()
    window = window_for(session, invoice)
    if window is not None and not (window.opens_at <= now < window.closes_at):
        raise WindowClosed()
    intent_id = allocate_ids(session.connection(), "payment_intent", 1)
    intent = PaymentIntent(
        id=intent_id,
        invoice_id=invoice.id,
        gateway=gateway.name,
        txn_ref=f"{intent_id}",
        amount=invoice.amount,
        status=IntentStatus.created.value,
        created_at=now,
        updated_at=now,
    )
    url = checkout_url(settings, gateway, invoice, intent, ip_addr)
    intent.status = IntentStatus.pending.value  # the candidate is on their way to the gateway
    intent.sent_at = now
    session.add(intent)
    session.flush()
    return Started(intent, url)


def checkout_url(
    settings: Settings, gateway: Gateway, invoice: Invoice, intent: PaymentIntent, ip_addr: str
) -> str:
    """The gateway URL of an intent (the same every time it is asked for)."""
    return gateway.checkout_url(
        Checkout(
            txn_ref=intent.txn_ref,
            amount=intent.amount,
            order_info=f"Le phi xet tuyen {invoice.year} HD {invoice.id}",
            return_url=f"{settings.public_url.rstrip('/')}/payments/return",
            ip_addr=ip_addr or "127.0.0.1",
            created_at=intent.created_at,
        )
    )


def get_intent(session: Session, intent_id: int, *, lock: bool = False) -> PaymentIntent:
    stmt = select(PaymentIntent).where(PaymentIntent.id == intent_id)
    if lock:
        stmt = stmt.with_for_update()
    intent = session.scalar(stmt)
    if intent is None:
        raise NotFound("payment_intent", intent_id)
    return intent


# --- refunds --------------------------------------------------------------------------------------

ALREADY_REFUNDED = "94"  # the gateway's answer to a repeated refund request


def refund_intent(
    session: Session, gateway: Gateway, intent_id: int, actor: str, reason: str
) -> PaymentRefund:
    """Refund a paid intent in full at the gateway, then record it. The intent row is locked for
    the call, so two refunds of one intent cannot both go out; GatewayUnavailable changes
    nothing (the caller retries)."""
    intent = get_intent(session, intent_id, lock=True)
    if intent.status != IntentStatus.paid.value:
        raise NotRefundable(intent.status)
    try:
        result = gateway.refund(
            intent.txn_ref,
            intent.amount,
            intent.transaction_no or "",
            intent.created_at,  # the pay request's create date, as the payment URL sent it
            actor,
        )
    except GatewayUnavailable as exc:
        raise GatewayDown() from exc
    if not result.ok and result.response_code != ALREADY_REFUNDED:
        raise RefundRefused(result.response_code)
    now = utcnow()
    intent.status = IntentStatus.refunded.value
    intent.updated_at = now
    refund = PaymentRefund(
        intent_id=intent.id,
        amount=intent.amount,
        reason=reason[:200],
        actor=actor[:100],
        response_code=result.response_code,
        transaction_no=result.transaction_no,
        created_at=now,
    )
    session.add(refund)
    session.flush()
    return refund
