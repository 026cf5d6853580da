"""The ministry's fees page: the fee schedule and payment windows (validated on the server, each
problem next to its field, what was typed kept, audited), and invoicing and reconciliation as
background jobs with a progress page — their result, a failure in Vietnamese and English, and a
second start refused while one runs. Analysts see it all and change nothing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.actions.models import ActionJob
from hemis.actions.runner import HOST
from hemis.admissions.models import AdmissionYear
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.types import utcnow
from hemis.payments import service
from hemis.payments.gateways.client import VnpayGateway
from hemis.payments.models import FeeSchedule, Invoice, PaymentIntent, PaymentWindow
from hemis.web.app import create_app
from tests import factories
from tests.actions.support import field_error, finish, input_value, post_form
from tests.admissions import world
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user

PAGE = "/payments/ministry"


@dataclass
class Site:
    sessions: sessionmaker[HemisSession]
    admin: TestClient
    analyst: TestClient
    people: list[int]

    def fees(self) -> FeeSchedule | None:
        with scoped_session(self.sessions, world.system()) as s:
            return s.get(FeeSchedule, world.YEAR)

    def invoices(self) -> list[Invoice]:
        with scoped_session(self.sessions, world.system()) as s:
            return list(s.scalars(select(Invoice)))

    def jobs(self) -> list[ActionJob]:
        with scoped_session(self.sessions, world.system()) as s:
            return list(s.scalars(select(ActionJob).order_by(ActionJob.id)))

    def close_wishes(self) -> None:
        with scoped_session(self.sessions, world.system()) as s:
            year = s.get(AdmissionYear, world.YEAR)
            assert year is not None
            year.wishes_close_at = utcnow() - dt.timedelta(minutes=1)
            s.commit()


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Iterator[Site]:
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)  # the wish window is still open
        inst = factories.institution(s, "PAY01")
        offers = [world.offer(s, world.program(s, inst, f"P{k}"), 100) for k in range(3)]
        people = []
        for i in range(3):
            c = world.candidate(s, cipher, 200 + i, exam_site="01")
            for k in range(1 + i):
                world.wish(s, c, inst.id, offers[k])
            people.append(c.person_id)
        s.commit()
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    # no gateway listens there: reconciliation finds it unavailable and leaves payments pending
    app = create_app(db.settings(payment_gateway_url="http://127.0.0.1:9"))
    clients = []
    for name in ("bo.admin", "bo.analyst"):
        client = TestClient(app)
        client.__enter__()
        assert login(client, name).status_code == 303
        clients.append(client)
    yield Site(sessions, clients[0], clients[1], people)
    for client in clients:
        client.__exit__(None, None, None)
    app.state.ctx.dispose()


def test_the_ministry_sets_the_fees(site: Site) -> None:
    bad = post_form(site.admin, f"{PAGE}/fees", PAGE, {"wish_fee": "-5", "exam_fee": "abc"})
    assert bad.status_code == 422
    assert field_error(bad.text, "wish_fee") == (
        "Lệ phí mỗi nguyện vọng (đồng): phải lớn hơn hoặc bằng 0"
    )
    assert field_error(bad.text, "exam_fee") == "Lệ phí dự thi (đồng): phải là số nguyên"
    assert input_value(bad.text, "exam_fee") == "abc"
    assert site.fees() is None
    missing = post_form(site.admin, f"{PAGE}/fees", PAGE, {"exam_fee": "0"})
    assert field_error(missing.text, "wish_fee") == "Lệ phí mỗi nguyện vọng (đồng): bắt buộc nhập"
    saved = post_form(site.admin, f"{PAGE}/fees", PAGE, {"wish_fee": "15000", "exam_fee": ""})
    assert saved.status_code == 303
    fees = site.fees()
    assert fees is not None
    assert (fees.wish_fee, fees.exam_fee) == (15_000, 0)
    assert "15.000 đ" in site.admin.get(PAGE).text
    with scoped_session(site.sessions, world.system()) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "fee_schedule"))
    assert entry is not None
    assert entry.actor.startswith("user:")
    refused = post_form(site.analyst, f"{PAGE}/fees", PAGE, {"wish_fee": "1"})
    assert refused.status_code == 403
    window = {
        "province_group": "1",
        "opens_at": "2025-07-29T08:00",
        "closes_at": "2025-08-05T17:00",
    }
    assert post_form(site.analyst, f"{PAGE}/windows", PAGE, window).status_code == 403
    with scoped_session(site.sessions, world.system()) as s:
        assert s.scalars(select(PaymentWindow)).all() == []
    fees = site.fees()
    assert fees is not None
    assert fees.wish_fee == 15_000


def test_the_ministry_sets_a_payment_window(site: Site) -> None:
    typed = {
        "province_group": "0",
        "opens_at": "2025-07-29T08:00",
        "closes_at": "2025-07-28T17:00",
        "provinces": "01, 7x",
    }
    bad = post_form(site.admin, f"{PAGE}/windows", PAGE, typed)
    assert bad.status_code == 422
    assert field_error(bad.text, "province_group") == "Nhóm tỉnh: phải lớn hơn hoặc bằng 1"
    assert field_error(bad.text, "provinces").startswith("Mã các tỉnh trong nhóm: ")
    assert input_value(bad.text, "provinces") == "01, 7x"
    order = post_form(
        site.admin, f"{PAGE}/windows", PAGE, typed | {"province_group": "1", "provinces": "01"}
    )
    assert order.status_code == 422
    assert field_error(order.text, "closes_at") == (
        "Đóng thanh toán: Thời điểm đóng phải sau thời điểm mở."
    )
    assert input_value(order.text, "opens_at") == "2025-07-29T08:00"
    saved = post_form(
        site.admin,
        f"{PAGE}/windows",
        PAGE,
        typed | {"province_group": "1", "provinces": "01, 79", "closes_at": "2025-08-05T17:00"},
    )
    assert saved.status_code == 303
    with scoped_session(site.sessions, world.system()) as s:
        window = s.get(PaymentWindow, (world.YEAR, 1))
    assert window is not None
    assert window.provinces == ["01", "79"]
    assert window.opens_at == dt.datetime(2025, 7, 29, 1, 0, tzinfo=dt.UTC)
    assert 'id="payment-windows"' in site.admin.get(PAGE).text


def test_invoices_are_issued_by_a_background_job(site: Site) -> None:
    assert post_form(site.admin, f"{PAGE}/fees", PAGE, {"wish_fee": "15000"}).status_code == 303
    # too early: the wish window is open; the job fails and says why, in both languages
    early = post_form(site.admin, f"{PAGE}/invoices", PAGE)
    assert early.status_code == 303
    failed = finish(site.admin, early.headers["location"])
    assert 'data-status="failed"' in failed
    assert "Chỉ lập hóa đơn sau khi đóng đăng ký nguyện vọng." in failed
    english = site.admin.get(early.headers["location"] + "?lang=en").text
    assert "Invoices are computed only after the wish window closes." in english
    site.admin.get(f"{PAGE}?lang=vi")  # back to Vietnamese
    assert site.invoices() == []
    site.close_wishes()
    started = post_form(site.admin, f"{PAGE}/invoices", PAGE)
    done = finish(site.admin, started.headers["location"])
    assert 'data-status="succeeded"' in done
    assert 'value="1"' in done  # the bar is full
    assert "<dt>Hóa đơn mới</dt><dd>3</dd>" in done
    amounts = sorted(i.amount for i in site.invoices())
    assert amounts == [15_000, 30_000, 45_000]
    assert "Lập hóa đơn lệ phí" in site.admin.get(PAGE).text  # listed among recent actions


def test_reconciliation_runs_as_a_job_and_is_not_started_twice(site: Site) -> None:
    site.close_wishes()
    with scoped_session(site.sessions, world.system()) as s:
        service.set_fees(s, world.YEAR, 15_000)
        service.issue_invoices(s, world.YEAR)
        s.commit()
        invoice = s.scalars(select(Invoice)).first()
        assert invoice is not None
        gateway = VnpayGateway("http://127.0.0.1:9", "HEMISDEV", "secret")
        settings = site.admin.app.state.ctx.settings  # type: ignore[attr-defined]
        started = service.start_payment(
            s, settings, gateway, invoice.id, person_id=None, ip_addr=""
        )
        started.intent.sent_at = utcnow() - dt.timedelta(hours=1)  # stuck for an hour
        s.commit()
    begun = post_form(site.admin, f"{PAGE}/reconcile", PAGE)
    assert begun.status_code == 303
    done = finish(site.admin, begun.headers["location"])
    assert 'data-status="succeeded"' in done
    assert "<dt>Giao dịch đã kiểm tra</dt><dd>1</dd>" in done
    assert "<dt>Cổng không trả lời</dt><dd>1</dd>" in done
    with scoped_session(site.sessions, world.system()) as s:
        assert s.scalar(select(PaymentIntent.status)) == "pending"  # left for the next run
    # a reconciliation already running: the button leads to it instead of starting another
    with scoped_session(site.sessions, world.system()) as s:
        running = ActionJob(
            kind="payments.reconcile",
            params={},
            lock_key="payments.reconcile",
            active_key="payments.reconcile",
            status="running",
            phase="querying",
            processed=0,
            total=5,
            actor="user:1",
            actor_role="ministry_admin",
            worker=f"{HOST}:{os.getpid()}",
            heartbeat_at=utcnow(),
        )
        s.add(running)
        s.commit()
        running_id = running.id
    again = post_form(site.admin, f"{PAGE}/reconcile", PAGE)
    assert again.status_code == 303
    assert again.headers["location"] == f"/actions/{running_id}?already=1"
    notice = site.admin.get(again.headers["location"]).text
    assert "Thao tác này đã đang chạy nên không chạy thêm lần nữa" in notice
    assert 'id="action-total">5<' in notice
    assert len(site.jobs()) == 2
    assert f'href="/actions/{running_id}" id="busy-reconcile"' in site.admin.get(PAGE).text


def test_analysts_start_no_job(site: Site) -> None:
    page = site.analyst.get(PAGE).text
    assert 'id="start-reconcile"' not in page
    assert 'id="start-invoices"' not in page
    for action in ("reconcile", "invoices"):
        assert post_form(site.analyst, f"{PAGE}/{action}", PAGE).status_code == 403
    assert site.jobs() == []
