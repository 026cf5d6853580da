"""Create, read, update and list every registry entity through /api/v1, as the role that owns it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.web.conftest import Api, World, national_id


@dataclass(frozen=True)
class Case:
    path: str
    who: str
    body: Callable[[World], dict[str, Any]]
    patch: dict[str, Any]

    def __str__(self) -> str:
        return self.path


CASES = [
    Case(
        "institutions",
        "admin",
        lambda w: {
            "moet_code": "NEW01",
            "name_vi": "Trường  Đại học\u00a0Mới",  # extra spaces: stored cleaned
            "type": "university",
            "ownership": "private",
            "governing_body": "UBND Thành phố Hà Nội",
            "province_code": "01",
            "established_on": "2010-09-01",
        },
        {"status": "suspended", "website": "https://moi.edu.vn"},
    ),
    Case(
        "reporting-periods",
        "admin",
        lambda w: {
            "year": 2025,
            "name": "Kỳ báo cáo 2025",
            "cutoff_on": "2025-12-31",
            "finance_cutoff_on": "2025-12-31",
            "opens_on": "2026-01-05",
            "closes_on": "2026-03-31",
        },
        {"closes_on": "2026-04-30"},
    ),
    Case(
        "campuses",
        "officer_a",
        lambda w: {
            "code": "C2",
            "name": "Cơ sở Hòa Lạc",
            "address": "Km 29 Đại lộ Thăng Long",
            "province_code": "01",
            "land_area_m2": 1000000,
            "floor_area_m2": 250000.5,
        },
        {"name": "Cơ sở Hòa Lạc mới", "is_main": False},
    ),
    Case(
        "facilities",
        "officer_a",
        lambda w: {
            "campus_id": w.a.ids["campuses"],
            "kind": "library",
            "room_count": 2,
            "floor_area_m2": 800,
            "seats": 400,
        },
        {"seats": 450},
    ),
    Case(
        "resource-summaries",
        "officer_a",
        lambda w: {
            "year": 2025,
            "lecturer_workspaces": 20,
            "library_titles": 300,
            "library_ebooks": 90,
            "computers": 40,
            "bandwidth_mbps": 200,
        },
        {"computers": 45},
    ),
    Case(
        "programs",
        "officer_a",
        lambda w: {
            "discipline_code": "7480201",
            "code": "KHMT",
            "name_vi": "Khoa học máy tính",
            "level": "bachelor",
            "mode": "full_time",
            "credits": 150,
            "duration_years": 4.5,
            "opened_on": "2020-09-01",
            "annual_quota": 120,
        },
        {"accreditation_status": "accredited", "accredited_on": "2024-05-01"},
    ),
    Case(
        "revenues",
        "officer_a",
        lambda w: {
            "fiscal_year": 2025,
            "source": "state_budget",
            "activity": "science_technology",
            "amount_vnd": 9_000_000_000_000,
        },
        {"amount_vnd": 9_500_000_000_000},
    ),
    Case(
        "expenditures",
        "officer_a",
        lambda w: {"fiscal_year": 2025, "category": "student_support", "amount_vnd": 1},
        {"amount_vnd": 0},
    ),
    Case(
        "assets",
        "officer_a",
        lambda w: {
            "category": "building",
            "description": "Nhà học A2",
            "acquired_on": "2019-06-30",
            "value_vnd": 70_000_000_000,
        },
        {"description": "Nhà học A2 (cải tạo)"},
    ),
    Case(
        "persons",
        "admin",
        lambda w: {
            "national_id": national_id("female", 1995, 555),
            "full_name": "Phạm Thị Mai",
            "date_of_birth": "1995-02-03",
            "sex": "female",
        },
        {"full_name": "Phạm Thị Mai Anh", "ethnicity_code": "02"},
    ),
    Case(
        "learners",
        "officer_a",
        lambda w: {
            "national_id": national_id("female", 2005, 556),
            "full_name": "Lê Thị Thu",
            "date_of_birth": "2005-10-20",
            "sex": "female",
            "program_id": w.a.ids["programs"],
            "student_code": "SV-2025-1",
            "cohort_year": 2025,
            "study_mode": "full_time",
            "funding_source": "state_budget",
            "admitted_on": "2025-09-05",
        },
        {"funding_source": "scholarship", "cohort_year": 2024},
    ),
    Case(
        "staff",
        "officer_a",
        lambda w: {
            "national_id": national_id("male", 1975, 557),
            "full_name": "Vũ Đức Thắng",
            "date_of_birth": "1975-12-01",
            "sex": "male",
            "staff_code": "GV-99",
            "unit": "Khoa Toán",
            "position": "lecturer",
            "contract_type": "fixed_term",
            "full_time": True,
            "permanent": False,
            "fte": 0.5,
            "highest_degree": "master",
        },
        {"highest_degree": "doctor", "academic_title": "associate_professor"},
    ),
]

# Body fields that are not echoed as such in the Read shape.
_NOT_ECHOED = {"national_id", "full_name", "date_of_birth", "sex", "institution_id"}


def _assert_echoes(read: dict[str, Any], body: dict[str, Any]) -> None:
    for name, value in body.items():
        if name in _NOT_ECHOED:
            continue
        if name == "name_vi":
            value = " ".join(value.split())
        assert read[name] == value, name


@pytest.mark.parametrize("case", CASES, ids=str)
def test_create_read_update_list(api: Api, world: World, case: Case) -> None:
    body = case.body(world)
    created = api.post(case.who, case.path, body)
    assert created.status_code == 201, created.text
    row = created.json()
    _assert_echoes(row, body)
    if "institution_id" in row:
        assert row["institution_id"] == world.a.institution_id

    read = api.get(case.who, f"{case.path}/{row['id']}")
    assert read.status_code == 200
    assert read.json() == row
    # The version is the ETag, from creation on (a person, embedded in officers' learner and
    # staff reads, shows it in the ETag only).
    assert row.get("row_version", 1) == 1
    assert created.headers["etag"] == read.headers["etag"] == '"1"'

    patched = api.patch(case.who, f"{case.path}/{row['id']}", case.patch)
    assert patched.status_code == 200, patched.text
    after = patched.json()
    _assert_echoes(after, case.patch)
    assert after.get("row_version", 2) == 2
    assert patched.headers["etag"] == '"2"'
    skipped = ("updated_at", "person", "row_version")
    unchanged = {k for k in row if k not in case.patch and k not in skipped}
    assert {k: after[k] for k in unchanged} == {k: row[k] for k in unchanged}
    assert api.get(case.who, f"{case.path}/{row['id']}").json() == after

    listed = api.items(case.who, case.path, limit=500)
    assert [item for item in listed if item["id"] == row["id"]] == [after]


@pytest.mark.parametrize(
    ("case", "ref"),
    [
        (case, "institution_id" if n % 2 else "institution_code")
        for n, case in enumerate(c for c in CASES if c.who == "officer_a")
    ],
    ids=str,
)
def test_ministry_admin_creates_for_a_named_institution(
    api: Api, world: World, case: Case, ref: str
) -> None:
    body = case.body(world)
    missing = api.post("admin", case.path, body)
    assert missing.status_code == 422
    assert missing.json()["details"][0]["code"] == "institution.required"
    value = world.a.institution_id if ref == "institution_id" else world.a.moet_code
    created = api.post("admin", case.path, {**body, ref: value})
    assert created.status_code == 201, created.text
    assert created.json()["institution_id"] == world.a.institution_id
    assert api.get("officer_a", f"{case.path}/{created.json()['id']}").status_code == 200
    assert api.get("officer_b", f"{case.path}/{created.json()['id']}").status_code == 404


def test_institution_name_is_nfc_and_folded(api: Api) -> None:
    decomposed = "Tru\u031bo\u031b\u0300ng Đa\u0323i ho\u0323c Vinh"  # NFD input
    created = api.post(
        "admin",
        "institutions",
        {
            "moet_code": "TDV",
            "name_vi": decomposed,
            "type": "university",
            "ownership": "public",
            "governing_body": "Bộ Giáo dục và Đào tạo",
            "province_code": "40",
        },
    )
    assert created.status_code == 201
    assert created.json()["name_vi"] == "Trường Đại học Vinh"
    by_name = api.items("admin", "institutions", sort="name")
    assert "Trường Đại học Vinh" in [i["name_vi"] for i in by_name]


def test_officer_may_edit_only_descriptive_fields_of_own_institution(
    api: Api, world: World
) -> None:
    own = f"institutions/{world.a.institution_id}"
    ok = api.patch("officer_a", own, {"website": "https://alpha.edu.vn", "name_en": "Alpha U"})
    assert ok.status_code == 200
    assert ok.json()["website"] == "https://alpha.edu.vn"
    refused = api.patch("officer_a", own, {"status": "dissolved", "website": "https://x.vn"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "ministry_field"
    assert refused.json()["details"] == {"fields": ["status"]}
    assert api.get("officer_a", own).json()["status"] == "active"
    assert api.post("officer_a", "institutions", CASES[0].body(world)).status_code == 403


def test_empty_patch_changes_nothing(api: Api, world: World) -> None:
    path = f"campuses/{world.a.ids['campuses']}"
    before = api.get("officer_a", path).json()
    after = api.patch("officer_a", path, {})
    assert after.status_code == 200
    assert after.json()["name"] == before["name"]


def test_nullable_field_can_be_cleared(api: Api, world: World) -> None:
    path = f"programs/{world.a.ids['programs']}"
    api.patch("officer_a", path, {"name_en": "Information Technology"})
    cleared = api.patch("officer_a", path, {"name_en": None})
    assert cleared.status_code == 200
    assert cleared.json()["name_en"] is None
