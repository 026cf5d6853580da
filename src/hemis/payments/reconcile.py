"""Reconciliation: settle stuck intents by asking the gateway, refund double charges, and compare
a day's ledger with the gateway's settlement file.

Each intent is settled in its own short transaction with its row locked, so the reconciler and a
late IPN cannot both apply a transition; a gateway that times out or answers 5xx leaves the intent
pending for the next run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import sessionmaker

from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.errors import HemisError
from hemis.payments import ipn, service
from hemis.payments.gateways.base import Gateway, GatewayUnavailable
from hemis.payments.gateways.client import VN_TZ
from hemis.payments.models import PaymentIntent, ReconciliationReport
from hemis.payments.rules import IntentStatus

log = structlog.get_logger(__name__)
SCOPE = Scope.system("payments-reconciler")
OPEN = (IntentStatus.created.value, IntentStatus.pending.value)
# (phase, done, total), reported between the per-intent transactions (a background job's bar).
Progress = Callable[[str, int, int], None]


def _quiet(phase: str, done: int, total: int) -> None:
    """No progress reporting (the CLI and the periodic task)."""


@dataclass
class Summary:
    checked: int = 0
    paid: int = 0
    failed: int = 0
    expired: int = 0
    still_pending: int = 0
    unavailable: int = 0
    refunded: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def stuck_intents(
    sessions: sessionmaker[HemisSession], older_than: dt.timedelta, now: dt.datetime
) -> list[tuple[int, str, dt.datetime]]:
    since = func.coalesce(PaymentIntent.sent_at, PaymentIntent.created_at)
    with scoped_session(sessions, SCOPE) as session:
        rows = session.execute(
            select(PaymentIntent.id, PaymentIntent.txn_ref, PaymentIntent.created_at)
            .where(PaymentIntent.status.in_(OPEN), since <= now - older_than)
            .order_by(PaymentIntent.id)
        )
        return list(rows)


def settle_stuck(
    sessions: sessionmaker[HemisSession],
    gateway: Gateway,
    older_than: dt.timedelta,
    now: dt.datetime | None = None,
    progress: Progress = _quiet,
) -> Summary:
    now = now or utcnow()
    summary = Summary()
    stuck = stuck_intents(sessions, older_than, now)
    for intent_id, txn_ref, created_at in stuck:
        progress("querying", summary.checked, len(stuck))
        summary.checked += 1
        try:
            result = gateway.query(txn_ref, created_at)
        except GatewayUnavailable as exc:
            summary.unavailable += 1
            log.warning("reconcile_gateway_unavailable", txn_ref=txn_ref, error=str(exc))
            continue
        with scoped_session(sessions, SCOPE) as session:
            row = ipn.lock_intent(session, gateway.name, txn_ref)
            if row is None or row.status not in OPEN:
                continue  # an IPN settled it meanwhile
            if not result.found:
                session.execute(
                    update(PaymentIntent)
                    .where(PaymentIntent.id == intent_id)
                    .values(
                        status=IntentStatus.expired.value,
                        updated_at=utcnow(),
                        settled_by="query",
                    )
                )
                summary.expired += 1
            elif not result.final:
                summary.still_pending += 1
            else:
                outcome = ipn.settle(session, row, result, "query", utcnow())
                if outcome.value == "00":
                    summary.paid += result.paid
                    summary.failed += not result.paid
                else:
                    log.warning("reconcile_mismatch", txn_ref=txn_ref, outcome=outcome.value)
            session.commit()
    progress("refunding", summary.checked, len(stuck))
    summary.refunded = refund_double_charges(sessions, gateway)
    return summary


def double_charges(sessions: sessionmaker[HemisSession]) -> dict[int, list[int]]:
    """Invoices paid more than once → their paid intents, the one to keep first."""
    with scoped_session(sessions, SCOPE) as session:
        rows = session.execute(
            select(PaymentIntent.invoice_id, PaymentIntent.id)
            .where(PaymentIntent.status == IntentStatus.paid.value)
            .where(
                PaymentIntent.invoice_id.in_(
                    select(PaymentIntent.invoice_id)
                    .where(PaymentIntent.status == IntentStatus.paid.value)
                    .group_by(PaymentIntent.invoice_id)
                    .having(func.count() > 1)
                )
            )
            .order_by(PaymentIntent.invoice_id, PaymentIntent.settled_at, PaymentIntent.id)
        )
        out: dict[int, list[int]] = {}
        for invoice_id, intent_id in rows:
            out.setdefault(invoice_id, []).append(intent_id)
        return out


def refund_double_charges(sessions: sessionmaker[HemisSession], gateway: Gateway) -> list[int]:
    """Refund every paid intent beyond the first of its invoice; returns the refunded intents."""
    refunded: list[int] = []
    for intents in double_charges(sessions).values():
        for intent_id in intents[1:]:
            with scoped_session(sessions, SCOPE) as session:
                try:
                    service.refund_intent(
                        session, gateway, intent_id, SCOPE.actor, "double charge / thu trùng"
                    )
                    session.commit()
                    refunded.append(intent_id)
                except HemisError as exc:
                    session.rollback()
                    log.warning("refund_failed", intent_id=intent_id, code=exc.code)
    return refunded


# --- the daily settlement report ------------------------------------------------------------------

SETTLEMENT_COLUMNS = (
    "txn_ref",
    "transaction_no",
    "amount",
    "pay_date",
    "bank_code",
    "card_type",
    "status",
)


def parse_settlement(text: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    return {row["txn_ref"]: row for row in reader if row.get("txn_ref")}


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A gateway day is a Vietnamese calendar day."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=VN_TZ)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def compare(
    ledger: dict[str, tuple[int, str]], settled: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Every difference between our ledger (txn_ref → amount, status) and the settlement rows."""
    diffs: list[dict[str, Any]] = []
    for ref in sorted(set(ledger) | set(settled), key=lambda r: (len(r), r)):
        ours, theirs = ledger.get(ref), settled.get(ref)
        if theirs is None:
            diffs.append({"txn_ref": ref, "kind": "missing_at_gateway", "ours": ours})
        elif ours is None:
            diffs.append({"txn_ref": ref, "kind": "missing_in_ledger", "theirs": theirs})
        elif int(theirs["amount"]) != ours[0]:
            diffs.append(
                {"txn_ref": ref, "kind": "amount", "ours": ours[0], "theirs": theirs["amount"]}
            )
        elif theirs["status"] != ours[1]:
            diffs.append(
                {"txn_ref": ref, "kind": "status", "ours": ours[1], "theirs": theirs["status"]}
            )
    return diffs


def daily_report(
    sessions: sessionmaker[HemisSession], gateway: Gateway, day: dt.date
) -> ReconciliationReport:
    settled = parse_settlement(gateway.settlement(day))
    start, end = day_bounds(day)
    with scoped_session(sessions, SCOPE) as session:
        rows = session.execute(
            select(PaymentIntent.txn_ref, PaymentIntent.amount, PaymentIntent.status).where(
                PaymentIntent.gateway == gateway.name,
                PaymentIntent.status.in_((IntentStatus.paid.value, IntentStatus.refunded.value)),
                or_(
                    PaymentIntent.pay_date.between(start, end),
                    (PaymentIntent.pay_date.is_(None))
                    & PaymentIntent.settled_at.between(start, end),
                ),
            )
        )
        ledger = {ref: (int(amount), status) for ref, amount, status in rows}
        report = ReconciliationReport(
            gateway=gateway.name,
            day=day,
            ledger_count=len(ledger),
            ledger_amount=sum(a for a, _ in ledger.values()),
            gateway_count=len(settled),
            gateway_amount=sum(int(r["amount"]) for r in settled.values()),
            differences=compare(ledger, settled),
        )
        session.add(report)
        session.commit()
        return report
