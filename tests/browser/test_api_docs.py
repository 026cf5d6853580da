"""/api/docs shows the API reference in Chromium under the strict CSP: every asset comes from the
application (no other host is asked for anything), no script or style is refused, and the
operations of the OpenAPI document are listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from hemis.db import migrate
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, require_chromium, served

pytestmark = pytest.mark.browser


def test_api_docs_render_from_local_assets(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    migrate.upgrade(url)
    problems: list[str] = []
    requested: list[str] = []
    with served(url, tmp_path) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requested.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/api/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("HEMIS API")
            # an operation of the document, by its path
            expect(
                page.locator(".opblock-summary-path", has_text="/api/v1/institutions").first
            ).to_be_visible()
            assert page.locator(".opblock").count() > 20
        finally:
            browser.close()
    assert problems == []
    foreign = [u for u in requested if not u.startswith(base) and not u.startswith("data:")]
    assert foreign == []
