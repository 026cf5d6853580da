"""Login limits: attempts are counted per (username, client address) before the password is
checked, atomically; another address is never locked out; X-Forwarded-For is believed only from
the configured proxies. (Through a real server on PostgreSQL: test_login_limits_server.py.)"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import sessionmaker

from hemis.accounts import service, throttle
from hemis.accounts.roles import Role
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.errors import RateLimited
from hemis.web.app import create_app
from hemis.web.guards import client_address
from tests.conftest import TestDB
from tests.web.page_factories import PASSWORD, csrf_of, make_user

PROXY = ("127.0.0.1", 40000)  # the TestClient's peer: the proxy in front of the app
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"
LIMIT = 5


def _app_client(db: TestDB, **overrides: object) -> Iterator[TestClient]:
    app = create_app(db.settings(**overrides))
    with TestClient(app, client=PROXY) as client:
        yield client
    app.state.ctx.dispose()


@pytest.fixture
def client(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[TestClient]:
    make_user(sessions, "can.bo", Role.ministry_admin)
    yield from _app_client(db, trusted_proxies="127.0.0.1", login_max_failures=LIMIT)


def _token(client: TestClient, address: str, password: str) -> int:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": "can.bo", "password": password},
        headers={"X-Forwarded-For": address},
    )
    return response.status_code


def test_an_address_over_its_limit_is_refused_and_the_owner_elsewhere_is_not(
    client: TestClient,
) -> None:
    assert [_token(client, ATTACKER, "doan-mo") for _ in range(LIMIT)] == [401] * LIMIT
    refused = client.post(
        "/api/v1/auth/token",
        data={"username": "can.bo", "password": PASSWORD},
        headers={"X-Forwarded-For": ATTACKER},
    )
    assert refused.status_code == 429  # not even the right password is checked from there
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    assert _token(client, OWNER, PASSWORD) == 200  # the owner, elsewhere, is not locked out
    assert _token(client, ATTACKER, PASSWORD) == 429  # the owner's success frees no one else


def test_a_success_clears_its_own_address(client: TestClient) -> None:
    assert [_token(client, OWNER, "go-nham") for _ in range(LIMIT - 1)] == [401] * (LIMIT - 1)
    assert _token(client, OWNER, PASSWORD) == 200
    assert [_token(client, OWNER, "go-nham") for _ in range(LIMIT)] == [401] * LIMIT


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    db: TestDB, sessions: sessionmaker[HemisSession]
) -> None:
    make_user(sessions, "can.bo", Role.ministry_admin)
    for client in _app_client(db, trusted_proxies="10.0.0.1", login_max_failures=LIMIT):
        # Each guess claims another address; all are counted under the peer's.
        codes = [_token(client, f"192.0.2.{n}", "doan-mo") for n in range(1, LIMIT + 1)]
        assert codes == [401] * LIMIT
        assert _token(client, "192.0.2.200", PASSWORD) == 429


def test_the_login_page_counts_per_address_too(client: TestClient) -> None:
    def attempt(address: str, password: str) -> int:
        page = client.get("/login")
        response = client.post(
            "/login",
            data={"username": "can.bo", "password": password, "csrf_token": csrf_of(page.text)},
            headers={"X-Forwarded-For": address},
            follow_redirects=False,
        )
        if response.status_code == 429:
            assert "Retry-After" in response.headers
            assert 'name="username"' in response.text  # the form again, with its message
        return response.status_code

    assert [attempt(ATTACKER, "doan-mo") for _ in range(LIMIT)] == [401] * LIMIT
    assert attempt(ATTACKER, PASSWORD) == 429
    assert attempt(OWNER, PASSWORD) == 303


def test_concurrent_attempts_are_all_counted(
    sessions: sessionmaker[HemisSession], settings: Settings
) -> None:
    """40 attempts at once from one address: exactly `limit` get to a password check."""
    passed: list[int] = []
    refused: list[int] = []
    start = threading.Barrier(40)

    def guess(n: int) -> None:
        start.wait()
        with scoped_session(sessions, Scope.system("test")) as session:
            try:
                service.begin_login(session, settings, "can.bo", ATTACKER)
                passed.append(n)
            except RateLimited:
                refused.append(n)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == settings.login_max_failures
    assert len(refused) == 40 - settings.login_max_failures


@given(st.integers(min_value=1, max_value=10_000))
def test_the_slow_down_starts_late_grows_and_is_capped(attempts: int) -> None:
    settings = Settings(login_slow_after=20, login_slow_max_seconds=3.0)
    wait = throttle.slowdown_seconds(settings, throttle.Attempt(1, attempts, utcnow()))
    if attempts <= 20:
        assert wait == 0
    else:
        assert 0 < wait <= 3.0
        more = throttle.slowdown_seconds(settings, throttle.Attempt(1, attempts + 1, utcnow()))
        assert more >= wait


PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("10.0.0.5", ["203.0.113.7"], "203.0.113.7"),
        ("10.0.0.5", ["1.2.3.4, 203.0.113.7"], "203.0.113.7"),  # the left is the client's word
        ("10.0.0.5", ["203.0.113.7, 10.0.0.9"], "203.0.113.7"),  # a chain of our proxies
        ("10.0.0.5", ["203.0.113.7", "10.0.0.9"], "203.0.113.7"),  # two header lines
        ("10.0.0.5", ["not-an-address"], "10.0.0.5"),
        ("10.0.0.5", ["1.2.3.4, junk, 10.0.0.9"], "10.0.0.9"),
        ("10.0.0.5", [], "10.0.0.5"),
        ("192.0.2.1", ["203.0.113.7"], "192.0.2.1"),  # not a proxy: its header is ignored
        ("10.0.0.5", ["2001:db8::1"], "2001:db8::1"),
    ],
)
def test_client_address_walks_forwarded_for_from_the_right(
    peer: str, header: list[str], expected: str
) -> None:
    assert client_address(peer, header, PROXIES) == expected


@given(st.lists(st.text(max_size=20), max_size=5), st.ip_addresses(v=4))
def test_client_address_is_the_peer_or_an_address(header: list[str], peer: object) -> None:
    got = client_address(str(peer), header, PROXIES)
    ipaddress.ip_address(got)  # never a string the client made up


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies="127.0.0.1, proxy.example")
    assert Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8").trusted_proxy_networks == (
        ipaddress.ip_network("127.0.0.1"),
        ipaddress.ip_network("10.0.0.0/8"),
    )
