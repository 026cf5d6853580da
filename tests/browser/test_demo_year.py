"""The living demo in Debian's Chromium: `hemis demo` itself (its own process, with the sandbox
gateway and the registry simulators it starts) serves a new demo at the `rounds` phase. The demo
candidate logs in for the first time and finds her registration, scores, wishes and invoice, and
pays through the sandbox gateway; the ministry administrator moves the year to `confirmation` on
the demo calendar page; the candidate finds her admission explained and confirms. Screenshots go
to test-artifacts/demo-*.png; any console error (e.g. a CSP violation) fails the test."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    STARTUP_SECONDS,
    free_port,
    require_chromium,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    require_chromium()
    web, gateway, *registries = (free_port() for _ in range(5))
    env = {
        **os.environ,
        "HEMIS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "HEMIS_VAR_DIR": str(tmp_path / "var"),
        "HEMIS_PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{gateway}",
        "HEMIS_POPULATION_URL": f"http://127.0.0.1:{registries[0]}",
        "HEMIS_INSURANCE_URL": f"http://127.0.0.1:{registries[1]}",
        "HEMIS_CIVIL_SERVICE_URL": f"http://127.0.0.1:{registries[2]}",
        "HEMIS_LOG_LEVEL": "WARNING",
    }
    for name in ("HEMIS_MIGRATION_DATABASE_URL", "HEMIS_PUBLIC_URL", "HEMIS_ENV"):
        env.pop(name, None)
    log_path = tmp_path / "demo.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hemis", "demo", "--scale", "0.002", "--port", str(web)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{web}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS + 120  # it builds the year first
        while True:
            if process.poll() is not None:
                pytest.fail(f"hemis demo exited: {log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the demo did not serve: {log_path.read_text(errors='replace')}")
            time.sleep(0.3)
        logins = json.loads((tmp_path / "var" / "demo-logins.json").read_text(encoding="utf-8"))
        yield base, {x["username"]: x["password"] for x in logins}
    finally:
        process.send_signal(signal.SIGTERM)  # stops its children too
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_first_login_pay_move_the_calendar_and_confirm(
    demo: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    base, passwords = demo
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []

    def note(text: str, url: str) -> None:
        if url.endswith("/favicon.ico") and not url.startswith(base):
            return  # the sandbox gateway, a stand-in for the bank's site, has no icon
        problems.append(f"{text} ({url})")

    def log_in(page: Page, username: str) -> None:
        page.goto(f"{base}/login")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(passwords[username])
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            candidate = browser.new_context(locale="vi-VN").new_page()
            candidate.on(
                "console",
                lambda m: note(m.text, m.location.get("url", "")) if m.type == "error" else None,
            )
            log_in(candidate, "candidate")
            # the first login finds everything: registration, scores, wishes, an invoice
            candidate.goto(f"{base}/admissions")
            expect(candidate.locator("main")).to_contain_text("01000001")
            candidate.goto(f"{base}/admissions/scores")
            expect(candidate.locator("main")).to_contain_text("8,75")
            candidate.goto(f"{base}/admissions/wishes")
            expect(candidate.locator("main table tbody tr")).to_have_count(3)
            candidate.goto(f"{base}/payments")
            candidate.screenshot(path=str(ARTIFACTS / "demo-invoice.png"), full_page=True)
            expect(candidate.locator("main")).to_contain_text("45.000 đ")  # three wishes
            # paying: our form, the link to the sandbox gateway, its pay button, back to us
            candidate.get_by_role("button", name="Thanh toán trực tuyến").click()
            candidate.get_by_role("button", name="Thanh toán / Pay").click()
            candidate.wait_for_url(re.compile(re.escape(base) + r"/payments/return"))
            for _ in range(60):  # the gateway's notification settles it, not the redirect
                candidate.goto(f"{base}/payments")
                if "Đã thanh toán." in candidate.locator("main").inner_text():
                    break
                time.sleep(0.5)
            expect(candidate.locator("main")).to_contain_text("Đã thanh toán.")

            admin = browser.new_context(locale="vi-VN").new_page()
            admin.on(
                "console",
                lambda m: note(m.text, m.location.get("url", "")) if m.type == "error" else None,
            )
            log_in(admin, "admin")
            admin.get_by_role("link", name="Lịch demo").click()
            expect(admin.locator("#current-phase")).to_contain_text("Lọc ảo")
            admin.screenshot(path=str(ARTIFACTS / "demo-calendar.png"), full_page=True)
            admin.get_by_role("button", name="Chuyển sang Xác nhận nhập học").click()
            expect(admin.locator("#current-phase")).to_contain_text("Xác nhận nhập học")
            expect(admin.locator("#phases")).to_contain_text("hemis demo --reset")

            candidate.goto(f"{base}/admissions/results")
            expect(candidate.locator(".outcome-admitted")).to_be_visible()
            candidate.get_by_role("button", name="Xác nhận nhập học").click()
            candidate.get_by_role("button", name="Tôi xác nhận nhập học").click()
            expect(candidate.locator("main")).to_contain_text("Bạn đã xác nhận nhập học lúc")
            candidate.screenshot(path=str(ARTIFACTS / "demo-confirmed.png"), full_page=True)
            # the what-if, from the portal's tabs: chances against the round just published
            candidate.get_by_role("link", name="Thử thứ tự").click()
            expect(candidate.locator("#held-today")).to_contain_text("Nếu xét hôm nay")
            expect(candidate.locator("#what-if tbody tr")).to_have_count(3)
            expect(candidate.locator("#distributions details")).not_to_have_count(0)
        finally:
            browser.close()
    assert problems == []
