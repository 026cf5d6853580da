"""Answers to bad input and failures, the same on every route and both databases: ids past 64
bits and NUL characters are 422 (not 500), every answer but static files says
`Cache-Control: no-store`. (A 500 and a database outage through a real server:
test_failure_answers_server.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.conftest import API, Shared, error_of

BEYOND = [2**63, 2**64, 10**30]

# Pages with an integer id in the path, and who may open them.
PAGES = [
    ("admin", "/institutions/{}"),
    ("admin", "/institutions/{}/staff"),
    ("admin", "/institutions/{}/learners"),
    ("admin", "/indicators/institutions/{}"),
    ("officer_a", "/submissions/{}"),
    ("officer_a", "/submissions/jobs/{}"),
    ("officer_a", "/admissions/institution/offers/{}/applicants"),
]


def api_operations_with_ids(shared: Shared) -> Iterator[tuple[str, str]]:
    """(method, path template) of every API operation with an integer path parameter."""
    document = shared.api.client.app.openapi()  # type: ignore[attr-defined]
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            ints = [
                p["name"]
                for p in op.get("parameters", [])
                if p["in"] == "path" and p["schema"].get("type") == "integer"
            ]
            if ints:
                yield method, re.sub(r"\{[^}]+\}", "{}", path)


def test_ids_past_64_bits_are_422_on_every_api_operation(shared: Shared) -> None:
    seen = 0
    for method, template in api_operations_with_ids(shared):
        for who in ("admin", "officer_a"):
            for value in BEYOND:
                path = template.replace("{}", str(value))
                response = shared.api.client.request(
                    method, path, json={}, headers=shared.api.headers(who)
                )
                if response.status_code == 403:  # this caller may not: refused before the id
                    continue
                assert response.status_code == 422, (who, method, path, response.text)
                assert error_of(response)["code"] == "validation_failed"
                seen += 1
    assert seen > 100
    # The payment and token routes among them (they gave 500 before).
    templates = {t for _, t in api_operations_with_ids(shared)}
    assert f"{API}/payments/intents/{{}}" in templates
    assert f"{API}/auth/tokens/{{}}/revoke" in templates


@pytest.mark.parametrize(("who", "template"), PAGES)
def test_ids_past_64_bits_are_422_on_pages(shared: Shared, who: str, template: str) -> None:
    for value in BEYOND:
        response = shared.api.client.get(template.format(value), headers=shared.api.headers(who))
        assert response.status_code == 422, (template, response.text[:300])
        assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize(
    ("who", "path", "params"),
    [
        ("admin", "/institutions", {"q": "Bách\x00khoa"}),
        ("admin", "/institutions/{a}/learners", {"q": "\x00"}),
        ("admin", "/institutions/{a}/staff", {"q": "x\x00"}),
        ("admin", "/indicators/compliance", {"province": "0\x001"}),
        ("admin", "/integrations", {"system": "a\x00"}),
        ("admin", f"{API}/learners", {"student_code": "S\x001"}),
        ("admin", f"{API}/admissions/offers", {"code": "\x00"}),
        ("admin", f"{API}/admissions/conversion-tables/suggestion", {"reference": "\x00"}),
        ("officer_a", f"{API}/submissions", {"period_year": "2024\x00"}),
    ],
)
def test_a_nul_in_a_search_parameter_is_422(
    shared: Shared, who: str, path: str, params: dict[str, str]
) -> None:
    url = path.format(a=shared.world.a.institution_id)
    response = shared.api.client.get(url, params=params, headers=shared.api.headers(who))
    assert response.status_code == 422, response.text[:300]
    if url.startswith("/api"):
        assert error_of(response)["code"] == "validation_failed"
    else:
        assert "text/html" in response.headers["content-type"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_nul_in_a_path_is_422(shared: Shared) -> None:
    response = shared.api.client.get(
        f"{API}/indicators/institutions/{shared.world.a.institution_id}/drill/a%00b/x",
        headers=shared.api.headers("admin"),
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("admin", "/"),
        ("admin", "/institutions"),
        ("officer_a", "/submissions"),
        ("admin", "/payments/ministry"),
        ("admin", f"{API}/learners"),
        ("officer_a", f"{API}/auth/me"),
        (None, "/login"),
        (None, f"{API}/learners"),  # a refusal too
        (None, "/openapi.json"),
    ],
)
def test_pages_and_api_answers_are_not_stored(shared: Shared, who: str | None, path: str) -> None:
    headers = shared.api.headers(who) if who else {}
    response = shared.api.client.get(path, headers=headers, follow_redirects=False)
    assert response.status_code < 500
    assert response.headers["Cache-Control"] == "no-store"


def test_the_token_answer_is_not_stored(shared: Shared) -> None:
    response = shared.api.client.post(
        f"{API}/auth/token", data={"username": "analyst", "password": "mat-khau-api-thu-nghiem"}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_caching(shared: Shared) -> None:
    response = shared.api.client.get("/static/hemis.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_operations_outside_api_answer_errors_as_json_and_pages_as_pages(shared: Shared) -> None:
    """The credentials' status lists are in the OpenAPI document, outside /api: their errors
    are the document's JSON (found by tests/web/test_api_fuzz.py, which got an HTML page)."""
    client = shared.api.client
    for path in ("/credentials/status/999999", "/credentials/status/0"):
        response = client.get(path)
        assert response.headers["content-type"].startswith("application/json"), path
        assert error_of(response)["code"] in {"not_found", "validation_failed"}
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
