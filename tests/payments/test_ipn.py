"""The IPN handler on both databases: each protocol answer, replays change nothing, a bad
signature stores nothing, and concurrent deliveries of one payment settle it once."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from hemis.config import Settings
from hemis.db.session import HemisSession, make_engine, scoped_session
from hemis.db.tenancy import Scope
from hemis.payments import ipn, service
from hemis.payments.gateways.client import VnpayGateway
from hemis.payments.models import PaymentIntent, PaymentNotification
from tests.conftest import TestDB
from tests.payments import scene

SYSTEM = Scope.system("test")


def start(
    sessions: sessionmaker[HemisSession], settings: Settings, gw: VnpayGateway, invoice: int
) -> PaymentIntent:
    with scoped_session(sessions, SYSTEM) as s:
        started = service.start_payment(
            s, settings, gw, invoice, person_id=None, ip_addr="127.0.0.1"
        )
        s.commit()
        return started.intent


def ledger(sessions: sessionmaker[HemisSession]) -> list[tuple[Any, ...]]:
    with scoped_session(sessions, SYSTEM) as s:
        return [
            tuple(r)
            for r in s.execute(
                select(
                    PaymentIntent.txn_ref,
                    PaymentIntent.status,
                    PaymentIntent.transaction_no,
                    PaymentIntent.settled_at,
                ).order_by(PaymentIntent.id)
            )
        ]


def notifications(sessions: sessionmaker[HemisSession]) -> dict[str, tuple[str, int]]:
    with scoped_session(sessions, SYSTEM) as s:
        rows = s.execute(
            select(
                PaymentNotification.txn_ref,
                PaymentNotification.outcome,
                PaymentNotification.deliveries,
            )
        )
        return {ref: (outcome, n) for ref, outcome, n in rows}


def test_protocol_answers_and_replays(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    offline_gateway: VnpayGateway,
    billed: list[scene.Billed],
) -> None:
    gw = offline_gateway
    intent = start(sessions, settings, gw, billed[0].invoice_id)
    assert intent.status == "pending"
    assert intent.amount == billed[0].amount

    good = scene.ipn_params(intent.txn_ref, intent.amount)
    tampered = dict(good, vnp_Amount=str(int(good["vnp_Amount"]) + 100))
    assert ipn.handle(engine, gw, tampered).value == "97"
    assert notifications(sessions) == {}  # a bad signature stores nothing

    wrong_amount = scene.ipn_params(intent.txn_ref, intent.amount - 1)
    assert ipn.handle(engine, gw, wrong_amount).value == "04"
    assert ledger(sessions)[0][1] == "pending"

    assert ipn.handle(engine, gw, scene.ipn_params("999999999", 15_000)).value == "01"

    assert ipn.handle(engine, gw, good).value == "00"
    after = ledger(sessions)
    assert after[0][1:3] == ("paid", "9000001")
    for _ in range(3):
        assert ipn.handle(engine, gw, good).value == "02"
    # A later "cancelled" for the same order (out of order) changes nothing either.
    late_cancel = scene.ipn_params(intent.txn_ref, intent.amount, code="24")
    assert ipn.handle(engine, gw, late_cancel).value == "02"
    assert ledger(sessions) == after
    seen = notifications(sessions)
    assert seen[intent.txn_ref] in {("00", 4), ("02", 1)}
    with scoped_session(sessions, SYSTEM) as s:
        rows = s.execute(
            select(PaymentNotification.outcome, PaymentNotification.deliveries).where(
                PaymentNotification.txn_ref == intent.txn_ref
            )
        ).all()
    assert sorted(tuple(r) for r in rows) == [("00", 4), ("02", 1), ("04", 1)]


def test_a_cancelled_payment_fails_and_a_late_success_is_refused(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    offline_gateway: VnpayGateway,
    billed: list[scene.Billed],
) -> None:
    intent = start(sessions, settings, offline_gateway, billed[1].invoice_id)
    cancel = scene.ipn_params(intent.txn_ref, intent.amount, code="24")
    assert ipn.handle(engine, offline_gateway, cancel).value == "00"
    assert ledger(sessions)[0][1] == "failed"
    paid = scene.ipn_params(intent.txn_ref, intent.amount)
    assert ipn.handle(engine, offline_gateway, paid).value == "02"
    assert ledger(sessions)[0][1] == "failed"


def test_concurrent_deliveries_settle_once(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    offline_gateway: VnpayGateway,
    billed: list[scene.Billed],
) -> None:
    intents = [start(sessions, settings, offline_gateway, b.invoice_id) for b in billed]
    answers: list[str] = []
    lock = threading.Lock()

    def deliver(params: dict[str, str]) -> None:
        code = ipn.handle(engine, offline_gateway, params).value
        with lock:
            answers.append(code)

    threads = [
        threading.Thread(
            target=deliver, args=(scene.ipn_params(i.txn_ref, i.amount, transaction_no=str(n)),)
        )
        for n, i in enumerate(intents)
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == sorted(["00"] * len(intents) + ["02"] * 3 * len(intents))
    assert all(row[1] == "paid" for row in ledger(sessions))
    with scoped_session(sessions, SYSTEM) as s:
        assert s.scalar(select(func.sum(PaymentNotification.deliveries))) == 4 * len(intents)


def test_a_lost_connection_is_answered_retry_and_then_recovers(
    db: TestDB,
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    offline_gateway: VnpayGateway,
    billed: list[scene.Billed],
) -> None:
    """The notification engine has no pre-ping: a pooled connection the server has dropped
    is answered 99 (the gateway retries), discarded, and the retry is served normally."""
    if db.backend != "postgres":
        pytest.skip("a server-side disconnect needs PostgreSQL")
    notify = make_engine(db.url, pool_pre_ping=False, pool_size=1, max_overflow=0)
    try:
        intent = start(sessions, settings, offline_gateway, billed[0].invoice_id)
        other = start(sessions, settings, offline_gateway, billed[1].invoice_id)
        first = scene.ipn_params(other.txn_ref, other.amount)
        assert ipn.handle(notify, offline_gateway, first).value == "00"  # pools one connection
        with psycopg.connect(db.owner_url.replace("postgresql+psycopg", "postgresql")) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND usename = 'hemis_app'"
            )
        good = scene.ipn_params(intent.txn_ref, intent.amount)
        assert ipn.handle(notify, offline_gateway, good).value == "99"
        assert ledger(sessions)[0][1] == "pending"
        assert ipn.handle(notify, offline_gateway, good).value == "00"
        assert ledger(sessions)[0][1] == "paid"
    finally:
        notify.dispose()
