"""The IPN handler: one transaction per notification.

1. the signature (constant time) and our terminal code — bad: 97, nothing stored (anyone can
   send garbage, and a notification to another terminal is not a payment to us);
2. the intent row is locked (SELECT … FOR UPDATE): unknown order 01, wrong amount 04, already
   final 02, else the transition is applied — 00;
3. the raw payload is upserted into payment_notification, keyed by its digest, with that answer:
   a replay bumps `deliveries` (on SQLite this write comes first, so the write lock is held
   before the intent is read: the read-check-write is serialised there as FOR UPDATE does it on
   PostgreSQL);
4. commit. A crash before the commit leaves nothing: the gateway retries and gets the same answer.

On PostgreSQL the handler talks to the driver in pipeline mode: BEGIN and the locking SELECT go
in one round trip, the writes and the COMMIT in a second. Under a burst of notifications each
round trip is also a wait to re-enter the interpreter, so their number sets the latency.

Anything unexpected is answered 99 and logged without the payload's signature or secrets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import psycopg
import structlog
from psycopg.types.json import Json
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from hemis.db.base import table_of
from hemis.db.types import utcnow
from hemis.observability.metrics import IPN_OUTCOMES
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


def settled_values(
    target: IntentStatus, result: GatewayResult, by: str, now: dt.datetime
) -> dict[str, Any]:
    """The intent's columns once the gateway's word is applied."""
    return {
        "status": target.value,
        "updated_at": now,
        "settled_at": now,
        "settled_by": by,
        "response_code": result.response_code[:4],
        "transaction_no": result.transaction_no[:40] or None,
        "bank_code": result.bank_code[:20] or None,
        "card_type": result.card_type[:20] or None,
        "pay_date": result.pay_date,
    }


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
        .values(settled_values(target, result, by, now))
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


_PG_LOCK = (
    "SELECT id, status, amount FROM payment_intent WHERE gateway = %s AND txn_ref = %s FOR UPDATE"
)
_PG_RECORD = (
    "INSERT INTO payment_notification (digest, gateway, txn_ref, outcome, intent_id, deliveries, "
    "payload, first_at, last_at) VALUES (%s, %s, %s, %s, %s, 1, %s, %s, %s) "
    "ON CONFLICT (digest) DO UPDATE SET deliveries = payment_notification.deliveries + 1, "
    "last_at = excluded.last_at"
)


def _transaction_pg(
    pg: psycopg.Connection[Any], gateway: str, result: GatewayResult, payload: dict[str, str]
) -> IpnOutcome:
    """Lock, decide, write and commit in two round trips (pipeline mode)."""
    digest = rules.payload_digest(gateway, payload)
    now = utcnow()
    with pg.pipeline(), pg.cursor() as cur:
        cur.execute(_PG_LOCK, (gateway, result.txn_ref))
        intent = cur.fetchone()  # round trip 1: BEGIN + SELECT … FOR UPDATE
        if intent is None:
            outcome, target = IpnOutcome.order_not_found, None
        else:
            outcome, target = rules.settle_outcome(
                IntentStatus(intent[1]), int(intent[2]), result.amount, result.paid
            )
        if intent is not None and target is not None:
            values = settled_values(target, result, "ipn", now)
            sets = ", ".join(f"{name} = %s" for name in values)
            cur.execute(
                f"UPDATE payment_intent SET {sets} WHERE id = %s",  # noqa: S608 (column names ours)
                (*values.values(), intent[0]),
            )
        cur.execute(
            _PG_RECORD,
            (
                digest,
                gateway,
                result.txn_ref[:100],
                outcome.value,
                intent[0] if intent else None,
                Json(payload),
                now,
                now,
            ),
        )
        pg.commit()  # round trip 2: UPDATE, INSERT, COMMIT
    return outcome


def _handle_pg(
    engine: Engine, gateway: str, result: GatewayResult, payload: dict[str, str]
) -> IpnOutcome:
    raw = engine.raw_connection()
    try:
        pg = raw.driver_connection
        assert isinstance(pg, psycopg.Connection)
        try:
            return _transaction_pg(pg, gateway, result, payload)
        except psycopg.OperationalError:
            raw.invalidate()  # a broken connection must not go back to the pool
            raise
        except BaseException:
            pg.rollback()
            raise
    finally:
        raw.close()


def _transaction(
    conn: Connection, gateway: str, result: GatewayResult, payload: dict[str, str]
) -> IpnOutcome:
    """SQLite: write first, so the write lock is held before the intent is read."""
    digest = rules.payload_digest(gateway, payload)
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
    """Process one notification and count its outcome (hemis_payment_ipn_total); never raises."""
    outcome = _handle(engine, gateway, params)
    IPN_OUTCOMES.labels(gateway.name, outcome.name).inc()
    return outcome


def _handle(engine: Engine, gateway: Gateway, params: Mapping[str, str]) -> IpnOutcome:
    """Process one notification; never raises.

    The payment tables are national (no row-level security, no tenant rows), so this hot path
    runs on a plain connection rather than a scoped ORM session: no per-request scope settings,
    no ORM bookkeeping. Give it an engine without pre-ping (`AppContext.notify_engine`): a
    connection lost since its last use is answered 99, and the gateway retries.
    """
    payload = {str(k): str(v) for k, v in params.items()}
    txn_ref = payload.get("vnp_TxnRef", "")
    try:
        result = gateway.read_notification(payload)
        if result is None:
            log.warning("ipn_bad_signature", gateway=gateway.name, txn_ref=txn_ref[:40])
            return IpnOutcome.bad_checksum
        if engine.dialect.name == "postgresql":
            outcome = _handle_pg(engine, gateway.name, result, payload)
        else:
            with engine.begin() as conn:
                outcome = _transaction(conn, gateway.name, result, payload)
        if outcome is not IpnOutcome.ok:
            log.info("ipn_refused", gateway=gateway.name, txn_ref=txn_ref[:40], rsp=outcome.value)
        return outcome
    except Exception as exc:  # the gateway must get an answer; it will retry
        log.error("ipn_error", gateway=gateway.name, txn_ref=txn_ref[:40], error=type(exc).__name__)
        return IpnOutcome.other
