"""The ministry runs a round through its job pages — snapshot, then the run — in Debian's
Chromium against the real server: each button opens a progress page whose bar, polled by the
page itself, reaches completion and gives way to the result, with no manual reload."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory
from tests.actions.world import round_world
from tests.browser.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.web.page_factories import PASSWORD, make_user

pytestmark = pytest.mark.browser
CANDIDATES = 60


def _seed(url: str) -> None:
    migrate.upgrade(url)
    settings = Settings(env=Environment.test, database_url=url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    round_world(sessions, cipher, extra=CANDIDATES - 3)
    make_user(sessions, "bo.admin", Role.ministry_admin, display_name="Quản trị viên Bộ")
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    require_chromium()
    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    _seed(url)
    with served(url, tmp_path) as base:
        yield base


BAR = "() => { const b = document.getElementById('action-bar'); return b && [b.value, b.max]; }"


def test_the_ministry_runs_a_round_and_watches_its_progress(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import Error, expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=server,
            locale="vi-VN",
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto("/admissions/ministry")
            page.get_by_label("Tên đăng nhập").fill("bo.admin")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Điều hành xét tuyển")

            for button, title, shot in (
                ("Chốt dữ liệu", "Chốt dữ liệu đợt xét tuyển", "10-round-snapshot"),
                ("Lọc ảo", "Lọc ảo đợt xét tuyển", "11-round-run"),
            ):
                page.get_by_role("button", name=button).click()
                expect(page).to_have_url(re.compile(r"/actions/\d+$"))
                expect(page.get_by_role("heading", level=1)).to_contain_text(title)
                url = page.url
                seen: list[list[float]] = []
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    try:
                        value = page.evaluate(BAR)
                        if value:
                            seen.append(value)
                        if page.locator("#action-result").count():
                            break
                    except Error:  # the page reloading itself at the end of the job
                        pass
                    page.wait_for_timeout(100)
                # the page polled and reloaded itself: same address, the result in place
                assert page.url == url
                expect(page.locator("#action-status")).to_have_attribute("data-status", "succeeded")
                value, maximum = page.evaluate(BAR)
                assert value == maximum
                expect(page.locator("#action-percent")).to_have_text("100%")
                assert [v for v, m in seen] == sorted(v for v, m in seen)  # never backwards
                expect(page.locator("#action-result")).to_contain_text("Thí sinh")
                page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
                page.get_by_role("link", name="Quay lại").click()
                expect(page.get_by_role("heading", level=1)).to_contain_text("Điều hành xét tuyển")
            expect(page.locator("table.data").first).to_contain_text("Đã lọc ảo")
            expect(page.locator("#recent-actions")).to_contain_text("Lọc ảo đợt xét tuyển")
        finally:
            context.close()
    assert problems == [], problems
