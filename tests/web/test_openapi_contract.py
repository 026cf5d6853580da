"""The OpenAPI document tells the truth about errors: every status a probe gets from an
operation (anonymous, as a candidate, with an id past 64 bits or unknown, a NUL in the query) is
declared for it, errors are ErrorBody, and the headers an operation honours are declared."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hemis.web import openapi
from tests.web.conftest import API, Shared

REQUIRED_IDEMPOTENT = {
    ("post", f"{API}/payments/intents"),
    ("post", f"{API}/payments/intents/{{intent_id}}/refund"),
}


def operations(shared: Shared) -> Iterator[tuple[str, str, dict[str, Any]]]:
    document = shared.api.client.app.openapi()  # type: ignore[attr-defined]
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield method, path, op


def _probes(shared: Shared, path: str) -> Iterator[tuple[str | None, str, dict[str, str]]]:
    """(caller, concrete path, query) of each probe of an operation."""
    unknown = re.sub(r"\{[^}]+\}", "424242", path)
    beyond = re.sub(r"\{[^}]+\}", str(2**63), path)
    yield None, unknown, {}
    yield "candidate", unknown, {}
    yield "officer_a", unknown, {}
    yield "officer_a", beyond, {}
    yield "admin", unknown, {"lang": "\x00"}


def test_every_status_an_operation_gives_is_declared(shared: Shared) -> None:
    undeclared = []
    probed = 0
    for method, path, op in operations(shared):
        declared = set(op["responses"])
        for who, concrete, query in _probes(shared, path):
            headers = shared.api.headers(who) if who else {}
            response = shared.api.client.request(
                method, concrete, json={}, params=query, headers=headers, follow_redirects=False
            )
            probed += 1
            if str(response.status_code) not in declared:
                undeclared.append((method, path, who, response.status_code))
    assert undeclared == []
    assert probed > 500


def test_error_answers_are_described_as_error_bodies(shared: Shared) -> None:
    for method, path, op in operations(shared):
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)


def test_retry_after_rate_limits_and_outages_are_declared(shared: Shared) -> None:
    for method, path, op in operations(shared):
        if path.startswith(API):
            assert "Retry-After" in op["responses"]["503"]["headers"], (method, path)
        if "x-hemis-public" not in op:
            assert {"401", "403"} <= set(op["responses"]), (method, path)
        if "{" in path:
            assert "404" in op["responses"], (method, path)
    login = next(op for m, p, op in operations(shared) if p == f"{API}/auth/token")
    assert {"401", "429"} <= set(login["responses"])
    assert "Retry-After" in login["responses"]["429"]["headers"]


def test_the_idempotency_key_is_declared_where_it_is_honoured(shared: Shared) -> None:
    honouring = set()
    for method, path, op in operations(shared):
        keys = [p for p in op.get("parameters", []) if p["name"].lower() == "idempotency-key"]
        if op.get("x-hemis-idempotent"):
            honouring.add((method, path))
            assert len(keys) == 1, (method, path)
            assert keys[0]["in"] == "header"
            assert keys[0]["required"] is True
            success = next(r for s, r in op["responses"].items() if s.startswith("2"))
            assert "Idempotent-Replayed" in success["headers"]
        else:
            assert keys == [], (method, path)
    assert honouring == REQUIRED_IDEMPOTENT


def test_a_missing_idempotency_key_is_refused_as_documented(shared: Shared) -> None:
    response = shared.api.post("admin", "payments/intents", {"invoice_id": 1})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_required"


def test_an_operation_taking_if_match_declares_412() -> None:
    document = {
        "paths": {
            f"{API}/things/{{thing_id}}": {
                "patch": {
                    "parameters": [
                        {"name": "thing_id", "in": "path"},
                        {"name": "If-Match", "in": "header"},
                    ],
                    "responses": {"200": {"description": "OK"}},
                },
                "get": {"parameters": [{"name": "thing_id", "in": "path"}], "responses": {}},
            }
        }
    }
    ops = openapi.complete(document)["paths"][f"{API}/things/{{thing_id}}"]
    assert set(ops["patch"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "422",
        "503",
    }
    assert set(ops["get"]["responses"]) == {"401", "403", "404", "422", "503"}
