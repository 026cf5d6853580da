"""The VNPay refund as the protocol says (merchant API 2.1.0): the request names the pay request's
create date as vnp_TransactionDate (VNPay finds the transaction by reference and that date), and
the answer's signature is verified like querydr's — a forged or tampered "00" refunds nothing.

The gateway client talks to the sandbox gateway's own app in process (the sandbox is this
project's VNPay stand-in; the real gateway cannot be reached from here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hemis.payments.gateways import client as vnpay_client
from hemis.payments.gateways.base import GatewayUnavailable
from hemis.payments.gateways.client import VnpayGateway, vn_time
from hemis.payments.sandbox.app import create_sandbox_app
from hemis.payments.sandbox.state import Sandbox, Txn

SECRET = "S" * 32
TMN = "HEMIS001"
CREATED = dt.datetime(2025, 7, 29, 8, 15, 30, tzinfo=dt.UTC)  # the pay request
PAID = CREATED + dt.timedelta(minutes=3)  # the payment, minutes later


@asynccontextmanager
async def _quiet(_app: FastAPI) -> AsyncIterator[None]:
    yield  # no notification worker: these calls are the merchant API only


@dataclass
class Wire:
    """httpx.post as the client uses it, answered by the sandbox's app; `forge` rewrites the
    answer's response code to 00 (a man in the middle)."""

    web: TestClient
    sent: list[dict[str, str]] = field(default_factory=list)
    forge: bool = False

    def post(self, url: str, json: dict[str, str], timeout: float) -> Any:
        self.sent.append(json)
        response = self.web.post(url.removeprefix("http://sandbox"), json=json)
        if not self.forge:
            return response
        body = response.json() | {"vnp_ResponseCode": "00"}
        return _Answer(body)


@dataclass
class _Answer:
    body: dict[str, str]
    status_code: int = 200

    def json(self) -> dict[str, str]:
        return self.body


@pytest.fixture
def box() -> Sandbox:
    sandbox = Sandbox(tmn_code=TMN, secret=SECRET, ipn_url="http://127.0.0.1:9/ipn")
    sandbox.txns["T1"] = Txn(
        txn_ref="T1",
        amount=45_000,
        order_info="Le phi T1",
        return_url="http://127.0.0.1:9/return",
        create_date=vn_time(CREATED),
        status="paid",
        transaction_no="14000001",
        pay_date=vn_time(PAID),
    )
    return sandbox


@pytest.fixture
def wire(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    app = create_sandbox_app(box)
    app.router.lifespan_context = _quiet
    with TestClient(app) as web:
        found = Wire(web)
        monkeypatch.setattr(vnpay_client.httpx, "post", found.post)
        yield found


def gateway() -> VnpayGateway:
    return VnpayGateway("http://sandbox", TMN, SECRET)


def test_the_refund_names_the_pay_requests_create_date(box: Sandbox, wire: Wire) -> None:
    # The payment time finds nothing (91); the pay request's create date refunds it.
    wrong = gateway().refund("T1", 45_000, "14000001", PAID, "bo.admin")
    assert (wrong.ok, wrong.response_code) == (False, "91")
    assert box.txns["T1"].status == "paid"
    right = gateway().refund("T1", 45_000, "14000001", CREATED, "bo.admin")
    assert (right.ok, right.response_code) == (True, "00")
    assert wire.sent[-1]["vnp_TransactionDate"] == "20250729151530"  # 08:15:30 UTC in GMT+7
    assert box.txns["T1"].status == "refunded"


def test_a_refund_answer_is_trusted_only_when_its_signature_verifies(
    box: Sandbox, wire: Wire
) -> None:
    # An "already refunded" (94) rewritten to "00" on the way: the signature no longer matches,
    # so the client refuses the answer (GatewayUnavailable: the caller records nothing).
    box.txns["T1"].status = "refunded"
    wire.forge = True
    with pytest.raises(GatewayUnavailable, match="signature"):
        gateway().refund("T1", 45_000, "14000001", CREATED, "bo.admin")
    wire.forge = False
    honest = gateway().refund("T1", 45_000, "14000001", CREATED, "bo.admin")
    assert (honest.ok, honest.response_code) == (False, "94")
