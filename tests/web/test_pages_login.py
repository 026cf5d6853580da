"""Login pages: server-side sessions, rate limiting, CSRF on every form, logout, redirects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.db.session import HemisSession
from hemis.web.app import create_app
from hemis.web.csrf import LOGIN_CSRF_COOKIE, new_login_token
from hemis.web.deps import SESSION_COOKIE
from tests.conftest import TestDB
from tests.web.page_factories import PASSWORD, csrf_of, login, make_user


def _client(
    db: TestDB, base_url: str = "http://testserver", **overrides: object
) -> Iterator[TestClient]:
    app = create_app(db.settings(**overrides))
    with TestClient(app, base_url=base_url) as client:
        yield client
    app.state.ctx.dispose()


@pytest.fixture
def client(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[TestClient]:
    make_user(sessions, "bo.admin", Role.ministry_admin, display_name="Quản trị viên Bộ")
    yield from _client(db, login_max_failures=2)


def test_login_page_is_vietnamese_and_protected_by_a_login_csrf_cookie(
    client: TestClient,
) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text
    assert client.cookies.get(LOGIN_CSRF_COOKIE) == csrf_of(page.text)
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_login_success_sets_a_safe_session_cookie(client: TestClient) -> None:
    response = login(client, "bo.admin")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    set_cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    lowered = set_cookie.lower()
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert "secure" not in lowered  # the test settings turn Secure off
    home = client.get("/")
    assert home.status_code == 200
    assert "Quản trị viên Bộ" in home.text


def test_session_cookie_is_secure_when_the_setting_says_so(
    db: TestDB, sessions: sessionmaker[HemisSession]
) -> None:
    make_user(sessions, "bo.admin", Role.ministry_admin)
    for client in _client(db, "https://testserver", cookie_secure=True):
        response = login(client, "bo.admin")
        assert response.status_code == 303
        cookies = [c.lower() for c in response.headers.get_list("set-cookie")]
        session_cookie = next(c for c in cookies if c.startswith(SESSION_COOKIE))
        assert "; secure" in session_cookie


def test_wrong_password_shows_the_form_again(client: TestClient) -> None:
    response = login(client, "bo.admin", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert 'value="bo.admin"' in response.text
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/", follow_redirects=False).status_code == 303


def test_repeated_failures_are_rate_limited(client: TestClient) -> None:
    for _ in range(2):
        assert login(client, "bo.admin", "sai-mat-khau").status_code == 401
    blocked = login(client, "bo.admin", PASSWORD)  # even the right password is refused now
    assert blocked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in blocked.text
    assert SESSION_COOKIE not in client.cookies


def test_login_without_or_with_a_wrong_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    data = {"username": "bo.admin", "password": PASSWORD, "next": "/"}
    missing = client.post("/login", data=data, follow_redirects=False)
    assert missing.status_code == 403
    assert "CSRF" in missing.text
    wrong = client.post("/login", data={**data, "csrf_token": "abc.def"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_login_csrf_cookie_must_be_signed_by_the_server(client: TestClient) -> None:
    forged = "chosen-by-attacker.0000"
    client.cookies.set(LOGIN_CSRF_COOKIE, forged, path="/login")
    data = {"username": "bo.admin", "password": PASSWORD, "csrf_token": forged}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 403
    # A token signed with another key is refused as well.
    other = new_login_token("another-secret-key-0000000000000000000")
    client.cookies.set(LOGIN_CSRF_COOKIE, other, path="/login")
    data["csrf_token"] = other
    assert client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_logout_needs_the_session_csrf_token(client: TestClient) -> None:
    login(client, "bo.admin")
    token = csrf_of(client.get("/").text)
    without = client.post("/logout", follow_redirects=False)
    assert without.status_code == 403
    assert "CSRF" in without.text
    wrong = client.post("/logout", data={"csrf_token": token[:-2] + "xx"}, follow_redirects=False)
    assert wrong.status_code == 403
    wrong_header = client.post(
        "/logout", headers={"X-CSRF-Token": "not-the-token"}, follow_redirects=False
    )
    assert wrong_header.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in

    done = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_closes_the_server_side_session(client: TestClient) -> None:
    login(client, "bo.admin")
    stolen = client.cookies[SESSION_COOKIE]
    token = csrf_of(client.get("/").text)
    # htmx sends the token as a header (from hx-headers on <body>).
    assert (
        client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.set(SESSION_COOKIE, stolen)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_pages_redirect_to_login_and_come_back(client: TestClient) -> None:
    response = client.get("/institutions?type=academy", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Finstitutions%3Ftype%3Dacademy"
    page = client.get(response.headers["location"])
    assert 'name="next" value="/institutions?type=academy"' in page.text
    back = login(client, "bo.admin", next_path="/institutions?type=academy")
    assert back.headers["location"] == "/institutions?type=academy"


def test_htmx_requests_are_sent_to_login_with_hx_redirect(client: TestClient) -> None:
    response = client.get(
        "/institutions",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/institutions?q=a"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login?next=%2Finstitutions%3Fq%3Da"


@pytest.mark.parametrize(
    "next_path",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_only_same_site_relative_next_paths_are_followed(
    client: TestClient, next_path: str
) -> None:
    response = login(client, "bo.admin", next_path=next_path)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_anonymous_logout_just_goes_to_login(client: TestClient) -> None:
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_logged_in_user_visiting_login_goes_home(client: TestClient) -> None:
    login(client, "bo.admin")
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"


def test_english_login_page(client: TestClient) -> None:
    page = client.get("/login?lang=en")
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text
    assert "Tiếng Việt" in page.text  # the switch back
    failed = login(client, "bo.admin", "wrong-password")
    assert "Wrong username or password." in failed.text
