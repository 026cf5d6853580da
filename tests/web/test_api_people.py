"""Learners and staff with their persons: national-ID checks, one person across institutions,
status events, term results, awards and the staff history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import Api, World, error_of, national_id


def learner_body(world: World, nid: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "national_id": nid,
        "full_name": "Đỗ Thị Hằng",
        "date_of_birth": "2004-06-15",
        "sex": "female",
        "program_id": world.a.ids["programs"],
        "student_code": "HS-001",
        "cohort_year": 2022,
        "study_mode": "full_time",
        "funding_source": "self_funded",
        "admitted_on": "2022-09-05",
    }
    return body | overrides


def staff_body(nid: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "national_id": nid,
        "full_name": "Hoàng Văn Nam",
        "date_of_birth": "1970-01-20",
        "sex": "male",
        "staff_code": "NV-01",
        "unit": "Phòng Đào tạo",
        "position": "manager",
        "contract_type": "civil_servant",
        "full_time": True,
        "permanent": True,
        "fte": 1,
        "highest_degree": "master",
    }
    return body | overrides


HANG = national_id("female", 2004, 4242)


def test_new_learner_is_enrolled_with_an_admission_event(api: Api, world: World) -> None:
    created = api.post("officer_a", "learners", learner_body(world, HANG))
    assert created.status_code == 201, created.text
    learner = created.json()
    assert learner["status"] == "enrolled"
    assert learner["status_date"] == "2022-09-05"
    assert learner["person"]["full_name"] == "Đỗ Thị Hằng"
    assert learner["person"]["national_id_masked"] == "*" * 9 + HANG[-3:]
    events = api.items("officer_a", f"learners/{learner['id']}/status-events")
    assert [(e["status"], e["effective_on"]) for e in events] == [("enrolled", "2022-09-05")]


def test_status_events_drive_the_learner_status(api: Api, world: World) -> None:
    learner = api.post("officer_a", "learners", learner_body(world, HANG)).json()
    path = f"learners/{learner['id']}"
    suspended = api.post(
        "officer_a",
        f"{path}/status-events",
        {"status": "suspended", "effective_on": "2023-02-01", "reason": "Bảo lưu"},
    )
    assert suspended.status_code == 201
    assert api.get("officer_a", path).json()["status"] == "suspended"
    # Back-dated (after admission, before the current status): history only.
    late = api.post(
        "officer_a", f"{path}/status-events", {"status": "enrolled", "effective_on": "2022-12-01"}
    )
    assert late.status_code == 201
    now = api.get("officer_a", path).json()
    assert (now["status"], now["status_date"]) == ("suspended", "2023-02-01")
    before = api.post(
        "officer_a", f"{path}/status-events", {"status": "withdrawn", "effective_on": "2022-09-04"}
    )
    assert before.status_code == 422
    assert error_of(before)["details"][0]["code"] == "status_event.before_admission"
    assert len(api.items("officer_a", f"{path}/status-events")) == 3


def test_admission_date_moves_with_its_event_but_not_past_later_ones(
    api: Api, world: World
) -> None:
    learner = api.post("officer_a", "learners", learner_body(world, HANG)).json()
    path = f"learners/{learner['id']}"
    moved = api.patch("officer_a", path, {"admitted_on": "2022-09-10"})
    assert moved.status_code == 200
    assert moved.json()["status_date"] == "2022-09-10"
    api.post(
        "officer_a", f"{path}/status-events", {"status": "suspended", "effective_on": "2023-01-01"}
    )
    refused = api.patch("officer_a", path, {"admitted_on": "2023-06-01"})
    assert refused.status_code == 422
    assert error_of(refused)["details"][0]["code"] == "learner.admitted_after_status_change"


def test_one_person_across_institutions(api: Api, world: World) -> None:
    a = api.post("officer_a", "learners", learner_body(world, HANG)).json()
    body_b = learner_body(world, HANG, program_id=world.b.ids["programs"], full_name="đỗ thị hằng")
    b = api.post("officer_b", "learners", body_b)
    assert b.status_code == 201, b.text
    assert b.json()["person_id"] == a["person_id"]
    found = api.post("admin", "persons/lookup", {"national_id": HANG})
    assert found.status_code == 200
    assert found.json()["id"] == a["person_id"]


def test_own_person_with_other_details_is_a_conflict_listing_them(api: Api, world: World) -> None:
    """The institution already enrols this person (it sees them anyway): the conflict names the
    fields that differ, and never echoes the registered values."""
    api.post("officer_a", "learners", learner_body(world, HANG))
    clash = api.post(
        "officer_a",
        "staff",
        staff_body(HANG, full_name="Đỗ Thị Hương", date_of_birth="2004-06-16", sex="female"),
    )
    assert clash.status_code == 409
    body = error_of(clash)
    assert body["code"] == "conflict"
    assert body["details"] == {"code": "person.mismatch", "fields": ["full_name", "date_of_birth"]}
    assert "Hằng" not in clash.text
    assert "2004-06-15" not in clash.text


@pytest.mark.parametrize(
    ("nid", "sex", "dob", "codes"),
    [
        ("12345", "female", "2004-06-15", ["national_id.format"]),
        ("00130400424x", "female", "2004-06-15", ["national_id.format"]),
        ("999304004242", "female", "2004-06-15", ["national_id.province"]),
        (national_id("male", 2004, 4242), "female", "2004-06-15", ["national_id.sex"]),
        (HANG, "female", "1904-06-15", ["national_id.century"]),
        (HANG, "female", "2005-06-15", ["national_id.birth_year"]),
    ],
)
def test_invalid_national_id_lists_problems_without_echoing_it(
    api: Api, world: World, nid: str, sex: str, dob: str, codes: list[str]
) -> None:
    response = api.post(
        "officer_a", "learners", learner_body(world, nid, sex=sex, date_of_birth=dob)
    )
    assert response.status_code == 422
    body = error_of(response)
    assert [d["code"] for d in body["details"]] == codes
    assert all(d["field"] == "national_id" and d["message"] for d in body["details"])
    assert nid not in response.text


def test_duplicate_student_code_is_a_conflict_naming_the_constraint(api: Api, world: World) -> None:
    body = learner_body(world, HANG, student_code="Alpha-S1")
    response = api.post("officer_a", "learners", body)
    assert response.status_code == 409
    assert error_of(response)["details"] == {"constraint": "uq_learner_institution_id_student_code"}
    # Rolled back entirely: the person was not left behind either.
    assert api.post("admin", "persons/lookup", {"national_id": HANG}).status_code == 404


def test_learner_cannot_move_to_another_institutions_program(api: Api, world: World) -> None:
    path = f"learners/{world.a.ids['learners']}"
    response = api.patch("officer_a", path, {"program_id": world.b.ids["programs"]})
    assert response.status_code == 422
    assert error_of(response)["details"][0]["code"] == "program.unknown"


def test_term_results(api: Api, world: World) -> None:
    path = f"learners/{world.a.ids['learners']}/term-results"
    result = {"academic_year": 2024, "term": 2, "gpa": 3.75, "credits_earned": 20}
    created = api.post("officer_a", path, result)
    assert created.status_code == 201
    assert created.json() | result == created.json()
    assert len(api.items("officer_a", path)) == 2
    again = api.post("officer_a", path, result)
    assert again.status_code == 409
    assert error_of(again)["details"]["constraint"] == (
        "uq_term_result_institution_id_learner_id_academic_year_term"
    )


def test_award(api: Api, world: World) -> None:
    learner = api.post("officer_a", "learners", learner_body(world, HANG)).json()
    path = f"learners/{learner['id']}/award"
    assert api.get("officer_a", path).status_code == 404
    early = {"diploma_number": "BK-1", "awarded_on": "2020-01-01", "classification": "good"}
    assert api.post("officer_a", path, early).status_code == 422
    award = {"diploma_number": "BK-1", "awarded_on": "2026-07-01", "classification": "good"}
    created = api.post("officer_a", path, award)
    assert created.status_code == 201
    assert api.get("officer_a", path).json() == created.json()
    assert api.post("officer_a", path, award).status_code == 409
    patched = api.patch("officer_a", path, {"classification": "very_good"})
    assert patched.json()["classification"] == "very_good"
    # Diploma numbers are unique within an institution.
    other = f"learners/{world.a.ids['learners']}/award"
    assert api.patch("officer_a", other, {"diploma_number": "BK-1"}).status_code == 409


def test_staff_changes_are_kept_in_history(api: Api, world: World) -> None:
    nid = national_id("male", 1970, 77)
    staff = api.post("officer_a", "staff", staff_body(nid)).json()
    path = f"staff/{staff['id']}"
    assert api.items("officer_a", f"{path}/history") == []
    changed = api.patch(
        "officer_a",
        path,
        {"unit": "Phòng Đào tạo", "fte": 0.8, "position": "lecturer", "effective_on": "2025-01-01"},
    )
    assert changed.status_code == 200
    assert changed.json()["fte"] == 0.8
    history = api.items("officer_a", f"{path}/history")
    assert len(history) == 1
    assert history[0]["effective_on"] == "2025-01-01"
    assert history[0]["before"] == {"fte": 1.0, "position": "manager"}
    assert history[0]["after"] == {"fte": 0.8, "position": "lecturer"}
    api.patch("officer_a", path, {"fte": 0.8})  # no change, no history
    assert len(api.items("officer_a", f"{path}/history")) == 1


def test_ministry_person_corrections_must_agree_with_the_id(api: Api, world: World) -> None:
    path = f"persons/{world.a.ids['persons']}"
    assert api.patch("admin", path, {"sex": "female"}).status_code == 422
    ok = api.patch("admin", path, {"full_name": "Nguyễn Văn Alpha Bê"})
    assert ok.status_code == 200
    assert (
        api.get("officer_a", f"learners/{world.a.ids['learners']}").json()["person"]["full_name"]
        == "Nguyễn Văn Alpha Bê"
    )


def test_person_created_twice_is_a_conflict(api: Api) -> None:
    body = {
        "national_id": national_id("male", 1990, 9),
        "full_name": "Lý Văn Tài",
        "date_of_birth": "1990-01-01",
        "sex": "male",
    }
    first = api.post("admin", "persons", body)
    assert first.status_code == 201
    second = api.post("admin", "persons", body)
    assert second.status_code == 409
    assert error_of(second)["details"] == {"code": "person.exists", "person_id": first.json()["id"]}
    assert api.post("admin", "persons/lookup", {"national_id": "001190999999"}).status_code == 404
