"""A new candidate signs up with the national e-ID: from HEMIS's login page to the e-ID
simulator (its own process), types themselves in, comes back logged in and sees their home —
name, registration status, the next step and its deadline — in Debian's Chromium."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory, scoped_session
from tests.admissions import world
from tests.browser.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    require_chromium,
    served,
)
from tests.payments.harness import wait_http

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[str, str]]:
    require_chromium()
    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with scoped_session(make_session_factory(engine), world.system()) as s:
        world.calendar(s)  # an admission year whose registration window is open
        s.commit()
    engine.dispose()
    app_port, idp_port = free_port(), free_port()
    app, idp = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{idp_port}"
    log = (tmp_path / "idp.log").open("wb")
    sim = subprocess.Popen(
        [
            *(sys.executable, "-m", "hemis.identity", "--port", str(idp_port)),
            *("--redirect-uri", f"{app}/eid/callback", "--source", url),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"{idp}/healthz", sim, tmp_path / "idp.log")
        env = {"HEMIS_PUBLIC_URL": app, "HEMIS_EID_ISSUER_URL": idp}
        with served(url, tmp_path, port=app_port, extra_env=env) as base:
            yield base, idp
    finally:
        sim.terminate()
        sim.wait(15)
        log.close()


def test_a_new_candidate_signs_up_with_the_e_id_and_sees_their_home(
    portal: tuple[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    server, idp = portal
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

            page.goto("/")
            expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
            page.get_by_role("link", name="Đăng nhập bằng định danh điện tử (VNeID)").click()

            # At the national e-ID (the simulator): a new citizen, national ID suggested.
            expect(page.get_by_role("heading", name="Công dân mới / A new citizen")).to_be_visible()
            assert page.url.startswith(f"{idp}/authorize?")
            national_id = page.get_by_label("Số định danh cá nhân").input_value()
            assert len(national_id) == 12
            page.get_by_label("Họ và tên").fill("Hoàng Minh Châu")
            page.locator("#new-level-2").check()
            page.screenshot(path=str(ARTIFACTS / "eid-01-provider.png"), full_page=True)
            new_citizen = page.locator("form:has(#national_id)")
            new_citizen.get_by_role("button", name="Đăng nhập / Log in").click()

            # Back at HEMIS, logged in as the new candidate, on their home.
            expect(page).to_have_url(f"{server}/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Hoàng Minh Châu")
            expect(page.locator("#registration-state")).to_have_text("Chưa đăng ký dự thi.")
            expect(page.locator("#next-step")).to_contain_text("Đăng ký dự thi tốt nghiệp THPT.")
            expect(page.locator("#deadline")).to_contain_text("Hạn chót")
            assert national_id not in page.content()
            page.screenshot(path=str(ARTIFACTS / "eid-02-home.png"), full_page=True)

            # Their records: a new citizen has no enrolment yet.
            page.get_by_role("link", name="Hồ sơ của tôi").first.click()
            expect(page.locator("#my-name")).to_have_text("Hoàng Minh Châu")
            expect(page.locator("#no-enrolments")).to_be_visible()
        finally:
            context.close()
    assert problems == [], problems  # e.g. a Content-Security-Policy violation
