"""The intake page in Debian's Chromium against the real server (its own process): an officer
goes from the admissions page to "Tân sinh viên", sees each program against its quota, writes
the intake and downloads it, then reads it in English. Screenshots: test-artifacts/intake-*.png;
any console error or failed request fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory, scoped_session
from tests.admissions import intake_world, world
from tests.browser.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.web.page_factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def _seed(url: str) -> None:
    migrate.upgrade(url)
    settings = Settings(env=Environment.test, database_url=url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with scoped_session(sessions, world.system()) as s:
        intake_world.whole_year(s, cipher)
    make_user(sessions, "can.bo", Role.institution_officer, "DHX", "Cán bộ tuyển sinh")
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    require_chromium()
    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    _seed(url)
    with served(url, tmp_path) as base:
        yield base


def test_the_officer_writes_and_downloads_the_intake(server: str, tmp_path: Path) -> None:
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
            viewport={"width": 1300, "height": 900},
            accept_downloads=True,
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto("/admissions/institution")
            page.get_by_label("Tên đăng nhập").fill("can.bo")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.get_by_role(
                "link", name="Tân sinh viên: xác nhận nhập học và ghi vào CSDL"
            ).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Tân sinh viên 2025 — Trường Đại học Thử Nhập Học"
            )
            y = page.locator("#program-Y td")
            expect(y.nth(2)).to_have_text("2")  # quota
            expect(y.nth(3)).to_have_text("3")  # admitted: 2 in the final round, 1 supplementary
            expect(y.nth(4)).to_have_text("2")  # confirmed
            expect(y.nth(5)).to_have_text("0")  # written
            page.screenshot(path=str(ARTIFACTS / "intake-01-before.png"), full_page=True)

            page.get_by_role("button", name="Ghi tân sinh viên vào CSDL (3)").click()
            expect(page.locator("#notice")).to_contain_text("3 người học mới")
            expect(y.nth(5)).to_have_text("2")
            learners = page.locator("#intake-learners tbody tr")
            expect(learners).to_have_count(3)
            expect(page.locator("#intake-learners")).to_contain_text("DHX-2025-00003")
            expect(page.locator("#intake-learners")).to_contain_text("Đợt bổ sung")
            page.screenshot(path=str(ARTIFACTS / "intake-02-written.png"), full_page=True)

            with page.expect_download() as download:
                page.get_by_role("link", name="Tải Excel").click()
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            assert saved.name == "tan-sinh-vien-DHX-2025.xlsx"
            assert saved.read_bytes()[:2] == b"PK"  # a workbook (zip)

            page.get_by_role("link", name="English").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("New intake 2025")
            expect(
                page.get_by_role("button", name="Write the intake to the registry")
            ).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "intake-03-english.png"), full_page=True)
        finally:
            context.close()
    assert problems == []
