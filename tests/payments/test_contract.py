"""The Idempotency-Key contract of our payment API, over real HTTP (our app in a uvicorn
subprocess, the sandbox gateway in another), and the app killed with SIGKILL in the middle of an
IPN burst: every acknowledged payment is recorded exactly once."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts import service as accounts
from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.payments.jobs import reconcile_once
from hemis.payments.models import PaymentIntent, PaymentNotification
from tests.admissions import world
from tests.conftest import TestDB
from tests.payments import scene
from tests.payments.harness import Stack
from tests.payments.test_http import ledger, start
from tests.web.page_factories import make_user

SYSTEM = Scope.system("test")


@pytest.fixture
def stack(db: TestDB, tmp_path: Path) -> Iterator[Stack]:
    running = Stack(db, tmp_path, sandbox_via_cli=True)
    try:
        running.start_sandbox()
        running.start_app()
        yield running
    finally:
        running.stop()


def token_for(sessions: sessionmaker[HemisSession], stack: Stack, username: str) -> str:
    with scoped_session(sessions, SYSTEM) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        principal = Principal(user.id, username, username, Role(user.role), user.institution_id)
        return accounts.issue_token(s, stack.settings(), principal, "payments test")


def post(stack: Stack, token: str, path: str, body: Any, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return httpx.post(stack.app_url + path, json=body, headers=headers, timeout=30)


def intents_of(sessions: sessionmaker[HemisSession], invoice_id: int) -> int:
    with scoped_session(sessions, SYSTEM) as s:
        count = s.scalar(select(func.count()).where(PaymentIntent.invoice_id == invoice_id))
        return int(count or 0)


def test_idempotency_key_contract(
    stack: Stack, sessions: sessionmaker[HemisSession], cipher: Any
) -> None:
    billed = scene.build(sessions, cipher, 2)
    world.account(sessions, "thisinh-pay", billed[0].person_id)
    make_user(sessions, "bo-pay", Role.ministry_admin, display_name="Bộ")
    candidate, admin = (
        token_for(sessions, stack, "thisinh-pay"),
        token_for(sessions, stack, "bo-pay"),
    )
    mine, other = billed[0].invoice_id, billed[1].invoice_id
    path = "/api/v1/payments/intents"

    # Candidates pay through the portal (its pay form carries the key, test_pages); the API is
    # for the ministry's systems, e.g. a support desk paying on a candidate's behalf.
    assert post(stack, candidate, path, {"invoice_id": mine}, "key-0").status_code == 403
    first = post(stack, admin, path, {"invoice_id": mine}, "key-1")
    assert first.status_code == 201, first.text
    assert first.json()["amount"] == billed[0].amount
    again = post(stack, admin, path, {"invoice_id": mine}, "key-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert intents_of(sessions, mine) == 1  # the replay made no second intent

    reused = post(stack, admin, path, {"invoice_id": other}, "key-1")
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert intents_of(sessions, other) == 0
    missing = post(stack, admin, path, {"invoice_id": mine}, None)
    assert missing.status_code == 422
    assert missing.json()["code"] == "idempotency_key_required"
    unknown = post(stack, admin, path, {"invoice_id": 987654}, "key-2")
    assert unknown.status_code == 404
    assert post(stack, admin, path, {"invoice_id": 987654}, "key-2").json() == unknown.json()

    stack.pay(first.json()["redirect_url"])
    stack.drain()
    paid_again = post(stack, admin, path, {"invoice_id": mine}, "key-3")
    assert (paid_again.status_code, paid_again.json()["code"]) == (409, "invoice_already_paid")

    intent_id = first.json()["id"]
    refund_path = f"/api/v1/payments/intents/{intent_id}/refund"
    assert post(stack, candidate, refund_path, {"reason": "x"}, "r-0").status_code == 403
    refund = post(stack, admin, refund_path, {"reason": "thu nhầm"}, "r-1")
    assert refund.status_code == 200, refund.text
    assert refund.json()["status"] == "refunded"
    replay = post(stack, admin, refund_path, {"reason": "thu nhầm"}, "r-1")
    assert (replay.status_code, replay.json()) == (200, refund.json())
    assert post(stack, admin, refund_path, {"reason": "khác"}, "r-1").status_code == 409
    twice = post(stack, admin, refund_path, {"reason": "thu nhầm"}, "r-2")
    assert (twice.status_code, twice.json()["code"]) == (409, "not_refundable")
    gateway = {t["txn_ref"]: t["status"] for t in stack.state()["transactions"]}
    assert gateway[first.json()["txn_ref"]] == "refunded"


def test_sigkill_mid_ipn_burst_loses_and_doubles_nothing(
    stack: Stack, sessions: sessionmaker[HemisSession], cipher: Any
) -> None:
    billed = scene.build(sessions, cipher, 24, max_wishes=2)
    stack.configure(delay=1.0, retry_interval=0.3, max_attempts=2000)
    urls = [start(sessions, stack, b.invoice_id)[1] for b in billed]
    for url in urls:
        stack.pay(url)
    deadline = time.monotonic() + 60
    while sum(e.get("rsp") == "00" for e in stack.state()["log"]) < 4:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    stack.kill("app")  # SIGKILL: no shutdown, requests in flight are cut
    acked_before_kill = {e["txn_ref"] for e in stack.state()["log"] if e.get("rsp") == "00"}
    stack.start_app()
    stack.drain(timeout=600)
    # Had the gateway given up retrying, the reconciler would settle the rest through querydr.
    reconcile_once(stack.settings(), now=utcnow() + dt.timedelta(hours=1))

    log = [e for e in stack.state()["log"] if e["event"] == "ipn"]
    assert any(e["rsp"] == "" for e in log)  # deliveries failed while the app was down
    paid_at_gateway = {t["txn_ref"] for t in stack.state()["transactions"] if t["status"] == "paid"}
    ours = ledger(sessions)
    assert {ref for ref, row in ours.items() if row[1] == "paid"} == paid_at_gateway
    assert acked_before_kill <= paid_at_gateway
    oks = Counter(e["txn_ref"] for e in log if e["rsp"] == "00")
    assert max(oks.values()) == 1  # never acknowledged twice
    answered = {e["txn_ref"] for e in log if e["rsp"] in ("00", "02")}
    with scoped_session(sessions, SYSTEM) as s:
        rows = Counter(s.scalars(select(PaymentNotification.txn_ref)))
    assert set(rows) == answered
    assert set(rows.values()) == {1}  # one stored notification per payment
