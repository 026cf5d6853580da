"""Who may do what in the registry API: candidates nothing (but their own published results,
under /me, tested in tests/admissions/test_published.py), analysts read, officers their own
institution, ministry administrators everything (naming the institution)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.conftest import API, Shared, error_of

WRITE_METHODS = {"post", "patch", "put", "delete"}


def registry_operations(shared: Shared) -> Iterator[tuple[str, str]]:
    """(method, concrete path) of every registry operation in the OpenAPI document."""
    app = shared.api.client.app
    for path, operations in app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if not path.startswith(API) or path.startswith((f"{API}/auth", f"{API}/me/")):
            continue  # the caller's own records: candidates only
        concrete = re.sub(r"\{[^}]+\}", str(shared.world.a.ids["learners"]), path)
        for method in operations:
            yield method, concrete


def test_candidates_get_403_everywhere(shared: Shared) -> None:
    seen = 0
    for method, path in registry_operations(shared):
        response = shared.api.client.request(
            method, path, json={}, headers=shared.api.headers("candidate")
        )
        assert response.status_code == 403, (method, path, response.text)
        assert error_of(response)["code"] == "forbidden"
        seen += 1
    assert seen >= 57  # every registry operation at the time of writing


def test_analysts_read_everything_and_write_nothing(shared: Shared) -> None:
    for method, path in registry_operations(shared):
        response = shared.api.client.request(
            method, path, json={}, headers=shared.api.headers("analyst")
        )
        if method in WRITE_METHODS and not path.endswith("/persons/lookup"):
            assert response.status_code == 403, (method, path)
            assert error_of(response)["code"] == "read_only"
        else:
            assert response.status_code != 403, (method, path)
    learners = shared.api.items("analyst", "learners")
    assert {r["institution_id"] for r in learners} == {
        shared.world.a.institution_id,
        shared.world.b.institution_id,
    }
    lookup = shared.api.post("analyst", "persons/lookup", {"national_id": "001203000001"})
    assert lookup.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "persons", None),
        ("GET", "persons/{person}", None),
        ("POST", "persons/lookup", {"national_id": "001203000001"}),
        ("PATCH", "persons/{person}", {"full_name": "X"}),
        ("POST", "institutions", {"moet_code": "X"}),
        ("POST", "reporting-periods", {"year": 2030}),
        ("PATCH", "reporting-periods/{period}", {"name": "X"}),
    ],
)
def test_officers_cannot_use_ministry_routes(
    shared: Shared, method: str, path: str, body: object
) -> None:
    world = shared.world
    url = path.format(person=world.a.ids["persons"], period=world.period_id)
    response = shared.api.request("officer_a", method, url, json=body)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_officers_read_reporting_periods(shared: Shared) -> None:
    periods = shared.api.items("officer_a", "reporting-periods")
    assert [p["year"] for p in periods] == [2024]


@pytest.mark.parametrize("ref", ["institution_id", "institution_code"])
def test_officers_cannot_name_another_institution(shared: Shared, ref: str) -> None:
    world = shared.world
    value = world.b.institution_id if ref == "institution_id" else world.b.moet_code
    body = {
        "fiscal_year": 2030,
        "category": "other",
        "amount_vnd": 1,
        ref: value,
    }
    response = shared.api.post("officer_a", "expenditures", body)
    assert response.status_code == 403
    assert error_of(response)["code"] == "tenancy_violation"
    mine = world.a.institution_id if ref == "institution_id" else world.a.moet_code
    own = shared.api.post(
        "officer_a", "expenditures", body | {ref: mine, "fiscal_year": 2031 + len(ref)}
    )
    assert own.status_code == 201
    assert own.json()["institution_id"] == world.a.institution_id
    assert shared.api.items("officer_a", "expenditures", fiscal_year=2030) == []


def test_ministry_admin_manages_reporting_periods(shared: Shared) -> None:
    path = f"reporting-periods/{shared.world.period_id}"
    response = shared.api.patch("admin", path, {"name": "Kỳ báo cáo năm 2024"})
    assert response.status_code == 200
    assert shared.api.get("officer_a", path).json()["name"] == "Kỳ báo cáo năm 2024"
