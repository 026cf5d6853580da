"""Login limits through a real `hemis serve` process on PostgreSQL, behind a (simulated) trusted
proxy: concurrent guesses are all counted before any password check, and the owner logs in from
another address while an attacker hammers the account."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from hemis.accounts.roles import Role
from hemis.db.session import make_engine, make_session_factory
from tests.browser.support import served
from tests.conftest import TestDB
from tests.web.page_factories import PASSWORD, make_user

pytestmark = pytest.mark.postgres

LIMIT = 5
GUESSES = 40


@pytest.fixture
def server(pg_db: TestDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    engine = make_engine(pg_db.owner_url)
    make_user(make_session_factory(engine), "can.bo", Role.ministry_admin)
    engine.dispose()
    monkeypatch.setenv("HEMIS_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("HEMIS_LOGIN_MAX_FAILURES", str(LIMIT))
    monkeypatch.setenv("HEMIS_LOGIN_SLOW_AFTER", "10")
    monkeypatch.setenv("HEMIS_LOGIN_SLOW_MAX_SECONDS", "1")
    with served(pg_db.url, tmp_path) as base:
        yield base


def _login(client: httpx.Client, base: str, address: str, password: str) -> int:
    response = client.post(
        f"{base}/api/v1/auth/token",
        data={"username": "can.bo", "password": password},
        headers={"X-Forwarded-For": address},
        timeout=60,
    )
    return response.status_code


def test_concurrent_guesses_are_counted_before_any_check(server: str) -> None:
    start = threading.Barrier(GUESSES)

    def guess(_: int) -> int:
        with httpx.Client() as client:
            start.wait()
            return _login(client, server, "203.0.113.7", "doan-mo")

    with ThreadPoolExecutor(GUESSES) as pool:
        codes = Counter(pool.map(guess, range(GUESSES)))
    # 401: the password was checked (and wrong); 429: refused before any check.
    assert codes == {401: LIMIT, 429: GUESSES - LIMIT}, codes


def test_the_owner_logs_in_from_another_address_while_an_attacker_hammers(server: str) -> None:
    stop = threading.Event()
    seen: Counter[int] = Counter()
    lock = threading.Lock()

    def hammer(offset: int) -> None:
        with httpx.Client() as client:
            n = offset
            while not stop.is_set():
                code = _login(client, server, f"203.0.113.{n % 8 + 1}", "doan-mo")
                with lock:
                    seen[code] += 1
                n += 1

    with ThreadPoolExecutor(3) as pool:
        for offset in range(3):
            pool.submit(hammer, offset)
        try:
            deadline = time.monotonic() + 300
            while seen[429] < 20:  # every attacking address has used up its attempts
                assert time.monotonic() < deadline, seen
                stop.wait(0.2)
            with httpx.Client() as owner:
                assert _login(owner, server, "198.51.100.20", PASSWORD) == 200
        finally:
            stop.set()
    assert seen[401] <= 8 * LIMIT  # never more checks than addresses × limit
