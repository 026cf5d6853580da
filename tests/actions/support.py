"""Waiting for an action job through its pages, as the progress page's polling does."""

from __future__ import annotations

import re
import time
from html import unescape

from fastapi.testclient import TestClient
from httpx import Response

from tests.web.page_factories import csrf_of

FINISHED = re.compile(r'data-status="(succeeded|failed)"')


def job_id_of(location: str) -> int:
    found = re.match(r"^/actions/(\d+)", location)
    assert found, location
    return int(found.group(1))


def finish(client: TestClient, location: str, timeout: float = 90.0) -> str:
    """Poll the job's progress fragment until it has ended; the job page afterwards."""
    job_id = job_id_of(location)
    deadline = time.monotonic() + timeout
    while True:
        fragment = client.get(f"/actions/{job_id}/progress")
        assert fragment.status_code == 200, fragment.text
        if FINISHED.search(fragment.text):
            break
        assert time.monotonic() < deadline, f"job {job_id} did not finish: {fragment.text}"
        time.sleep(0.1)
    page = client.get(f"/actions/{job_id}")
    assert page.status_code == 200
    return page.text


def post_form(
    client: TestClient, url: str, page: str, data: dict[str, object] | None = None
) -> Response:
    """Post a form as the browser would: with the CSRF token of `page`; list values repeat
    their field (checkboxes)."""
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def field_error(html: str, name: str) -> str:
    """The text of the error shown next to field `name` ('' when there is none)."""
    found = re.search(rf'<p class="field-error" id="{re.escape(name)}-error">([^<]*)</p>', html)
    return unescape(found.group(1)) if found else ""


def input_value(html: str, name: str) -> str | None:
    found = re.search(
        rf'<input id="{re.escape(name)}" name="{re.escape(name)}"[^>]* value="([^"]*)"', html
    )
    return unescape(found.group(1)) if found else None
