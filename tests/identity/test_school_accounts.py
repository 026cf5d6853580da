"""Accounts issued by a high school: the officer uploads the list of pupils, the one-time
passwords are shown once (and offered as a formula-safe file), and a pupil's first login leads
to the change-password form until the password is changed. Bad lists and bad forms change
nothing and name the row, the column or the field in Vietnamese."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections.abc import Iterator

import pytest
import xlsxwriter
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Person
from hemis.registry.rules import make_national_id
from hemis.web.app import create_app
from tests import factories
from tests.conftest import TestDB
from tests.web.page_factories import _password_hash, csrf_of, login, make_user

SCHOOL = "01001"
PUPILS = [
    (make_national_id("001", "male", 2007, 11), "Nguyễn Văn An", "15/03/2007", "Nam"),
    (make_national_id("001", "female", 2007, 12), "Trần Thị Bình", "2007-04-20", "Nữ"),
]


def _csv(rows: list[tuple[str, str, str, str]], header: str | None = None) -> bytes:
    head = header or "Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính"
    return ("\ufeff" + head + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()


def _counts(sessions: sessionmaker[HemisSession]) -> tuple[int, int, int]:
    with scoped_session(sessions, Scope.system("test")) as s:
        return (
            s.scalar(select(func.count()).select_from(Person)) or 0,
            s.scalar(select(func.count()).select_from(User)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


@pytest.fixture
def client(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[TestClient]:
    with scoped_session(sessions, Scope.system("test")) as s:
        s.add(
            User(
                username="thpt.cva",
                display_name="Cán bộ THPT Chu Văn An",
                password_hash=_password_hash(),
                role=Role.school_officer.value,
                school_code=SCHOOL,
                is_active=True,
            )
        )
        s.commit()
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    app = create_app(db.settings())
    with TestClient(app) as test_client:
        yield test_client
    app.state.ctx.dispose()


def _upload(
    client: TestClient, content: bytes, name: str = "ds.csv", **form: str
) -> tuple[int, str]:
    page = client.get("/school/candidates")
    assert page.status_code == 200, page.text
    response = client.post(
        "/school/candidates",
        data={"csrf_token": csrf_of(page.text), **form},
        files={"file": (name, content, "text/csv")},
    )
    return response.status_code, response.text


def _issued(page: str) -> list[tuple[str, str]]:
    """(username, one-time password) pairs of the credentials table."""
    return re.findall(
        r'<td class="code">(ts-[0-9a-f]{8})</td><td class="code">([A-Za-z0-9-]{14})</td>', page
    )


def test_a_school_issues_accounts_and_the_pupil_must_change_the_password(
    client: TestClient, sessions: sessionmaker[HemisSession]
) -> None:
    assert login(client, "thpt.cva").status_code == 303
    before = _counts(sessions)
    status, page = _upload(client, _csv(PUPILS))
    assert status == 200, page
    issued = _issued(page)
    assert len(issued) == 2
    assert "chỉ hiển thị MỘT LẦN" in page
    persons, users, audit = _counts(sessions)
    assert (persons, users) == (before[0] + 2, before[1] + 2)
    assert audit >= before[2] + 4  # two persons created, two accounts issued
    for national_id, *_ in PUPILS:
        assert national_id not in page
    # The file offered for download holds the same credentials.
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert href is not None
    csv_text = base64.b64decode(href.group(1)).decode("utf-8-sig")
    for username, password in issued:
        assert f'"{username}","{password}"' in csv_text
    # The school's list shows the accounts, not yet activated.
    listing = client.get("/school/candidates")
    assert listing.text.count("Chưa đổi mật khẩu một lần") == 2

    username, otp = issued[0]
    client.cookies.clear()
    assert login(client, username, otp).status_code == 303
    for path in ("/", "/admissions", "/me/records"):
        forced = client.get(path, follow_redirects=False)
        assert forced.status_code == 303, path
        assert forced.headers["location"] == "/account/password"
    form = client.get("/account/password")
    assert 'id="password-forced"' in form.text
    csrf = csrf_of(form.text)
    wrong = client.post(
        "/account/password",
        data={"csrf_token": csrf, "current": "sai", "new": "ngan", "confirm": "khac"},
    )
    assert wrong.status_code == 422
    assert 'id="current-error"' in wrong.text
    assert "Mật khẩu hiện tại: Mật khẩu hiện tại không đúng." in wrong.text
    assert "Mật khẩu mới: Mật khẩu mới phải có ít nhất 10 ký tự." in wrong.text
    assert 'id="confirm-error"' in wrong.text
    done = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current": otp,
            "new": "mat-khau-rieng-1",
            "confirm": "mat-khau-rieng-1",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    home = client.get("/")
    assert home.status_code == 200
    assert "Nguyễn Văn An" in home.text
    assert 'id="next-step"' in home.text
    assert "Tài khoản do trường THPT cấp" in home.text
    # The one-time password is gone; the new one works.
    client.cookies.clear()
    assert login(client, username, otp).status_code == 401
    assert login(client, username, "mat-khau-rieng-1").status_code == 303
    client.cookies.clear()
    assert login(client, "thpt.cva").status_code == 303
    assert client.get("/school/candidates").text.count("Đã kích hoạt") == 1


def test_a_one_time_password_gets_no_api_token(client: TestClient) -> None:
    assert login(client, "thpt.cva").status_code == 303
    _, page = _upload(client, _csv(PUPILS[:1]))
    username, otp = _issued(page)[0]
    response = client.post("/api/v1/auth/token", data={"username": username, "password": otp})
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_an_excel_list_is_read_too(client: TestClient) -> None:
    assert login(client, "thpt.cva").status_code == 303
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Danh sách")
    for col, head in enumerate(("national_id", "full_name", "date_of_birth", "sex")):
        sheet.write(0, col, head)
    sheet.write_string(1, 0, make_national_id("001", "female", 2007, 21))
    sheet.write(1, 1, "Lê Thị Cúc")
    sheet.write_datetime(
        1, 2, dt.datetime(2007, 6, 1), book.add_format({"num_format": "dd/mm/yyyy"})
    )
    sheet.write(1, 3, "nữ")
    book.close()
    status, page = _upload(client, buffer.getvalue(), "ds.xlsx")
    assert status == 200, page
    assert len(_issued(page)) == 1
    assert "Lê Thị Cúc" in page


def test_a_bad_list_names_rows_and_columns_and_creates_nothing(
    client: TestClient, sessions: sessionmaker[HemisSession]
) -> None:
    assert login(client, "thpt.cva").status_code == 303
    before = _counts(sessions)
    rows = [
        PUPILS[0],
        ("12345", "Phạm Văn Sai", "01/01/2007", "Nam"),
        (make_national_id("001", "male", 2007, 31), "Hồ Văn Ngày", "31/02/2007", "Nam"),
        (make_national_id("001", "male", 2007, 32), "Vũ Văn Giới", "01/01/2007", "X"),
        PUPILS[0],
    ]
    status, page = _upload(client, _csv(rows))
    assert status == 422
    assert "Chưa tài khoản nào được tạo." in page
    problems = re.findall(
        r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', page
    )
    found = {(int(row), column) for row, column, _ in problems}
    assert found == {
        (3, "Số định danh cá nhân"),
        (4, "Ngày sinh"),
        (5, "Giới tính"),
        (6, "Số định danh cá nhân"),  # the repeat of row 2
    }
    assert _counts(sessions) == before
    assert _issued(page) == []


def test_a_list_without_a_column_says_which(client: TestClient) -> None:
    assert login(client, "thpt.cva").status_code == 303
    status, page = _upload(
        client, _csv([PUPILS[0][:3]], "Số định danh cá nhân,Họ và tên,Ngày sinh")
    )  # type: ignore[list-item]
    assert status == 422
    assert "Thiếu cột “Giới tính”" in page


def test_a_known_person_with_other_details_refuses_the_whole_list(
    client: TestClient, sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        factories.person(s, cipher, PUPILS[1][0], "Trần Thị Khác", "female", dt.date(2007, 4, 20))
        s.commit()
    assert login(client, "thpt.cva").status_code == 303
    before = _counts(sessions)
    status, page = _upload(client, _csv(PUPILS))
    assert status == 422
    assert "đã có trong HEMIS với họ tên, ngày sinh hoặc giới tính khác" in page
    assert _counts(sessions) == before


def test_the_ministry_names_the_school_and_the_form_keeps_it(client: TestClient) -> None:
    assert login(client, "bo.admin").status_code == 303
    page = client.get("/school/candidates")
    response = client.post(
        "/school/candidates",
        data={"csrf_token": csrf_of(page.text), "school_code": "x!"},
        files={"file": ("ds.csv", b"", "text/csv")},
    )
    assert response.status_code == 422
    assert 'value="x!"' in response.text
    assert "Mã trường THPT: Mã trường gồm 2–10 chữ cái hoặc chữ số" in response.text
    assert "Tệp danh sách học sinh: Vui lòng chọn tệp danh sách" in response.text
    status, ok = _upload(client, _csv(PUPILS[:1]), school_code="79002")
    assert status == 200, ok
    assert len(_issued(ok)) == 1


def test_an_analyst_may_not_issue_accounts(client: TestClient) -> None:
    assert login(client, "bo.analyst").status_code == 303
    assert client.get("/school/candidates").status_code == 403
    page = client.get("/login")
    refused = client.post(
        "/school/candidates",
        data={"csrf_token": csrf_of(page.text), "school_code": SCHOOL},
        files={"file": ("ds.csv", _csv(PUPILS), "text/csv")},
    )
    assert refused.status_code == 403
