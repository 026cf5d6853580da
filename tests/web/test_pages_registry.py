"""Registry pages: navigation by role, institution list and profile, search, name order, tenancy,
language switch."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.web.app import create_app
from hemis.web.deps import LANG_COOKIE
from tests import factories
from tests.conftest import TestDB
from tests.web.page_factories import (
    LEARNERS_IN_ORDER,
    STAFF_IN_ORDER,
    Registry,
    login,
    make_user,
    seed_registry,
)

_NAME_CELL = re.compile(r'<td class="person-name">(?:<a href="[^"]+">)?([^<]+)(?:</a>)?</td>')
_INSTITUTION_LINK = re.compile(r'<a class="institution-name" href="/institutions/\d+">([^<]+)</a>')


@pytest.fixture
def registry(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Registry:
    reg = seed_registry(sessions, cipher)
    make_user(sessions, "bo.admin", Role.ministry_admin, display_name="Quản trị viên Bộ")
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    make_user(sessions, "bk.officer", Role.institution_officer, "BKA", "Cán bộ Bách khoa")
    make_user(sessions, "thi.sinh", Role.candidate, display_name="Thí sinh Một")
    return reg


@pytest.fixture
def client(db: TestDB, registry: Registry) -> Iterator[TestClient]:
    app = create_app(db.settings())
    with TestClient(app) as test_client:
        yield test_client
    app.state.ctx.dispose()


def _as(client: TestClient, username: str) -> TestClient:
    assert login(client, username).status_code == 303
    return client


def names_in(html: str) -> list[str]:
    return _NAME_CELL.findall(html)


def institutions_in(html: str) -> list[str]:
    return _INSTITUTION_LINK.findall(html)


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert found
    return found.group(0)


# --- Navigation by role ---------------------------------------------------------------------


@pytest.mark.parametrize("username", ["bo.admin", "bo.analyst"])
def test_ministry_users_get_the_national_menu(client: TestClient, username: str) -> None:
    home = _as(client, username).get("/")
    assert home.status_code == 200
    nav = nav_of(home.text)
    assert 'href="/institutions"' in nav
    assert "/me/records" not in nav
    assert "Số liệu toàn quốc" in home.text or "toàn quốc" in home.text


def test_officer_menu_leads_to_their_own_institution(
    client: TestClient, registry: Registry
) -> None:
    home = _as(client, "bk.officer").get("/")
    nav = nav_of(home.text)
    assert f'href="/institutions/{registry.bk_id}"' in nav
    assert 'href="/institutions"' not in nav
    assert "Đại học Bách khoa Hà Nội" in home.text
    # The national list sends an officer to their own profile.
    response = client.get("/institutions", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/institutions/{registry.bk_id}"


def test_candidate_sees_only_their_records_page(client: TestClient, registry: Registry) -> None:
    home = _as(client, "thi.sinh").get("/")
    nav = nav_of(home.text)
    assert 'href="/me/records"' in nav
    assert "/institutions" not in nav
    records = client.get("/me/records")
    assert records.status_code == 200
    assert "Thí sinh Một" in records.text
    assert client.get("/institutions").status_code == 403
    assert client.get(f"/institutions/{registry.bk_id}").status_code == 403


# --- Institution list -----------------------------------------------------------------------


def test_institution_search_ignores_diacritics_and_case(client: TestClient) -> None:
    _as(client, "bo.admin")
    for query in ("dai hoc bach khoa", "Đại học Bách khoa", "ĐẠI HỌC BÁCH KHOA", "bách", "bka"):
        page = client.get("/institutions", params={"q": query})
        assert page.status_code == 200
        assert institutions_in(page.text) == ["Đại học Bách khoa Hà Nội"], query


def test_institution_filters(client: TestClient) -> None:
    _as(client, "bo.admin")
    everything = client.get("/institutions")
    assert len(institutions_in(everything.text)) == 3
    assert "Hà Nội" in everything.text  # province names come from the reference table
    private = client.get("/institutions", params={"ownership": "private"})
    assert institutions_in(private.text) == ["Trường Đại học Tư thục Phương Nam"]
    hanoi = client.get("/institutions", params={"province": "001"})
    assert sorted(institutions_in(hanoi.text)) == [
        "Trường Đại học Kinh tế Quốc dân",
        "Đại học Bách khoa Hà Nội",
    ]
    assert institutions_in(client.get("/institutions", params={"type": "academy"}).text) == []
    # An unknown code is ignored rather than failing the page.
    assert len(institutions_in(client.get("/institutions?type=bogus").text)) == 3


def test_institution_search_wildcards_are_literal(client: TestClient) -> None:
    page = _as(client, "bo.admin").get("/institutions", params={"q": "%"})
    assert institutions_in(page.text) == []


def test_institution_list_is_paged(
    client: TestClient, sessions: sessionmaker[HemisSession]
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        for n in range(22):
            factories.institution(s, f"PG{n:02d}", name_vi=f"Học viện Phân trang {n:02d}")
        s.commit()
    _as(client, "bo.admin")
    first = client.get("/institutions", params={"q": "phan trang"})
    assert len(institutions_in(first.text)) == 20
    assert "Trang 1 / 2" in first.text
    assert 'href="/institutions?q=phan+trang&amp;page=2"' in first.text
    second = client.get("/institutions", params={"q": "phan trang", "page": 2})
    assert len(institutions_in(second.text)) == 2
    assert set(institutions_in(first.text)).isdisjoint(institutions_in(second.text))


def test_htmx_search_returns_only_the_results(client: TestClient) -> None:
    _as(client, "bo.admin")
    fragment = client.get(
        "/institutions",
        params={"q": "kinh te"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert institutions_in(fragment.text) == ["Trường Đại học Kinh tế Quốc dân"]


# --- Institution profile --------------------------------------------------------------------


def test_profile_shows_counts_and_programs(client: TestClient, registry: Registry) -> None:
    page = _as(client, "bo.admin").get(f"/institutions/{registry.bk_id}")
    assert page.status_code == 200
    assert "<h1>Đại học Bách khoa Hà Nội</h1>" in page.text
    stats = re.findall(r'<span class="stat-value">(\d+)</span>', page.text)
    assert stats == ["2", "6", "6", "4"]  # programs, learners, enrolled, staff
    assert "CNTT1" in page.text
    assert "KTDT1" in page.text


def test_learners_are_listed_in_vietnamese_name_order(
    client: TestClient, registry: Registry
) -> None:
    page = _as(client, "bo.admin").get(f"/institutions/{registry.bk_id}/learners")
    assert page.status_code == 200
    assert names_in(page.text) == LEARNERS_IN_ORDER
    # National IDs are only ever shown masked.
    assert "001099000000" not in page.text
    assert "*********000" in page.text


def test_staff_are_listed_in_vietnamese_name_order(client: TestClient, registry: Registry) -> None:
    page = _as(client, "bo.admin").get(f"/institutions/{registry.bk_id}/staff")
    assert names_in(page.text) == STAFF_IN_ORDER


LEARNER_SEARCHES = [
    ("nguyen van an", ["Nguyễn Văn An"]),
    ("Nguyễn Văn An", ["Nguyễn Văn An"]),
    ("NGUYEN VAN AN", ["Nguyễn Văn An"]),
    ("dang", ["Đặng Văn Bình"]),
    ("van an", ["Nguyễn Văn An", "Phạm Văn An"]),
    ("BK003", ["Nguyễn Văn An"]),
    ("khong ai", []),
]


def test_learner_search_ignores_diacritics(client: TestClient, registry: Registry) -> None:
    _as(client, "bo.admin")
    for query, expected in LEARNER_SEARCHES:
        page = client.get(f"/institutions/{registry.bk_id}/learners", params={"q": query})
        assert names_in(page.text) == expected, query


def test_staff_search_ignores_diacritics(client: TestClient, registry: Registry) -> None:
    page = _as(client, "bo.admin").get(f"/institutions/{registry.bk_id}/staff", params={"q": "hai"})
    assert names_in(page.text) == ["Đỗ Minh Hải", "Vũ Văn Hải"]


def test_profile_sections_load_as_htmx_fragments(client: TestClient, registry: Registry) -> None:
    fragment = _as(client, "bo.admin").get(
        f"/institutions/{registry.bk_id}/learners",
        headers={"HX-Request": "true", "HX-Target": "profile-section"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert names_in(fragment.text) == LEARNERS_IN_ORDER


def test_unknown_institution_is_a_404_page(client: TestClient) -> None:
    page = _as(client, "bo.admin").get("/institutions/999999999")
    assert page.status_code == 404
    assert "Không tìm thấy" in page.text
    fragment = client.get("/institutions/999999999/staff", headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    assert fragment.text.startswith('<div class="alert alert-error"')


def test_officer_reaches_only_their_own_institution(client: TestClient, registry: Registry) -> None:
    _as(client, "bk.officer")
    own = client.get(f"/institutions/{registry.bk_id}/learners")
    assert own.status_code == 200
    assert names_in(own.text) == LEARNERS_IN_ORDER
    for path in ("", "/learners", "/staff"):
        other = client.get(f"/institutions/{registry.ktqd_id}{path}")
        assert other.status_code == 404, path
        assert "Ngô Thị Khác" not in other.text


def test_analyst_can_browse_read_only_pages(client: TestClient, registry: Registry) -> None:
    page = _as(client, "bo.analyst").get(f"/institutions/{registry.ktqd_id}/learners")
    assert names_in(page.text) == ["Ngô Thị Khác"]


# --- Language -------------------------------------------------------------------------------


def test_english_switch_is_remembered(client: TestClient, registry: Registry) -> None:
    _as(client, "bo.admin")
    vi = client.get("/institutions")
    assert "Cơ sở đào tạo" in vi.text
    assert 'href="/institutions?lang=en"' in vi.text
    en = client.get("/institutions", params={"lang": "en"})
    assert '<html lang="en">' in en.text
    assert "Institutions" in en.text
    assert "Public" in en.text
    assert client.cookies.get(LANG_COOKIE) == "en"
    later = client.get(f"/institutions/{registry.bk_id}")
    assert "Programs" in later.text
    assert "Tiếng Việt" in later.text
    back = client.get("/", params={"lang": "vi"})
    assert "Trang chủ" in back.text
    assert client.cookies.get(LANG_COOKIE) == "vi"


def test_switch_link_keeps_the_filters(client: TestClient) -> None:
    page = _as(client, "bo.admin").get("/institutions", params={"q": "bách khoa", "page": 1})
    assert 'href="/institutions?q=b%C3%A1ch+khoa&amp;page=1&amp;lang=en"' in page.text


# --- Pages follow the content-security policy -------------------------------------------------


def test_pages_have_no_inline_script_or_style(client: TestClient, registry: Registry) -> None:
    _as(client, "bo.admin")
    for path in ("/", "/institutions", f"/institutions/{registry.bk_id}/learners", "/login"):
        html = client.get(path).text
        assert "<style" not in html
        assert " style=" not in html
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts == [
            '<script src="/static/vendor/htmx.min.js" defer>',
            '<script src="/static/nav.js" defer>',  # the folding menu of narrow screens
        ]
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
    assert client.get("/static/nav.js").status_code == 200
    assert client.get("/static/hemis.css").status_code == 200


# --- Learner and staff lists: filters, export, records ----------------------------------------


def test_learner_list_filters_export_and_rows_open_the_record(
    client: TestClient, registry: Registry
) -> None:
    _as(client, "bk.officer")
    base = f"/institutions/{registry.bk_id}/learners"
    page = client.get(base, params={"status": "enrolled", "cohort": "2023"}).text
    assert names_in(page) == LEARNERS_IN_ORDER
    assert re.search(r'<option value="enrolled" selected>\s*Đang học\s*</option>', page), page[
        page.find('id="cohort"') : page.find('id="cohort"') + 200
    ]
    assert names_in(client.get(base, params={"status": "graduated"}).text) == []
    assert names_in(client.get(base, params={"cohort": "2024"}).text) == []
    # the export holds what the filters hold, without national IDs
    filtered = client.get(base, params={"q": "van an"}).text
    link = re.search(r'id="list-export" href="([^"]+)"', filtered)
    assert link
    export = client.get(html.unescape(link.group(1)))
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Mã người học", "Họ và tên", "Ngày sinh"]
    assert sorted(line[1] for line in lines[1:]) == ["Nguyễn Văn An", "Phạm Văn An"]
    assert lines[1][7] == "Đang học"
    assert "001099" not in export.text
    everyone = client.get(f"{base}/export.csv").content.decode("utf-8-sig").splitlines()
    assert len(everyone) == 1 + len(LEARNERS_IN_ORDER)
    # a row opens the learner's record
    record_link = re.search(rf'href="({base}/\d+)">Nguyễn Văn An<', page)
    assert record_link
    record = client.get(record_link.group(1))
    assert record.status_code == 200
    assert "Hồ sơ người học" in record.text
    assert 'id="my-name">Nguyễn Văn An<' in record.text
    assert "Công nghệ thông tin" in record.text
    # another institution's learner is not there for this officer
    assert client.get(f"/institutions/{registry.ktqd_id}/learners/1").status_code == 404


def test_staff_list_filters_export_and_rows_open_the_record(
    client: TestClient, registry: Registry
) -> None:
    _as(client, "bo.admin")
    base = f"/institutions/{registry.bk_id}/staff"
    page = client.get(base, params={"position": "lecturer"}).text
    assert names_in(page) == STAFF_IN_ORDER
    assert names_in(client.get(base, params={"position": "manager"}).text) == []
    export = client.get(f"{base}/export.csv", params={"q": "hai"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã cán bộ", "Họ và tên"]
    assert sorted(r[1] for r in rows[1:]) == ["Vũ Văn Hải", "Đỗ Minh Hải"]
    link = re.search(rf'href="({base}/\d+)">Đỗ Minh Hải<', page)
    assert link
    record = client.get(link.group(1))
    assert record.status_code == 200
    assert "<h1>Đỗ Minh Hải</h1>" in record.text
    assert "Giảng viên" in record.text
    assert client.get(f"{base}/999999999").status_code == 404
