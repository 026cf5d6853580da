"""The IPN handler: one transaction per notification.

1. the signature (constant time) — bad: 97, nothing stored (anyone can send garbage);
2. the intent row is locked (SELECT … FOR UPDATE): unknown order 01, wrong amount 04, already
   final 02, else the transition is applied — 00;
3. the raw payload is upserted into payment_notification, keyed by its digest, with that answer:
   a replay bumps `deliveries` (on SQLite this write comes first, so the write lock is held
   before the intent is read: the read-check-write is serialised there as FOR UPDATE does it on
   PostgreSQL);
4. commit. A crash before the commit leaves nothing: the gateway retries and gets the same answer.

Anything unexpected is answered 99 and logged without the payload's signature or secrets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from hemis.db.base import table_of
from hemis.db.types import utcnow
from hemis.payments import rules
from hemis.payments.gateways.base import Gateway, GatewayResult
from hemis.payments.models import PaymentIntent, PaymentNotification
from hemis.payments.rules import IntentStatus, IpnOutcome

log = structlog.get_logger(__name__)
_notification = table_of(PaymentNotification)
_intent = table_of(PaymentIntent)


def _upsert_notification(
    conn: Connection,
    digest: str,
    gateway: str,
    txn_ref: str,
    payload: dict[str, str],
    outcome: IpnOutcome,
    intent_id: int | None,
) -> int:
    """Record the payload (or count a redelivery); returns how many times it has been seen.
    A redelivery keeps the first answer and intent."""
    now = utcnow()
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_notification).values(
        digest=digest,
        gateway=gateway,
        txn_ref=txn_ref[:100],
        outcome=outcome.value,
        intent_id=intent_id,
        deliveries=1,
        payload=payload,
        first_at=now,
        last_at=now,
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=[_notification.c.digest],
        set_={"deliveries": _notification.c.deliveries + 1, "last_at": now},
    ).returning(_notification.c.deliveries)
    return int(conn.execute(upsert).scalar_one())


def settle(
    conn: Session | Connection, intent: Any, result: GatewayResult, by: str, now: dt.datetime
) -> IpnOutcome:
    """Apply a gateway's (authenticated) word on a locked intent row; returns the verdict."""
    outcome, target = rules.settle_outcome(
        IntentStatus(intent.status), int(intent.amount), result.amount, result.paid
    )
    if target is None:
        return outcome
    conn.execute(
        update(_intent)
        .where(_intent.c.id == intent.id)
        .values(
            status=target.value,
            updated_at=now,
            settled_at=now,
            settled_by=by,
            response_code=result.response_code[:4],
            transaction_no=result.transaction_no[:40] or None,
            bank_code=result.bank_code[:20] or None,
            card_type=result.card_type[:20] or None,
            pay_date=result.pay_date,
        )
    )
    return outcome


def lock_intent(conn: Session | Connection, gateway: str, txn_ref: str) -> Any:
    return conn.execute(
        select(_intent.c.id, _intent.c.status, _intent.c.amount)
        .where(_intent.c.gateway == gateway, _intent.c.txn_ref == txn_ref)
        .with_for_update()
    ).first()


def _apply(conn: Connection, gateway: str, result: GatewayResult) -> tuple[IpnOutcome, Any]:
    intent = lock_intent(conn, gateway, result.txn_ref)
    if intent is None:
        return IpnOutcome.order_not_found, None
    return settle(conn, intent, result, "ipn", utcnow()), intent


def _transaction(
    conn: Connection, gateway: str, result: GatewayResult, payload: dict[str, str]
) -> IpnOutcome:
    digest = rules.payload_digest(gateway, payload)
    if conn.dialect.name == "postgresql":
        # Lock the intent, decide, then record the payload with its answer: 5 round trips.
        outcome, intent = _apply(conn, gateway, result)
        _upsert_notification(
            conn, digest, gateway, result.txn_ref, payload, outcome, intent.id if intent else None
        )
        return outcome
    # SQLite: write first, so the write lock is held before the intent is read.
    seen = _upsert_notification(
        conn, digest, gateway, result.txn_ref, payload, IpnOutcome.other, None
    )
    outcome, intent = _apply(conn, gateway, result)
    if seen == 1:
        conn.execute(
            update(_notification)
            .where(_notification.c.digest == digest)
            .values(outcome=outcome.value, intent_id=intent.id if intent else None)
        )
    return outcome


def handle(engine: Engine, gateway: Gateway, params: Mapping[str, str]) -> IpnOutcome:
    """Process one notification; never raises.

    The payment tables are national (no row-level security, no tenant rows), so this hot path
    runs on a plain connection rather than a scoped ORM session: no per-request scope settings,
    no ORM bookkeeping.
    """
    payload = {str(k): str(v) for k, v in params.items()}
    txn_ref = payload.get("vnp_TxnRef", "")
    try:
        result = gateway.read_notification(payload)
        if result is None:
            log.warning("ipn_bad_signature", gateway=gateway.name, txn_ref=txn_ref[:40])
            return IpnOutcome.bad_checksum
        with engine.begin() as conn:
            outcome = _transaction(conn, gateway.name, result, payload)
        if outcome is not IpnOutcome.ok:
            log.info("ipn_refused", gateway=gateway.name, txn_ref=txn_ref[:40], rsp=outcome.value)
        return outcome
    except Exception as exc:  # the gateway must get an answer; it will retry
        log.error("ipn_error", gateway=gateway.name, txn_ref=txn_ref[:40], error=type(exc).__name__)
        return IpnOutcome.other
