"""A ministry user logs in, searches the institutions, opens a profile and switches to English —
in Debian's Chromium, against the real server started as its own process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory
from tests.browser.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.web.page_factories import (
    LEARNERS_IN_ORDER,
    PASSWORD,
    make_user,
    seed_registry,
)

pytestmark = pytest.mark.browser


def _seed(url: str) -> None:
    migrate.upgrade(url)
    settings = Settings(env=Environment.test, database_url=url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    seed_registry(sessions, cipher)
    make_user(sessions, "bo.admin", Role.ministry_admin, display_name="Quản trị viên Bộ")
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    require_chromium()
    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    _seed(url)
    with served(url, tmp_path) as base:
        yield base


def test_login_search_profile_and_english(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

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

            # Anonymous visitors land on the login page, in Vietnamese.
            page.goto("/institutions")
            expect(page).to_have_url(f"{server}/login?next=%2Finstitutions")
            expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "01-login.png"), full_page=True)

            page.get_by_label("Tên đăng nhập").fill("bo.admin")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()

            # Back on the page asked for: the institution list.
            expect(page).to_have_url(f"{server}/institutions")
            expect(page.get_by_role("heading", name="Cơ sở đào tạo")).to_be_visible()
            expect(page.locator("a.institution-name")).to_have_count(3)
            page.screenshot(path=str(ARTIFACTS / "02-institutions.png"), full_page=True)

            # Search without diacritics; htmx swaps the results in.
            page.get_by_label("Tìm theo tên hoặc mã").fill("dai hoc bach khoa")
            page.get_by_role("button", name="Lọc").click()
            expect(page.locator("a.institution-name")).to_have_count(1)
            expect(page.locator("a.institution-name")).to_have_text("Đại học Bách khoa Hà Nội")
            page.screenshot(path=str(ARTIFACTS / "03-search.png"), full_page=True)

            # The profile, then its learners tab (loaded by htmx), in Vietnamese name order.
            page.get_by_role("link", name="Đại học Bách khoa Hà Nội").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Đại học Bách khoa Hà Nội")
            page.locator("nav.tabs").get_by_role("link", name="Người học").click()
            expect(page).to_have_url(re.compile(r"/institutions/\d+/learners$"))
            expect(page.locator("td.person-name")).to_have_text(LEARNERS_IN_ORDER)
            page.screenshot(path=str(ARTIFACTS / "04-profile-learners.png"), full_page=True)

            # Switch to English; the choice sticks on the next page.
            page.get_by_role("link", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("nav.tabs").get_by_role("link", name="Learners")).to_be_visible()
            page.get_by_role("link", name="Home").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
            page.screenshot(path=str(ARTIFACTS / "05-home-english.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})  # a phone
            page.goto("/institutions")
            expect(page.locator("a.institution-name")).to_have_count(3)
            page.screenshot(path=str(ARTIFACTS / "06-institutions-phone.png"), full_page=True)

            # Logging out needs the CSRF token the page carries.
            page.get_by_role("button", name="Log out").click()
            expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        finally:
            context.close()
    assert problems == [], problems  # e.g. a Content-Security-Policy violation
