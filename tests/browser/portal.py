"""Every page of every role of the demo, found by following the portal's own links: what the
accessibility check, the code check and the screenshot gallery walk.

A crawl starts at the home page of a logged-in role and follows same-site links (navigation and
content), one page per address pattern (digits stand for any id; the query's names count, not
its values), and leaves out downloads, the API, the language switch and logging out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
MOBILE: ViewportSize = {"width": 390, "height": 844}
ROLES = ("admin", "analyst", "officer", "candidate", "learner")
PAGES_PER_ROLE = 90

# /credentials/ answers JSON for verifiers (the issuer key, revocation status), not a page.
SKIP_PREFIXES = (
    "/logout",
    "/static/",
    "/api/",
    "/openapi.json",
    "/login",
    "/eid/",
    "/healthz",
    "/credentials/",
)
DOWNLOAD = re.compile(
    r"(\.(xlsx|csv|json|pdf|zip|parquet)$)|/(download|export|template|templates/)|/annotated|format="
)


def pattern(path_and_query: str) -> str:
    """The address with its ids as {n} and its query reduced to the names of its parameters;
    an indicator's drill-down pages are one pattern (each shows the same list of records)."""
    parts = urlsplit(path_and_query)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", parts.path)
    path = re.sub(r"/drill/[^/]+/[^/]+$", "/drill/{indicator}/{part}", path)
    names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} - {"page"})
    return path + ("?" + "&".join(names) if names else "")


def followable(base: str, href: str) -> str | None:
    """The path and query of a link worth visiting, or None."""
    if not href.startswith(base):
        return None
    rest = href[len(base) :].split("#")[0]
    if not rest.startswith("/") or rest.startswith(SKIP_PREFIXES):
        return None
    if "lang=" in rest or DOWNLOAD.search(rest):
        return None
    return rest


@dataclass
class Crawl:
    role: str
    pages: list[str] = field(default_factory=list)  # path and query, in visiting order
    failures: list[str] = field(default_factory=list)


def log_in(
    browser: Browser, base: str, username: str, password: str, **options: Any
) -> BrowserContext:
    context = browser.new_context(base_url=base, **options)
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    page.close()
    return context


def crawl(context: BrowserContext, base: str, role: str) -> Crawl:
    """The role's pages, breadth first from its home page."""
    result = Crawl(role)
    seen: set[str] = set()
    queue = ["/"]
    page = context.new_page()
    try:
        while queue and len(result.pages) < PAGES_PER_ROLE:
            path = queue.pop(0)
            key = pattern(path)
            if key in seen:
                continue
            seen.add(key)
            response = page.goto(path)
            status = response.status if response else 0
            if status >= 400:
                result.failures.append(f"{status} {path}")
                continue
            landed = page.url[len(base) :] if page.url.startswith(base) else page.url
            if landed != path and pattern(landed) in seen:
                continue
            result.pages.append(path)
            hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            for href in hrefs:
                nxt = followable(base, href)
                if nxt is not None and pattern(nxt) not in seen:
                    queue.append(nxt)
    finally:
        page.close()
    return result


def with_axe(context: BrowserContext) -> BrowserContext:
    """axe-core injected into every page of the context (an init script, given to the browser
    through its debugging protocol: the pages' CSP, which allows no foreign script, still holds
    for everything else)."""
    context.add_init_script(path=str(AXE))
    return context


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations of the page."""
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return list(result["violations"])


def menu_state(page: Page) -> dict[str, Any]:
    """On a phone: is the menu's button shown, the menu folded, and does the button open it?
    (The page is left as it was.)"""
    button = page.locator(".nav-toggle")
    menu = page.locator("#main-menu")
    if not button.count() or not button.is_visible():
        return {"button": False}
    closed = not menu.is_visible()
    button.click()
    opens = menu.is_visible() and button.get_attribute("aria-expanded") == "true"
    button.click()
    return {"button": True, "closed": closed, "opens": opens}
