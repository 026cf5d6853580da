"""Real processes for the e-ID tests: the identity-provider simulator (`python -m
hemis.identity`) and HEMIS (`hemis serve`), each on a free loopback port; a browser stand-in
(httpx, cookies kept) walks the redirects between them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from hemis.db.session import make_engine
from tests.conftest import TestDB
from tests.payments.harness import free_port, wait_http

_HIDDEN = re.compile(r"<input type='hidden' name='([a-z_]+)' value='([^']*)'>")
COUNTED = ("person", "app_user", "web_session", "eid_token_use", "audit_entry", "exam_registration")


@dataclass
class EidStack:
    db: TestDB
    tmp: Path
    app_port: int = field(default_factory=free_port)
    idp_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def idp_url(self) -> str:
        return f"http://127.0.0.1:{self.idp_port}"

    def env(self) -> dict[str, str]:
        return os.environ | {
            "HEMIS_ENV": "test",
            "HEMIS_DATABASE_URL": self.db.url,
            "HEMIS_MIGRATION_DATABASE_URL": self.db.owner_url,
            "HEMIS_PUBLIC_URL": self.app_url,
            "HEMIS_EID_ISSUER_URL": self.idp_url,
            "HEMIS_VAR_DIR": str(self.tmp / "var"),
            "HEMIS_COOKIE_SECURE": "false",
            "HEMIS_LOG_LEVEL": "WARNING",
        }

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", *args], env=self.env(), stdout=out, stderr=out
            )
        self.procs[name] = proc
        return proc

    def start(self) -> None:
        idp = self._spawn(
            "idp",
            [
                "hemis.identity",
                "--port",
                str(self.idp_port),
                "--redirect-uri",
                f"{self.app_url}/eid/callback",
                "--source",
                self.db.url,
            ],
        )
        app = self._spawn("app", ["hemis", "serve", "--port", str(self.app_port)])
        wait_http(f"{self.idp_url}/healthz", idp, self.tmp / "idp.log")
        wait_http(f"{self.app_url}/login", app, self.tmp / "app.log")

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)

    # --- the simulator's knobs ------------------------------------------------------------------

    def configure(self, **body: Any) -> None:
        response = httpx.post(f"{self.idp_url}/sim/config", json=body, timeout=10)
        assert response.status_code == 200, response.text

    def rotate(self) -> dict[str, Any]:
        response = httpx.post(f"{self.idp_url}/sim/rotate", timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    # --- the database, as the tests count it ----------------------------------------------------

    def counts(self) -> dict[str, int]:
        engine = make_engine(self.db.owner_url)
        try:
            with engine.connect() as conn:
                return {
                    table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                    for table in COUNTED
                }
        finally:
            engine.dispose()

    def scalar(self, statement: Any) -> Any:
        engine = make_engine(self.db.owner_url)
        try:
            with engine.connect() as conn:
                return conn.execute(statement).scalar()
        finally:
            engine.dispose()


def hidden_fields(page: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in _HIDDEN.findall(page)}


@dataclass
class Walk:
    """One e-ID login walked by a browser stand-in; each leg kept for the tests to look at."""

    browser: httpx.Client
    authorize_page: httpx.Response | None = None
    callback_url: str = ""
    callback: httpx.Response | None = None


_BROWSERS: list[httpx.Client] = []


def new_browser() -> httpx.Client:
    browser = httpx.Client(follow_redirects=False, timeout=30)
    _BROWSERS.append(browser)
    return browser


def close_browsers() -> None:
    while _BROWSERS:
        _BROWSERS.pop().close()


def to_provider(stack: EidStack, browser: httpx.Client, next_path: str = "/") -> httpx.Response:
    """HEMIS's /eid/start, then the provider's login page it redirects to."""
    start = browser.get(f"{stack.app_url}/eid/start", params={"next": next_path})
    assert start.status_code == 303, start.text
    assert start.headers["location"].startswith(f"{stack.idp_url}/authorize?")
    page = browser.get(start.headers["location"])
    assert page.status_code == 200, page.text
    return page


def choose(
    stack: EidStack, browser: httpx.Client, page: httpx.Response, **fields: str
) -> httpx.Response:
    """Submit the provider's form (a new citizen unless mode=existing); its answer."""
    form = hidden_fields(page.text) | {"mode": "new", "level": "2"} | fields
    return browser.post(f"{stack.idp_url}/authorize", data=form)


def sign_in(
    stack: EidStack,
    browser: httpx.Client | None = None,
    *,
    tamper: Any = None,
    **fields: str,
) -> Walk:
    """The whole walk: HEMIS → provider (choose) → HEMIS callback. `tamper` may rewrite the
    callback URL before the browser follows it."""
    walk = Walk(browser or new_browser())
    walk.authorize_page = to_provider(stack, walk.browser)
    answer = choose(stack, walk.browser, walk.authorize_page, **fields)
    assert answer.status_code == 303, answer.text
    url = answer.headers["location"]
    assert url.startswith(f"{stack.app_url}/eid/callback?")
    walk.callback_url = tamper(url) if tamper else url
    walk.callback = walk.browser.get(walk.callback_url)
    return walk
