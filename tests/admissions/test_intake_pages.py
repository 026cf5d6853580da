"""The intake pages through HTTP: a candidate admitted in a supplementary round confirms on their
results page; the officer sees "Tân sinh viên" per program against quota, writes the intake and
downloads it; the ministry sees every institution and writes them all; nobody else reaches it."""

from __future__ import annotations

import csv as csv_module
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.admissions.models import EnrolmentConfirmation, LearnerAdmission
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.web.app import create_app
from tests.actions.support import finish
from tests.admissions import intake_world, world
from tests.admissions.intake_world import Scene
from tests.conftest import TestDB
from tests.web.page_factories import csrf_of, login, make_user

OFFICER = "/admissions/institution/intake"
MINISTRY = "/admissions/ministry/intake"


@dataclass
class Site:
    app: FastAPI
    sessions: sessionmaker[HemisSession]
    scene: Scene

    def client(self, username: str) -> TestClient:
        client = TestClient(self.app)
        client.__enter__()
        assert login(client, username).status_code == 303
        return client

    def written(self) -> int:
        with scoped_session(self.sessions, world.system()) as s:
            return int(s.scalar(select(func.count()).select_from(LearnerAdmission)) or 0)


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Iterator[Site]:
    with scoped_session(sessions, world.system()) as s:
        sc = intake_world.build(s, cipher)
        intake_world.final_round(s, sc)
        intake_world.supplementary_round(s, sc, confirm=False)
    world.account(sessions, "thi.sinh.d", sc.c[3].person_id)
    make_user(sessions, "dhx.officer", Role.institution_officer, "DHX")
    make_user(sessions, "dhz.officer", Role.institution_officer, "DHZ")
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    site_ = Site(create_app(db.settings()), sessions, sc)
    yield site_
    site_.app.state.ctx.dispose()


