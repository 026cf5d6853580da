"""The payment pages: a candidate's invoice, paying (a double submit replays), the return page
that never says "failed" while the gateway may still settle, the receipt; the ministry's totals
and anomalies. The IPN goes through the app's own endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.payments import service
from hemis.payments.gateways.client import VnpayGateway
from hemis.payments.models import PaymentIntent
from hemis.web.app import create_app
from tests.admissions import world
from tests.conftest import TestDB
from tests.payments import scene
from tests.web.page_factories import csrf_of, login, make_user

IDEM = re.compile(r'name="idempotency_key" value="([^"]+)"')


@pytest.fixture
def app_client(db: TestDB) -> Iterator[TestClient]:
    app = create_app(db.settings())
    with TestClient(app) as client:
        yield client
    app.state.ctx.dispose()


def intents(sessions: sessionmaker[HemisSession]) -> list[PaymentIntent]:
    with scoped_session(sessions, Scope.system("test")) as s:
        return list(s.scalars(select(PaymentIntent).order_by(PaymentIntent.id)))


def test_candidate_pays_and_sees_only_our_ledger(
    app_client: TestClient, sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    billed = scene.build(sessions, cipher, 2, max_wishes=3)
    me = billed[1]  # two wishes: 30.000 đ
    world.account(sessions, "ts-trang", me.person_id)
    make_user(sessions, "bo-lephi", Role.ministry_admin, display_name="Bộ")
    client = app_client
    assert login(client, "ts-trang").status_code == 303

    page = client.get("/payments")
    assert page.status_code == 200
    assert "30.000 đ" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "invoice_id": str(me.invoice_id),
        "idempotency_key": IDEM.findall(page.text)[0],
    }
    # the pay form may send the browser on to the gateway: its page's CSP says so
    gateway = client.app.state.ctx.settings.payment_gateway_url.rstrip("/")  # type: ignore[attr-defined]
    assert f"form-action 'self' {gateway}" in page.headers["Content-Security-Policy"]
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]
    first = client.post("/payments/pay", data=form, follow_redirects=False)
    double_click = client.post("/payments/pay", data=form, follow_redirects=False)
    assert first.status_code == double_click.status_code == 303
    assert first.headers["location"] == double_click.headers["location"]
    assert len(intents(sessions)) == 1  # the double submit made one intent
    # straight to the gateway, no page in between
    assert first.headers["location"].startswith(gateway)
    assert "vnp_SecureHash=" in first.headers["location"]
    intent = intents(sessions)[0]

    # The gateway sends the browser back claiming failure ("authentication failed") while the
    # bank debited the card: the page shows our ledger's "pending — we will confirm".
    lying = scene.ipn_params(intent.txn_ref, intent.amount, code="99")
    back = client.get("/payments/return", params=lying)
    assert back.status_code == 200
    assert "Đang chờ xác nhận" in back.text
    assert "Không thành công" not in back.text
    # it follows the intent: the card polls its own address while the state is not final,
    # and refreshes the page without JavaScript
    poll = f'hx-get="/payments/intents/{intent.id}/status" hx-trigger="every 2s"'
    assert poll in back.text
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in back.text
    card = client.get(f"/payments/intents/{intent.id}/status")
    assert card.status_code == 200
    assert 'data-status="pending"' in card.text
    assert poll in card.text

    # The IPN arrives (server to server) and settles it; the same page now shows paid + receipt.
    ipn = client.get("/payments/vnpay/ipn", params=scene.ipn_params(intent.txn_ref, intent.amount))
    assert ipn.json() == {"RspCode": "00", "Message": "Confirm Success"}
    card = client.get(f"/payments/intents/{intent.id}/status")
    assert 'data-status="paid"' in card.text
    assert "Đã thanh toán" in card.text
    assert "hx-trigger" not in card.text  # final: the polling stops
    back = client.get("/payments/return", params=lying)
    assert "Đã thanh toán" in back.text
    assert "http-equiv" not in back.text
    receipt = client.get(f"/payments/receipt/{intent.id}")
    assert receipt.status_code == 200
    assert "30.000 đ" in receipt.text
    # printable, naming the candidate, and saying what the province group is
    assert "data-print hidden" in receipt.text
    assert '<script src="/static/print.js" defer></script>' in receipt.text
    name = re.search(r'id="receipt-name"><strong>([^<]+)</strong>', receipt.text)
    assert name
    assert name.group(1).strip()
    assert "chia thành 7 nhóm" in receipt.text
    assert "9000001" in receipt.text
    page = client.get("/payments")
    assert "Thanh toán trực tuyến" not in page.text  # no second payment offered

    # Another candidate's receipt is not found for this one.
    other = client.get(f"/payments/receipt/{intent.id + 1000}")
    assert other.status_code == 404


def test_ministry_sees_totals_and_anomalies(
    app_client: TestClient, sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    billed = scene.build(sessions, cipher, 3)
    make_user(sessions, "bo-lephi", Role.ministry_admin, display_name="Bộ")
    world.account(sessions, "ts-an", billed[0].person_id)
    client = app_client
    refs = []
    for b in billed:
        with scoped_session(sessions, Scope.system("test")) as s:
            gw = VnpayGateway("http://127.0.0.1:9", "HEMISDEV", scene.SECRET)
            started = service.start_payment(
                s, client.app.state.ctx.settings, gw, b.invoice_id, person_id=None, ip_addr=""
            )
            s.commit()
            refs.append((started.intent.txn_ref, started.intent.amount))
    ref0, amount0 = refs[0]
    client.get("/payments/vnpay/ipn", params=scene.ipn_params(ref0, amount0, bank="VCB"))
    client.get("/payments/vnpay/ipn", params=scene.ipn_params(refs[1][0], 1))

    assert login(client, "ts-an").status_code == 303
    assert client.get("/payments/ministry").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/payments").text)})
    client.cookies.clear()
    assert login(client, "bo-lephi").status_code == 303
    page = client.get("/payments/ministry")
    assert page.status_code == 200
    assert "VCB" in page.text
    assert f"{amount0:,}".replace(",", ".") + " đ" in page.text
    assert "RspCode 04" in page.text  # the forged amount is listed
