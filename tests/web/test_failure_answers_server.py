"""Failures through a real server process: a 500 carries the security headers and keeps the
connection alive; a database that cannot be reached is a 503 with Retry-After, and the server
recovers by itself when it is back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from hemis.accounts.roles import Role
from hemis.db.session import make_engine, make_session_factory
from tests.browser.support import free_port, served
from tests.conftest import TestDB, _pg_conninfo
from tests.web.page_factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


@pytest.fixture
def boom_server(sqlite_db: TestDB, tmp_path: Path) -> Iterator[int]:
    port = free_port()
    env = os.environ | {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": sqlite_db.url,
        "HEMIS_COOKIE_SECURE": "false",
        "HEMIS_LOG_LEVEL": "CRITICAL",
    }
    log = (tmp_path / "server.log").open("w")
    command = [sys.executable, "-m", "uvicorn", "tests.web.boom_app:app", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {data!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed in the body")
        body += chunk
    return int(lines[0].split()[1]), headers, body


def test_a_500_has_the_security_headers_and_keeps_the_connection(boom_server: int) -> None:
    with socket.create_connection(("127.0.0.1", boom_server), timeout=30) as sock:
        sock.sendall(b"GET /__boom HTTP/1.1\r\nHost: hemis\r\n\r\n")
        status, headers, body = _read_response(sock)
        assert status == 500
        for name in SECURITY_HEADERS:
            assert name in headers, headers
        assert headers["cache-control"] == "no-store"
        assert headers.get("connection", "").lower() != "close"
        assert b"no route handles" not in body
        assert b"Traceback" not in body
        # The same connection serves the next request.
        sock.sendall(b"GET /login HTTP/1.1\r\nHost: hemis\r\n\r\n")
        status, _, _ = _read_response(sock)
        assert status == 200


@pytest.mark.postgres
def test_a_database_outage_is_503_with_retry_after_and_heals(pg_db: TestDB, tmp_path: Path) -> None:
    engine = make_engine(pg_db.owner_url)
    make_user(make_session_factory(engine), "can.bo", Role.ministry_admin)
    engine.dispose()
    name = make_url(pg_db.url).database
    with served(pg_db.url, tmp_path) as base:
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "can.bo", "password": PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/api/v1/auth/me", headers=auth).status_code == 200
        with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            try:
                api = httpx.get(f"{base}/api/v1/auth/me", headers=auth, timeout=60)
                assert api.status_code == 503, api.text
                assert api.json()["code"] == "unavailable"
                assert int(api.headers["Retry-After"]) > 0
                page = httpx.get(f"{base}/", headers=auth, timeout=60)
                assert page.status_code == 503
                assert "text/html" in page.headers["content-type"]
                assert int(page.headers["Retry-After"]) > 0
                for name_ in SECURITY_HEADERS:
                    assert name_ in page.headers
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert httpx.get(f"{base}/api/v1/auth/me", headers=auth).status_code == 200
