"""The indicator dashboard in Debian's Chromium against the real server (its own process): the
ministry's national overview with its charts, the compliance matrix sorted and filtered, an
institution's profile with the computation of each number and the drill-down to the records, a
province; then an officer, who lands on their own institution. Screenshots are kept in
test-artifacts/indicators-*.png; any console error (e.g. a CSP violation) fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory
from hemis.indicators.engine import compute_year
from tests.browser.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.indicators import world
from tests.indicators.conftest import TODAY
from tests.web.page_factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def _seed(url: str) -> world.Built:
    migrate.upgrade(url)
    settings = Settings(env=Environment.test, database_url=url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    built = world.build(sessions, cipher)
    for year in (2023, 2024, 2025):  # a trend
        compute_year(sessions, year, today=TODAY)
    make_user(sessions, "bo.chiso", Role.ministry_admin, display_name="Chuyên viên Bộ")
    make_user(sessions, "can.bo", Role.institution_officer, built.full_code, "Cán bộ trường")
    engine.dispose()
    return built


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, world.Built]]:
    require_chromium()
    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    built = _seed(url)
    with served(url, tmp_path) as base:
        yield base, built


def test_dashboard_overview_matrix_profile_drill_and_officer(
    server: tuple[str, world.Built], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, built = server
    ARTIFACTS.mkdir(exist_ok=True)
    shot = lambda name: str(ARTIFACTS / f"indicators-{name}.png")  # noqa: E731
    problems: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=base,
            locale="vi-VN",
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )

            def log_in(username: str, path: str) -> None:
                page.goto(path)
                page.get_by_label("Tên đăng nhập").fill(username)
                page.get_by_label("Mật khẩu").fill(PASSWORD)
                page.get_by_role("button", name="Đăng nhập").click()

            log_in("bo.chiso", "/indicators")
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Chỉ số giáo dục đại học quốc gia — 2025"
            )
            # Every chart was drawn by Chart.js from its data-chart attribute.
            for name in ("compliance", "levels", "regions", "fields", "ownership", "trend"):
                expect(page.locator(f"#chart-{name}")).to_have_attribute("data-drawn", "1")
            expect(page.locator("#national-stats")).to_contain_text(str(world.STUDENTS))
            page.screenshot(path=shot("01-overview"), full_page=True)

            # The matrix: sort by the lecturer ratio, then keep institutions with a failure.
            page.get_by_role("link", name="Ma trận tuân thủ").click()
            expect(page.locator("#matrix tbody tr")).to_have_count(2)
            page.locator("#matrix thead").get_by_role(
                "link", name="Tỉ lệ người học quy đổi trên giảng viên toàn thời gian"
            ).click()
            expect(page.locator("#matrix tbody tr").first).to_contain_text("Đủ Số Liệu")
            # the institution column stays in view while the criteria scroll sideways
            first = page.locator("#matrix tbody tr th.sticky-col").first
            assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
            before = first.bounding_box()
            wrap = page.locator(".matrix-wrap")
            assert wrap.evaluate("e => { e.scrollLeft = 600; return e.scrollLeft; }") > 100
            after = first.bounding_box()
            assert before is not None
            assert after is not None
            assert abs(after["x"] - before["x"]) < 1
            # a short header shows its full name on keyboard focus
            header = page.locator("#matrix thead a.has-tip").first
            header.focus()
            tip = header.evaluate("e => getComputedStyle(e, '::after').content")
            assert header.get_attribute("data-tip") in tip
            page.get_by_label("Có tiêu chí").select_option("fail")
            page.get_by_role("button", name="Lọc").click()
            expect(page.locator("#matrix tbody tr")).to_have_count(1)
            page.screenshot(path=shot("02-matrix"), full_page=True)

            # The profile: each number with its computation, trends, and the records behind it.
            page.get_by_role("link", name="Trường Đại học Đủ Số Liệu").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Trường Đại học Đủ Số Liệu")
            row = page.locator("#row-first_year_dropout")
            expect(row).to_contain_text("withdrawn_within_12_months / admitted_previous_year")
            expect(row).to_contain_text("Không đạt")
            expect(page.locator("#chart-percent")).to_have_attribute("data-drawn", "1")
            page.screenshot(path=shot("03-profile"), full_page=True)
            row.get_by_role("link", name="xem hồ sơ").first.click()
            expect(page.locator("#drill-table tbody tr")).to_have_count(4)
            page.screenshot(path=shot("04-drill"), full_page=True)

            page.goto("/indicators/provinces/001")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Hà Nội")
            expect(page.locator("#chart-sex")).to_have_attribute("data-drawn", "1")
            page.screenshot(path=shot("05-province"), full_page=True)
            page.get_by_role("button", name="Đăng xuất").click()

            # An officer lands on their own institution's page.
            log_in("can.bo", "/indicators")
            expect(page).to_have_url(f"{base}/indicators/institutions/{built.full}")
            expect(page.locator("#criteria")).to_contain_text("Tỉ lệ thôi học năm thứ nhất")
            page.screenshot(path=shot("06-officer"), full_page=True)
        finally:
            context.close()
    assert problems == [], problems
