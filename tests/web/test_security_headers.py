"""Every HTTP response carries the security headers — pages, API errors, static files — and a
response that sets one of them itself keeps its own value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from hemis.web.app import CSP, create_app
from tests.conftest import TestDB


@pytest.fixture
def client(sqlite_db: TestDB) -> Iterator[TestClient]:
    app = create_app(sqlite_db.settings())

    @app.get("/__own-frame-policy")
    def own() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"X-Frame-Options": "SAMEORIGIN"})

    with TestClient(app) as c:
        yield c
    app.state.ctx.dispose()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/login", 200), ("/api/v1/institutions", 401), ("/static/hemis.css", 200), ("/nope", 404)],
)
def test_security_headers_on_every_kind_of_response(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_header_the_response_sets_is_kept(client: TestClient) -> None:
    response = client.get("/__own-frame-policy")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers.get_list("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["Content-Security-Policy"] == CSP
