"""The ministry's admission-year pages: a new year and its calendar, validated on the server
(each problem named next to its field, what was typed kept), windows opened and closed now,
every change audited; analysts and officers change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.admissions.models import AdmissionYear
from hemis.audit.models import AuditEntry
from hemis.db.session import HemisSession, scoped_session
from hemis.db.types import utcnow
from hemis.web.app import create_app
from hemis.web.forms import VN_TZ
from tests import factories
from tests.actions.support import field_error, input_value, post_form
from tests.admissions import world
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user

YEARS = "/admissions/ministry/years"


@dataclass
class Site:
    sessions: sessionmaker[HemisSession]
    clients: dict[str, TestClient]

    def year(self, year: int) -> AdmissionYear | None:
        with scoped_session(self.sessions, world.system()) as s:
            return s.get(AdmissionYear, year)


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[Site]:
    with scoped_session(sessions, world.system()) as s:
        factories.institution(s, "BKA")
        world.calendar(s, 2025)
        s.commit()
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    make_user(sessions, "bk.officer", Role.institution_officer, "BKA")
    app = create_app(db.settings())
    clients = {}
    for name in ("bo.admin", "bo.analyst", "bk.officer"):
        client = TestClient(app)
        client.__enter__()
        assert login(client, name).status_code == 303
        clients[name] = client
    yield Site(sessions, clients)
    for client in clients.values():
        client.__exit__(None, None, None)
    app.state.ctx.dispose()


def _local(days: int, hour: int) -> str:
    """A day from today at an hour, as typed into a datetime-local field (Vietnam time)."""
    day = (utcnow() + dt.timedelta(days=days)).astimezone(VN_TZ).date()
    return f"{day.isoformat()}T{hour:02d}:00"


CALENDAR = {
    "registration_opens_at": _local(10, 0),
    "registration_closes_at": _local(17, 17),
    "wishes_open_at": _local(30, 0),
    "wishes_close_at": _local(42, 17),
    "confirm_deadline_at": _local(60, 17),
}


def moment(typed: str) -> dt.datetime:
    return dt.datetime.fromisoformat(typed).replace(tzinfo=VN_TZ).astimezone(dt.UTC)


def test_the_ministry_opens_a_new_year_with_its_calendar(site: Site) -> None:
    admin = site.clients["bo.admin"]
    done = post_form(admin, YEARS, YEARS, {"year": "2026", "wish_cap": "15", **CALENDAR})
    assert done.status_code == 303
    assert done.headers["location"] == f"{YEARS}/2026"
    row = site.year(2026)
    assert row is not None
    assert row.wish_cap == 15
    # typed in Vietnam time, kept in UTC
    assert row.wishes_close_at == moment(CALENDAR["wishes_close_at"])  # kept in UTC
    assert row.teacher_wish_limit == 5  # left blank: the 2026 regulation's own limit
    page = admin.get(f"{YEARS}/2026").text
    assert input_value(page, "wishes_close_at") == CALENDAR["wishes_close_at"]
    with scoped_session(site.sessions, world.system()) as s:
        created = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "admission_year", AuditEntry.action == "create"
            )
        ).all()
    made = [e for e in created if (e.after or {}).get("year") == 2026]
    assert len(made) == 1
    assert made[0].actor.startswith("user:")


def test_a_refused_year_keeps_what_was_typed_and_names_each_field(site: Site) -> None:
    admin = site.clients["bo.admin"]
    bad = post_form(
        admin,
        YEARS,
        YEARS,
        {
            "year": "20x6",
            "wish_cap": "0",
            **CALENDAR,
            "wishes_open_at": "16/07/2026 ngày",
        },
    )
    assert bad.status_code == 422
    # a field that is not even a date is named first; the others wait for the next try
    assert (
        field_error(bad.text, "wishes_open_at") == "Mở đăng ký nguyện vọng: ngày giờ không hợp lệ"
    )
    assert input_value(bad.text, "wishes_open_at") == "16/07/2026 ngày"
    assert input_value(bad.text, "year") == "20x6"
    bad = post_form(admin, YEARS, YEARS, {"year": "20x6", "wish_cap": "0", **CALENDAR})
    assert bad.status_code == 422
    assert field_error(bad.text, "year") == "Năm tuyển sinh: phải là số nguyên"
    assert field_error(bad.text, "wish_cap") == "Số nguyện vọng tối đa: phải lớn hơn hoặc bằng 1"
    assert 'aria-invalid="true" aria-describedby="year-error"' in bad.text
    assert input_value(bad.text, "wish_cap") == "0"
    assert input_value(bad.text, "registration_closes_at") == CALENDAR["registration_closes_at"]
    order = post_form(
        admin,
        YEARS,
        YEARS,
        {"year": "2026", **CALENDAR, "wishes_close_at": _local(20, 17)},
    )
    assert order.status_code == 422
    assert field_error(order.text, "wishes_close_at") == (
        "Đóng đăng ký nguyện vọng: Thời điểm đóng phải sau thời điểm mở."
    )
    twice = post_form(admin, YEARS, YEARS, {"year": "2025"})
    assert twice.status_code == 409
    assert field_error(twice.text, "year").startswith("Năm tuyển sinh: ")
    english = post_form(admin, f"{YEARS}?lang=en", YEARS, {"year": "abc"})
    assert field_error(english.text, "year") == "Admission year: must be a whole number"
    assert site.year(2026) is None


def test_the_ministry_edits_the_calendar_and_opens_and_closes_windows(site: Site) -> None:
    admin = site.clients["bo.admin"]
    page = f"{YEARS}/2025"
    assert 'id="window-wishes"' in admin.get(page).text
    bad = post_form(
        admin, page, page, {**CALENDAR, "wish_cap": "many", "registration_closes_at": ""}
    )
    assert bad.status_code == 422
    assert field_error(bad.text, "wish_cap") == "Số nguyện vọng tối đa: phải là số nguyên"
    assert input_value(bad.text, "wish_cap") == "many"
    before = site.year(2025)
    assert before is not None
    assert before.wish_cap is None
    saved = post_form(admin, page, page, {**CALENDAR, "wish_cap": "20"})
    assert saved.status_code == 303
    row = site.year(2025)
    assert row is not None
    assert row.wish_cap == 20
    assert row.registration_opens_at == moment(CALENDAR["registration_opens_at"])
    # close the wish window now, then open it again
    wishes = f"{page}/windows/wishes"
    before_close = utcnow()
    assert post_form(admin, f"{wishes}/open", page).status_code == 303
    row = site.year(2025)
    assert row is not None
    assert row.wishes_open_at is not None
    assert row.wishes_open_at >= before_close
    assert row.wishes_close_at == moment(CALENDAR["wishes_close_at"])
    assert "Đang mở" in admin.get(page).text
    assert post_form(admin, f"{wishes}/close", page).status_code == 303
    row = site.year(2025)
    assert row is not None
    assert row.wishes_close_at is not None
    assert before_close <= row.wishes_close_at <= utcnow()
    # opening needs a closing time after now: the field to fix is named
    refused = post_form(admin, f"{wishes}/open", page)
    assert refused.status_code == 422
    assert "Đóng đăng ký nguyện vọng: Hãy đặt thời điểm đóng" in refused.text
    with scoped_session(site.sessions, world.system()) as s:
        changes = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "admission_year", AuditEntry.action == "update"
            )
        ).all()
    assert len(changes) == 3


def test_analysts_and_officers_change_no_year(site: Site) -> None:
    analyst = site.clients["bo.analyst"]
    assert analyst.get(YEARS).status_code == 200
    assert "Tạo kỳ tuyển sinh" not in analyst.get(YEARS).text
    refused = post_form(analyst, YEARS, YEARS, {"year": "2026", **CALENDAR})
    assert refused.status_code == 403
    closed = post_form(analyst, f"{YEARS}/2025/windows/wishes/close", YEARS)
    assert closed.status_code == 403
    assert site.year(2026) is None
    row = site.year(2025)
    assert row is not None
    assert row.wishes_close_at is not None
    assert row.wishes_close_at > utcnow()
    officer = site.clients["bk.officer"]
    assert officer.get(YEARS).status_code == 403
    token_page = officer.get("/admissions/institution").text
    assert "csrf_token" in token_page
    assert post_form(officer, YEARS, "/admissions/institution", {"year": "2026"}).status_code == 403
    # and no form is taken without its anti-forgery token
    forged = site.clients["bo.admin"].post(YEARS, data={"year": "2026"}, follow_redirects=False)
    assert forged.status_code == 403
    assert site.year(2026) is None
