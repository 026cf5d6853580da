"""The ledger's guards: a notification signed for another merchant terminal is refused and
stores nothing; a "paid" notification about an intent already failed is listed among the
ministry's anomalies (the payer was debited and our ledger says otherwise)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.payments import ipn, queries, service
from hemis.payments.gateways import vnpay
from hemis.payments.gateways.client import VnpayGateway
from hemis.payments.models import PaymentIntent, PaymentNotification
from hemis.web.app import create_app
from tests.admissions import world
from tests.conftest import TestDB
from tests.payments import scene
from tests.web.page_factories import login, make_user

SYSTEM = Scope.system("test")
STUCK_AFTER = dt.timedelta(minutes=15)


def _start(
    sessions: sessionmaker[HemisSession], settings: Settings, gw: VnpayGateway, invoice: int
) -> PaymentIntent:
    with scoped_session(sessions, SYSTEM) as s:
        started = service.start_payment(s, settings, gw, invoice, person_id=None, ip_addr="")
        s.commit()
        return started.intent


def _status(sessions: sessionmaker[HemisSession], intent_id: int) -> str:
    with scoped_session(sessions, SYSTEM) as s:
        intent = s.get(PaymentIntent, intent_id)
        assert intent is not None
        return intent.status


def test_a_notification_for_another_terminal_is_refused(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    offline_gateway: VnpayGateway,
    billed: list[scene.Billed],
) -> None:
    intent = _start(sessions, settings, offline_gateway, billed[0].invoice_id)
    ours = scene.ipn_params(intent.txn_ref, intent.amount)
    foreign = vnpay.signed(dict(ours, vnp_TmnCode="KHAC0001"), scene.SECRET)
    assert vnpay.verify(foreign, scene.SECRET)  # a good signature: only the terminal is wrong
    assert ipn.handle(engine, offline_gateway, foreign).value == "97"
    unsigned_terminal = {k: v for k, v in ours.items() if k != "vnp_TmnCode"}
    missing = vnpay.signed(unsigned_terminal, scene.SECRET)
    assert ipn.handle(engine, offline_gateway, missing).value == "97"
    assert _status(sessions, intent.id) == "pending"
    with scoped_session(sessions, SYSTEM) as s:
        assert s.scalar(select(func.count()).select_from(PaymentNotification)) == 0
    assert ipn.handle(engine, offline_gateway, ours).value == "00"  # ours still settles it
    assert _status(sessions, intent.id) == "paid"


@pytest.fixture
def app_client(db: TestDB) -> Iterator[TestClient]:
    app = create_app(db.settings())
    with TestClient(app) as client:
        yield client
    app.state.ctx.dispose()


def test_paid_after_a_failure_is_an_anomaly(
    app_client: TestClient,
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    offline_gateway: VnpayGateway,
    billed: list[scene.Billed],
) -> None:
    gw = offline_gateway
    late, quiet = (_start(sessions, settings, gw, b.invoice_id) for b in billed[:2])
    for intent in (late, quiet):
        cancelled = scene.ipn_params(intent.txn_ref, intent.amount, code="24")
        assert ipn.handle(engine, gw, cancelled).value == "00"
        assert _status(sessions, intent.id) == "failed"
    # The gateway then says the first was paid after all; the second is told "cancelled" again
    # in another delivery (not a payment: no anomaly).
    paid = scene.ipn_params(late.txn_ref, late.amount, transaction_no="9000777")
    assert ipn.handle(engine, gw, paid).value == "02"
    again = scene.ipn_params(quiet.txn_ref, quiet.amount, code="24", transaction_no="9000778")
    assert ipn.handle(engine, gw, again).value == "02"
    assert _status(sessions, late.id) == "failed"  # nothing moved by itself

    with scoped_session(sessions, SYSTEM) as s:
        found = queries.anomalies(s, world.YEAR, STUCK_AFTER, utcnow()).paid_after_failure
        assert [n.txn_ref for n in found] == [late.txn_ref]

    make_user(sessions, "bo-lephi", Role.ministry_admin)
    assert login(app_client, "bo-lephi").status_code == 303
    page = app_client.get("/payments/ministry")
    assert page.status_code == 200
    section = page.text.split('id="paid-after-failure"')[1].split("</ul>")[0]
    assert re.findall(r"<li>([^<]+?) — ", section) == [late.txn_ref]
