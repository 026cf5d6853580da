"""Bonus points and direct admission in Debian's Chromium against the real server (its own
process): an officer goes from the portal's "Tuyển sinh" menu to the conversion table, is told
what is wrong with a bad row, publishes the table, then grants a direct admission from the same
admissions page and finds it listed; both pages fit a 390-pixel phone. Screenshots:
test-artifacts/bonus-*.png; any console error, or a failed request other than the one refused
form, fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory, scoped_session
from tests import factories
from tests.admissions import world
from tests.browser.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.web.page_factories import PASSWORD, make_user

pytestmark = pytest.mark.browser
PHONE = 390


def _seed(url: str) -> str:
    """The year, one institution with an offer, one registered candidate; their number."""
    migrate.upgrade(url)
    settings = Settings(env=Environment.test, database_url=url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)
        inst = factories.institution(s, "DHX", name_vi="Trường Đại học Thử Điểm Cộng")
        world.offer(s, world.program(s, inst, "IT1"), 60, code="7480201")
        number = world.candidate(s, cipher, 7).number
        s.commit()
    make_user(sessions, "can.bo", Role.institution_officer, "DHX", "Cán bộ tuyển sinh")
    engine.dispose()
    return number


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    require_chromium()
    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    number = _seed(url)
    with served(url, tmp_path) as base:
        yield base, number


def test_an_officer_reaches_the_bonus_table_and_direct_admission_from_the_menu(
    server: tuple[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, number = server
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    refused: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=base,
            locale="vi-VN",
            viewport={"width": 1300, "height": 900},
        )
        try:
            page = context.new_page()
            page.on(
                "console",
                # the refused form's 422 is also reported as a failed load: counted below
                lambda m: (
                    problems.append(m.text)
                    if m.type == "error" and "status of 422" not in m.text
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: (
                    (refused if r.status == 422 else problems).append(f"{r.status} {r.url}")
                    if r.status >= 400
                    else None
                ),
            )
            page.goto("/")
            page.get_by_label("Tên đăng nhập").fill("can.bo")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.get_by_role("navigation").get_by_role("link", name="Tuyển sinh").first.click()
            page.get_by_role("link", name="Bảng quy đổi điểm cộng chứng chỉ ngoại ngữ").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Bảng quy đổi điểm cộng chứng chỉ ngoại ngữ"
            )
            # a row above IELTS's scale is refused next to the field, and nothing is published
            page.get_by_label("Bảng quy đổi").fill("IELTS 6.5 = 1\nIELTS 9.5 = 2")
            page.get_by_label("Nơi công bố").fill("Đề án tuyển sinh 2025, mục 5")
            page.get_by_role("button", name="Công bố").click()
            expect(page.locator("#rows-error")).to_have_text(
                "Bảng quy đổi: IELTS 9.5 vượt thang điểm của chứng chỉ"
            )
            expect(page.locator("#bonus-rows")).to_have_count(0)
            page.get_by_label("Bảng quy đổi").fill("IELTS 5.5 = 0.5\nIELTS 6.5 = 1.25")
            page.get_by_role("button", name="Công bố").click()
            expect(page.locator("#saved")).to_be_visible()
            expect(page.locator("#bonus-rows tbody tr")).to_have_count(2)
            expect(page.locator("#bonus-rows")).to_contain_text("1,25")
            page.screenshot(path=str(ARTIFACTS / "bonus-01-table.png"), full_page=True)

            page.get_by_role("link", name="Tuyển sinh").first.click()
            page.get_by_role("link", name="Xét tuyển thẳng và ưu tiên xét tuyển").click()
            page.get_by_label("Số báo danh hoặc số định danh cá nhân").fill(number)
            page.get_by_label("Ngành xét tuyển").select_option(index=1)
            page.get_by_label("Căn cứ").fill("Điều 8 khoản 2 — Giải Nhất quốc gia môn Toán")
            page.get_by_role("button", name="Ghi quyết định").click()
            expect(page.locator("#saved")).to_be_visible()
            row = page.locator("#paths tbody tr")
            expect(row).to_have_count(1)
            expect(row).to_contain_text(number)
            expect(row).to_contain_text("Xét tuyển thẳng")
            expect(row).to_contain_text("Chờ thí sinh trả lời")
            page.screenshot(path=str(ARTIFACTS / "bonus-02-direct.png"), full_page=True)

            page.set_viewport_size({"width": PHONE, "height": 800})
            for path in ("/admissions/institution/direct", "/admissions/institution/bonus"):
                page.goto(path)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE, (path, width)
            page.screenshot(path=str(ARTIFACTS / "bonus-03-phone.png"), full_page=True)
        finally:
            context.close()
    assert problems == []
    assert len(refused) == 1