def post(client: TestClient, url: str, page: str, **data: object) -> object:
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def cells(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, row_id
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def test_the_supplementary_admission_is_confirmed_and_the_officer_writes_the_intake(
    site: Site,
) -> None:
    # the fourth candidate, admitted in the supplementary round, confirms on the results page
    me = site.client("thi.sinh.d")
    results = me.get("/admissions/results").text
    assert "Xác nhận nhập học" in results
    assert (
        post(me, "/admissions/confirm", "/admissions/results", confirmed="yes").status_code == 303
    )  # type: ignore[attr-defined]
    assert "Bạn đã xác nhận nhập học" in me.get("/admissions/results").text
    # the officer: per program, quota / admitted (final + supplementary) / confirmed / written
    officer = site.client("dhx.officer")
    assert "/admissions/institution/intake" in officer.get("/admissions/institution").text
    page = officer.get(OFFICER).text
    assert cells(page, "program-X")[2:] == ["1", "1", "1", "0", "1"]
    assert cells(page, "program-Y")[2:] == ["2", "3", "2", "0", "2"]
    assert page.count("chưa ghi") == 3
    assert site.written() == 0
    done = post(officer, OFFICER, OFFICER)
    assert done.status_code == 200  # type: ignore[attr-defined]
    text = done.text  # type: ignore[attr-defined]
    assert "Đã ghi tân sinh viên: 3 người học mới, 0 gắn với hồ sơ đã có" in text
    assert cells(text, "program-X")[2:] == ["1", "1", "1", "1", "0"]
    assert cells(text, "program-Y")[2:] == ["2", "3", "2", "2", "0"]
    for code in ("DHX-2025-00001", "DHX-2025-00002", "DHX-2025-00003"):
        assert code in text
    assert "Đợt bổ sung" in text
    assert "Đánh giá năng lực ĐHQG Hà Nội (HSA)" in text
    # again: nothing new
    again = post(officer, OFFICER, OFFICER)
    assert "0 người học mới" in again.text  # type: ignore[attr-defined]
    assert site.written() == 3
    # in English
    english = officer.get(OFFICER, params={"lang": "en"}).text
    assert "New intake" in english
    assert "Written to the registry" in english


def test_the_intake_exports_as_xlsx_and_csv_without_national_ids(site: Site) -> None:
    officer = site.client("dhx.officer")
    post(officer, OFFICER, OFFICER)
    xlsx = officer.get(OFFICER + "/export", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    assert "tan-sinh-vien-DHX-2025.xlsx" in xlsx.headers["content-disposition"]
    sheets = pl.read_excel(io.BytesIO(xlsx.content), sheet_id=0)
    programs, learners = sheets["Theo ngành 2025"], sheets["Tân sinh viên 2025"]
    assert programs.select("Mã ngành xét tuyển", "Chỉ tiêu", "Xác nhận nhập học").rows() == [
        ("X", 1, 1),
        ("Y", 2, 1),
    ]
    assert learners.height == 2  # the fourth candidate has not confirmed here
    assert sorted(learners["Mã người học"].to_list()) == ["DHX-2025-00001", "DHX-2025-00002"]
    assert learners["Điểm xét tuyển"].to_list() == [27.0, 27.0]
    csv = officer.get(OFFICER + "/export", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    header = next(csv_module.reader(io.StringIO(body)))  # text fields are quoted
    assert header[:3] == ["Mã ngành xét tuyển", "Mã chương trình", "Số báo danh"]
    for c in site.scene.c:
        assert c.national_id not in body
        assert c.national_id not in xlsx.content.decode("latin-1")
    bad = officer.get(OFFICER + "/export", params={"format": "pdf"})
    assert bad.status_code == 422
    assert "Traceback" not in bad.text


def test_only_the_institution_and_the_ministry_reach_it(site: Site) -> None:
    other = site.client("dhz.officer")
    theirs = other.get(OFFICER).text
    assert "Trường Đại học Khác" in theirs
    assert "Nguyễn Văn An" not in theirs
    assert other.get(MINISTRY, params={"institution": "DHX"}).status_code == 403
    assert other.get(MINISTRY + "/export", params={"institution": "DHX"}).status_code == 403
    assert post(other, OFFICER, OFFICER).status_code == 200  # type: ignore[attr-defined]
    assert site.written() == 0  # DHZ has nobody: DHX's intake was not written by DHZ
    candidate = site.client("thi.sinh.d")
    assert candidate.get(OFFICER).status_code == 403
    # the analyst reads, never writes
    analyst = site.client("bo.analyst")
    assert "Trường Đại học Thử Nhập Học" in analyst.get(MINISTRY).text
    assert analyst.get(MINISTRY, params={"institution": "DHX"}).status_code == 200
    refused = post(analyst, MINISTRY, MINISTRY)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert site.written() == 0
    # a request without its CSRF token changes nothing
    admin = site.client("bo.admin")
    assert admin.post(MINISTRY, data={}).status_code == 403
    assert site.written() == 0
    unknown = post(admin, MINISTRY, MINISTRY, institution="NOPE")
    assert unknown.status_code == 404  # type: ignore[attr-defined]


def test_the_ministry_writes_every_institutions_intake(site: Site) -> None:
    admin = site.client("bo.admin")
    assert "/admissions/ministry/intake" in admin.get("/admissions/ministry").text
    page = admin.get(MINISTRY).text
    assert "Trường Đại học Thử Nhập Học" in page
    started = post(admin, MINISTRY, MINISTRY)
    # a background job with its progress page, not a request held open
    assert started.status_code == 303  # type: ignore[attr-defined]
    location = started.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/actions/")
    done = finish(admin, location)
    assert 'data-status="succeeded"' in done
    assert "Người học mới ghi vào CSDL" in done
    again = finish(admin, post(admin, MINISTRY, MINISTRY).headers["location"])  # type: ignore[attr-defined]
    assert 'data-status="succeeded"' in again  # a re-run writes nothing new
    with scoped_session(site.sessions, world.system()) as s:
        confirmed = s.scalar(select(func.count()).select_from(EnrolmentConfirmation))
    assert site.written() == confirmed == 2
    one = admin.get(MINISTRY, params={"institution": "DHX"}).text
    assert "DHX-2025-00002" in one


def test_before_any_admission_year_the_pages_are_empty_not_broken(
    db: TestDB, sessions: sessionmaker[HemisSession]
) -> None:
    from tests import factories

    with scoped_session(sessions, world.system()) as s:
        factories.institution(s, "DHE", name_vi="Trường Đại học Chưa Tuyển Sinh")
        s.commit()
    make_user(sessions, "dhe.officer", Role.institution_officer, "DHE")
    make_user(sessions, "bo.admin", Role.ministry_admin)
    site = Site(create_app(db.settings()), sessions, None)  # type: ignore[arg-type]
    try:
        officer = site.client("dhe.officer")
        page = officer.get(OFFICER)
        assert page.status_code == 200
        assert "Chưa có thí sinh xác nhận nhập học." in page.text
        assert site.client("bo.admin").get(MINISTRY).status_code == 200
        refused = post(officer, OFFICER, OFFICER)
        assert refused.status_code == 404  # type: ignore[attr-defined]
        assert "Traceback" not in refused.text  # type: ignore[attr-defined]
    finally:
        site.app.state.ctx.dispose()
