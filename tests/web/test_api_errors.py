"""Malformed bodies and duplicate keys are always a 4xx with the error shape {code, message,
details}, never a 500. (Paths, query parameters and callers: test_api_errors_requests.py.)

The TestClient re-raises any unhandled server exception, so a 500 would fail these tests loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.web.conftest import API, Shared, World, error_of


@dataclass(frozen=True)
class Bad:
    name: str
    method: str
    path: str  # may name world ids as {a_campus}, {a_learner}, {a_program}, {a_inst}
    status: int
    code: str
    json: Any = None
    content: bytes | None = None
    params: dict[str, Any] | None = None
    who: str = "officer_a"
    headers: dict[str, str] | None = None

    def __str__(self) -> str:
        return self.name


CAMPUS = {
    "code": "CX",
    "name": "Cơ sở X",
    "address": "Đường X",
    "province_code": "01",
    "land_area_m2": 1,
    "floor_area_m2": 1,
}
JSON = {"content-type": "application/json"}
ADMIN_INSTITUTION = {
    "moet_code": "AAA01",  # taken by institution A
    "name_vi": "Trùng mã",
    "type": "university",
    "ownership": "public",
    "governing_body": "Bộ",
    "province_code": "01",
}

CASES = [
    # --- bodies ---
    Bad(
        "bad json", "POST", "campuses", 422, "validation_failed", content=b'{"code": ', headers=JSON
    ),
    Bad("json array", "POST", "campuses", 422, "validation_failed", json=[CAMPUS]),
    Bad("json string", "POST", "campuses", 422, "validation_failed", json="campus"),
    Bad("empty body", "POST", "campuses", 422, "validation_failed"),
    Bad(
        "form body",
        "POST",
        "campuses",
        422,
        "validation_failed",
        content=b"code=CX",
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    Bad(
        "missing field",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json={k: v for k, v in CAMPUS.items() if k != "name"},
    ),
    Bad(
        "unknown field",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"colour": "red"},
    ),
    Bad(
        "wrong type number",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"land_area_m2": "lots"},
    ),
    Bad(
        "wrong type object",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"name": {"vi": "x"}},
    ),
    Bad(
        "wrong type bool",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"is_main": "perhaps"},
    ),
    Bad(
        "true for a number",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"land_area_m2": True},
    ),
    Bad(
        "negative area",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"land_area_m2": -1},
    ),
    Bad(
        "NaN",
        "POST",
        "campuses",
        422,
        "validation_failed",
        content=b'{"code":"CX","name":"X","address":"X","province_code":"01",'
        b'"land_area_m2":NaN,"floor_area_m2":1}',
        headers=JSON,
    ),
    Bad(
        "Infinity",
        "POST",
        "campuses",
        422,
        "validation_failed",
        content=b'{"code":"CX","name":"X","address":"X","province_code":"01",'
        b'"land_area_m2":1,"floor_area_m2":Infinity}',
        headers=JSON,
    ),
    Bad(
        "too long", "POST", "campuses", 422, "validation_failed", json=CAMPUS | {"name": "x" * 201}
    ),
    Bad("blank", "POST", "campuses", 422, "validation_failed", json=CAMPUS | {"name": "   "}),
    Bad("NUL char", "POST", "campuses", 422, "validation_failed", json=CAMPUS | {"name": "a\x00b"}),
    Bad(
        "bad code chars",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"code": "C X;--"},
    ),
    Bad(
        "bad province",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"province_code": "HN"},
    ),
    Bad(
        "huge int",
        "POST",
        "revenues",
        422,
        "validation_failed",
        json={"fiscal_year": 2025, "source": "other", "activity": "other", "amount_vnd": 2**70},
    ),
    Bad(
        "smallint overflow",
        "POST",
        "revenues",
        422,
        "validation_failed",
        json={"fiscal_year": 40000, "source": "other", "activity": "other", "amount_vnd": 1},
    ),
    Bad(
        "unknown enum",
        "POST",
        "revenues",
        422,
        "validation_failed",
        json={"fiscal_year": 2025, "source": "lottery", "activity": "other", "amount_vnd": 1},
    ),
    Bad(
        "enum wrong case",
        "POST",
        "facilities",
        422,
        "validation_failed",
        json={"campus_id": 1, "kind": "Library", "room_count": 1, "floor_area_m2": 1},
    ),
    Bad(
        "date format",
        "POST",
        "assets",
        422,
        "validation_failed",
        json={
            "category": "land",
            "description": "Đất",
            "acquired_on": "01/02/2020",
            "value_vnd": 1,
        },
    ),
    Bad(
        "date as number",
        "POST",
        "assets",
        422,
        "validation_failed",
        json={"category": "land", "description": "Đất", "acquired_on": 1580515200, "value_vnd": 1},
    ),
    Bad(
        "impossible date",
        "POST",
        "assets",
        422,
        "validation_failed",
        json={
            "category": "land",
            "description": "Đất",
            "acquired_on": "2021-02-30",
            "value_vnd": 1,
        },
    ),
    Bad(
        "gpa out of range",
        "POST",
        "learners/{a_learner}/term-results",
        422,
        "validation_failed",
        json={"academic_year": 2024, "term": 1, "gpa": 4.5, "credits_earned": 1},
    ),
    Bad(
        "term out of range",
        "POST",
        "learners/{a_learner}/term-results",
        422,
        "validation_failed",
        json={"academic_year": 2024, "term": 4, "gpa": 3, "credits_earned": 1},
    ),
    Bad("fte zero", "PATCH", "staff/{a_staff}", 422, "validation_failed", json={"fte": 0}),
    Bad(
        "null for required",
        "PATCH",
        "campuses/{a_campus}",
        422,
        "validation_failed",
        json={"name": None},
    ),
    Bad(
        "patch moves institution",
        "PATCH",
        "campuses/{a_campus}",
        422,
        "validation_failed",
        json={"institution_id": 1},
    ),
    Bad(
        "national id as number",
        "POST",
        "persons/lookup",
        422,
        "validation_failed",
        json={"national_id": 1234},
        who="admin",
    ),
    Bad(
        "unknown discipline",
        "POST",
        "programs",
        422,
        "validation_failed",
        json={
            "discipline_code": "7999999",
            "code": "X",
            "name_vi": "X",
            "level": "bachelor",
            "mode": "full_time",
            "credits": 120,
            "duration_years": 4,
            "opened_on": "2020-01-01",
            "annual_quota": 1,
        },
    ),
    Bad(
        "unknown campus",
        "POST",
        "facilities",
        422,
        "validation_failed",
        json={"campus_id": 999999, "kind": "library", "room_count": 1, "floor_area_m2": 1},
    ),
    Bad(
        "unknown program",
        "POST",
        "learners",
        422,
        "validation_failed",
        json={
            "national_id": "001203000777",
            "full_name": "A B",
            "date_of_birth": "2003-01-01",
            "sex": "male",
            "program_id": 999999,
            "student_code": "Z1",
            "cohort_year": 2023,
            "study_mode": "full_time",
            "funding_source": "other",
            "admitted_on": "2023-09-01",
        },
    ),
    Bad(
        "period closes before opening",
        "POST",
        "reporting-periods",
        422,
        "validation_failed",
        json={
            "year": 2030,
            "name": "Kỳ",
            "cutoff_on": "2030-12-31",
            "finance_cutoff_on": "2030-12-31",
            "opens_on": "2031-03-01",
            "closes_on": "2031-01-01",
        },
        who="admin",
    ),
    Bad(
        "unknown institution",
        "POST",
        "campuses",
        422,
        "validation_failed",
        json=CAMPUS | {"institution_id": 999999},
        who="admin",
    ),
    # --- duplicates of natural keys ---
    Bad(
        "duplicate campus code",
        "POST",
        "campuses",
        409,
        "conflict",
        json=CAMPUS | {"code": "Alpha-C1"},
    ),
    Bad(
        "duplicate moet code",
        "POST",
        "institutions",
        409,
        "conflict",
        json=ADMIN_INSTITUTION,
        who="admin",
    ),
    Bad(
        "duplicate period year",
        "POST",
        "reporting-periods",
        409,
        "conflict",
        json={
            "year": 2024,
            "name": "Kỳ",
            "cutoff_on": "2024-12-31",
            "finance_cutoff_on": "2024-12-31",
            "opens_on": "2025-01-01",
            "closes_on": "2025-02-01",
        },
        who="admin",
    ),
]


PROBLEM_KEYS = {"field", "code", "message", "message_en"}


def _fill(path: str, world: World) -> str:
    return path.format(
        a_campus=world.a.ids["campuses"],
        a_learner=world.a.ids["learners"],
        a_program=world.a.ids["programs"],
        a_staff=world.a.ids["staff"],
    )


def send(shared: Shared, case: Bad) -> None:
    """Send a malformed request and check its status and error code."""
    api = shared.api
    headers = dict(api.headers(case.who)) if case.who else {}
    headers.update(case.headers or {})
    response = api.client.request(
        case.method,
        f"{API}/{_fill(case.path, shared.world)}",
        json=case.json,
        content=case.content,
        params=case.params,
        headers=headers,
    )
    assert response.status_code == case.status, response.text
    body = error_of(response)
    assert body["code"] == case.code
    if case.status == 422:  # one shape of problem (docs/errors.md)
        for item in body["details"] or []:
            assert set(item) >= PROBLEM_KEYS, item
            assert all(isinstance(item[k], str) and item[k] for k in PROBLEM_KEYS), item


@pytest.mark.parametrize("case", CASES, ids=str)
def test_malformed_body_is_a_clean_4xx(shared: Shared, case: Bad) -> None:
    send(shared, case)


def test_duplicate_reports_the_same_constraint_on_every_database(shared: Shared) -> None:
    response = shared.api.post("officer_a", "campuses", CAMPUS | {"code": "Alpha-C1"})
    assert error_of(response)["details"] == {"constraint": "uq_campus_institution_id_code"}
    response = shared.api.post("admin", "institutions", ADMIN_INSTITUTION)
    assert error_of(response)["details"] == {"constraint": "uq_institution_moet_code"}


def test_validation_details_name_the_field(shared: Shared) -> None:
    response = shared.api.post("officer_a", "campuses", CAMPUS | {"land_area_m2": "lots"})
    details = error_of(response)["details"]
    assert [d["field"] for d in details] == ["body.land_area_m2"]
    assert details[0]["code"] == "float_parsing"
    assert details[0]["message"] == "không hợp lệ"  # the forms' wording, in Vietnamese
    assert "number" in details[0]["message_en"]
    response = shared.api.post("officer_a", "campuses", CAMPUS | {"floor_area_m2": False})
    details = error_of(response)["details"]
    assert [d["field"] for d in details] == ["body.floor_area_m2"]
    assert "true or false" in details[0]["message_en"]
