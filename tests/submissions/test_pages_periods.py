"""The ministry's reporting periods (a new period, its dates, open and close now: validated on
the server, each problem next to its field, audited), and the template of each entity
downloaded from the upload page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.audit.models import AuditEntry
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.imports.entities import get_entity
from hemis.imports.readers import read_table
from hemis.registry.models import ReportingPeriod
from hemis.web.app import create_app
from tests import factories
from tests.actions.support import field_error, input_value, post_form
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user

PERIODS = "/submissions/periods"
TODAY = dt.date.today()


@dataclass
class Site:
    sessions: sessionmaker[HemisSession]
    clients: dict[str, TestClient]

    def period(self, year: int) -> ReportingPeriod | None:
        with scoped_session(self.sessions, Scope.system("test")) as s:
            return s.scalar(select(ReportingPeriod).where(ReportingPeriod.year == year))


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[Site]:
    with scoped_session(sessions, Scope.system("test")) as s:
        factories.institution(s, "SUB01")
        s.commit()
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    make_user(sessions, "cb", Role.institution_officer, "SUB01")
    make_user(sessions, "ts", Role.candidate)
    app = create_app(db.settings())
    clients = {}
    for name in ("bo.admin", "bo.analyst", "cb", "ts"):
        client = TestClient(app)
        client.__enter__()
        assert login(client, name).status_code == 303
        clients[name] = client
    yield Site(sessions, clients)
    for client in clients.values():
        client.__exit__(None, None, None)
    app.state.ctx.dispose()


def period_form(number: int, **changes: str) -> dict[str, object]:
    year = number
    return {
        "year": str(year),
        "name": f"Kỳ báo cáo {year}",
        "cutoff_on": f"{year - 1}-12-31",
        "finance_cutoff_on": f"{year - 1}-12-31",
        "opens_on": (TODAY - dt.timedelta(days=5)).isoformat(),
        "closes_on": (TODAY + dt.timedelta(days=60)).isoformat(),
    } | changes


def test_the_ministry_opens_edits_and_closes_a_reporting_period(site: Site) -> None:
    admin = site.clients["bo.admin"]
    made = post_form(admin, PERIODS, PERIODS, period_form(2026))
    assert made.status_code == 303
    page = admin.get(made.headers["location"]).text
    assert "Đã lưu" in page
    assert "Đang mở" in page
    row = site.period(2026)
    assert row is not None
    # close now: yesterday is the last day
    assert post_form(admin, f"{PERIODS}/{row.id}/close", PERIODS).status_code == 303
    row = site.period(2026)
    assert row is not None
    assert row.closes_on == TODAY - dt.timedelta(days=1)
    # opening again needs a closing day that has not passed; the field is named
    refused = post_form(admin, f"{PERIODS}/{row.id}/open", PERIODS)
    assert refused.status_code == 422
    assert field_error(refused.text, "closes_on").startswith("Hạn nộp (ngày cuối): Ngày đóng")
    later = (TODAY + dt.timedelta(days=30)).isoformat()
    edited = post_form(admin, f"{PERIODS}/{row.id}", PERIODS, period_form(2026, closes_on=later))
    assert edited.status_code == 303
    assert post_form(admin, f"{PERIODS}/{row.id}/open", PERIODS).status_code == 303
    row = site.period(2026)
    assert row is not None
    assert row.closes_on.isoformat() == later
    assert row.opens_on <= TODAY
    with scoped_session(site.sessions, Scope.system("test")) as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "reporting_period")
            .order_by(AuditEntry.seq)
        ).all()
    # created, closed, its closing day moved (the refused opening and the no-op one wrote nothing)
    assert actions == ["create", "update", "update"]


def test_a_refused_period_keeps_what_was_typed_and_names_each_field(site: Site) -> None:
    admin = site.clients["bo.admin"]
    bad = post_form(
        admin,
        PERIODS,
        PERIODS,
        period_form(2026, name="", cutoff_on="31/12/2025", year="năm nay"),
    )
    assert bad.status_code == 422
    assert field_error(bad.text, "name") == "Tên kỳ báo cáo: bắt buộc nhập"
    assert field_error(bad.text, "cutoff_on") == (
        "Ngày chốt số liệu: phải là ngày dạng năm-tháng-ngày, ví dụ 2025-12-31"
    )
    assert field_error(bad.text, "year") == "Năm báo cáo: phải là số nguyên"
    assert input_value(bad.text, "cutoff_on") == "31/12/2025"
    backwards = post_form(
        admin, PERIODS, PERIODS, period_form(2026, closes_on=f"{TODAY.year - 3}-01-01")
    )
    assert backwards.status_code == 422
    assert field_error(backwards.text, "closes_on") == (
        "Hạn nộp (ngày cuối): Ngày đóng kỳ báo cáo phải sau ngày mở."
    )
    assert post_form(admin, PERIODS, PERIODS, period_form(2026)).status_code == 303
    twice = post_form(admin, PERIODS, PERIODS, period_form(2026, name="Lần nữa"))
    assert twice.status_code == 409
    assert field_error(twice.text, "year") == "Năm báo cáo: đã có kỳ báo cáo năm 2026"
    assert input_value(twice.text, "name") == "Lần nữa"
    row = site.period(2026)
    assert row is not None
    assert row.name == "Kỳ báo cáo 2026"


def test_only_a_ministry_writer_changes_periods(site: Site) -> None:
    admin = site.clients["bo.admin"]
    assert post_form(admin, PERIODS, PERIODS, period_form(2026)).status_code == 303
    row = site.period(2026)
    assert row is not None
    analyst = site.clients["bo.analyst"]
    assert analyst.get(PERIODS).status_code == 200
    assert post_form(analyst, PERIODS, PERIODS, period_form(2027)).status_code == 403
    assert post_form(analyst, f"{PERIODS}/{row.id}/close", PERIODS).status_code == 403
    assert site.period(2027) is None
    still = site.period(2026)
    assert still is not None
    assert still.closes_on == row.closes_on
    assert site.clients["cb"].get(PERIODS).status_code == 403


def test_each_entitys_template_downloads_from_the_upload_page(site: Site, tmp_path: Path) -> None:
    officer = site.clients["cb"]
    page = officer.get("/submissions").text
    assert 'href="/submissions/templates/learners.xlsx"' in page
    assert 'href="/submissions/templates/learners.csv"' in page
    names = get_entity("learners").names
    template = officer.get("/submissions/templates/learners.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    # One header row (quoted as every produced CSV is: common/spreadsheet.py).
    assert list(csv.reader(io.StringIO(template.content.decode()))) == [list(names)]
    xlsx = officer.get("/submissions/templates/learners.xlsx")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["content-disposition"]
    path = tmp_path / "learners.xlsx"
    path.write_bytes(xlsx.content)
    read_back = read_table(path, "learners").frame.columns  # the readers take it back
    assert set(names) <= set(read_back)
    sheets = pl.read_excel(io.BytesIO(xlsx.content), sheet_id=0)
    assert set(sheets) >= {"learners", "data_dictionary"}
    assert site.clients["bo.admin"].get("/submissions/templates/staff.csv").status_code == 200
    assert officer.get("/submissions/templates/nothing.csv").status_code == 404
    assert officer.get("/submissions/templates/learners.pdf").status_code == 404
    assert site.clients["ts"].get("/submissions/templates/learners.csv").status_code == 403
