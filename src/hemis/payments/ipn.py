"""The IPN handler: one transaction per notification.

1. the signature (constant time) — bad: 97, nothing stored (anyone can send garbage);
2. the raw payload is upserted into payment_notification, keyed by its digest: a replay bumps
   `deliveries`. Writing first also takes SQLite's write lock before anything is read, so the
   read-check-write below is serialised there as FOR UPDATE serialises it on PostgreSQL;
3. the intent row is locked (SELECT … FOR UPDATE): unknown order 01, wrong amount 04, already
   final 02, else the transition is applied — 00;
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
from sqlalchemy.orm import Session, sessionmaker

from hemis.db.base import table_of
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.payments import rules
from hemis.payments.gateways.base import Gateway, GatewayResult
from hemis.payments.models import PaymentIntent, PaymentNotification
from hemis.payments.rules import IntentStatus, IpnOutcome

log = structlog.get_logger(__name__)
_notification = table_of(PaymentNotification)
_intent = table_of(PaymentIntent)
SCOPE = Scope.system("payments-ipn")


def _upsert_notification(
    session: Session, digest: str, gateway: str, txn_ref: str, payload: dict[str, str]
) -> int:
    """Record the payload (or count a redelivery); returns how many times it has been seen."""
    now = utcnow()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_notification).values(
        digest=digest,
        gateway=gateway,
        txn_ref=txn_ref[:100],
        outcome=IpnOutcome.other.value,
        deliveries=1,
        payload=payload,
        first_at=now,
        last_at=now,
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=[_notification.c.digest],
        set_={"deliveries": _notification.c.deliveries + 1, "last_at": now},
    ).returning(_notification.c.deliveries)
    return int(session.execute(upsert).scalar_one())


def settle(
    session: Session, intent: Any, result: GatewayResult, by: str, now: dt.datetime
) -> IpnOutcome:
    """Apply a gateway's (authenticated) word on a locked intent row; returns the verdict."""
    outcome, target = rules.settle_outcome(
        IntentStatus(intent.status), int(intent.amount), result.amount, result.paid
    )
    if target is None:
        return outcome
    session.execute(
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


def lock_intent(session: Session, gateway: str, txn_ref: str) -> Any:
    return session.execute(
        select(_intent.c.id, _intent.c.status, _intent.c.amount)
        .where(_intent.c.gateway == gateway, _intent.c.txn_ref == txn_ref)
        .with_for_update()
    ).first()


def handle(
    sessions: sessionmaker[HemisSession], gateway: Gateway, params: Mapping[str, str]
) -> IpnOutcome:
    """Process one notification; never raises."""
    payload = {str(k): str(v) for k, v in params.items()}
    txn_ref = payload.get("vnp_TxnRef", "")
    try:
        result = gateway.read_notification(payload)
        if result is None:
            log.warning("ipn_bad_signature", gateway=gateway.name, txn_ref=txn_ref[:40])
            return IpnOutcome.bad_checksum
        digest = rules.payload_digest(gateway.name, payload)
        with scoped_session(sessions, SCOPE) as session:
            seen = _upsert_notification(session, digest, gateway.name, result.txn_ref, payload)
            intent = lock_intent(session, gateway.name, result.txn_ref)
            if intent is None:
                outcome = IpnOutcome.order_not_found
            else:
                outcome = settle(session, intent, result, "ipn", utcnow())
            if seen == 1:
                session.execute(
                    update(_notification)
                    .where(_notification.c.digest == digest)
                    .values(outcome=outcome.value, intent_id=intent.id if intent else None)
                )
            session.commit()
        if outcome is not IpnOutcome.ok:
            log.info("ipn_refused", gateway=gateway.name, txn_ref=txn_ref[:40], rsp=outcome.value)
        return outcome
    except Exception as exc:  # the gateway must get an answer; it will retry
        log.error("ipn_error", gateway=gateway.name, txn_ref=txn_ref[:40], error=type(exc).__name__)
        return IpnOutcome.other
