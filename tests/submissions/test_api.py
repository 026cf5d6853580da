"""The submissions API: the JSON batch endpoint for institution systems, uploads run as jobs
with their reports, and the lifecycle steps — each only within the caller's institution."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi import FastAPI

from hemis.registry.rules import make_national_id
from tests.web.conftest import Api, World

pytestmark = pytest.mark.usefixtures("period_2025")
BATCH = "submissions/learners/batch"


@pytest.fixture
def period_2025(api: Api) -> None:
    """A period of its own: the world's 2024 submissions are under review (no import lands)."""
    body = {
        "year": 2025,
        "name": "Kỳ báo cáo 2025",
        "cutoff_on": "2025-12-31",
        "finance_cutoff_on": "2025-12-31",
        "opens_on": "2026-01-01",
        "closes_on": "2099-03-31",
    }
    assert api.post("admin", "reporting-periods", body).status_code == 201


def record(n: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "student_code": f"API{n:04d}",
        "national_id": make_national_id("001", "male", 2004, 500 + n),
        "full_name": f"Phạm Văn Số {n}",
        "date_of_birth": "2004-03-01",
        "sex": "male",
        "program_code": "Alpha-P1",
        "cohort_year": 2022,
        "admitted_on": "2022-09-05",
        "study_mode": "full_time",
        "funding_source": "self_funded",
        "status": "enrolled",
        "status_date": "2022-09-05",
    }
    return row | overrides


def batch(api: Api, who: str, records: list[dict[str, Any]], **extra: Any) -> Any:
    return api.post(who, BATCH, {"records": records, "period_year": 2025, **extra})


def test_batch_applies_once_and_a_repeat_writes_nothing(api: Api) -> None:
    records = [record(n) for n in range(3)]
    first = batch(api, "officer_a", records)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["status"], body["rows_written"], body["errors"]) == ("applied", 9, 0)
    assert {t["table"]: t["inserted"] for t in body["tables"]} == {
        "person": 3,
        "learner": 3,
        "learner_status_event": 3,
    }
    again = batch(api, "officer_a", records).json()
    assert (again["status"], again["rows_written"]) == ("applied", 0)
    learners = api.items("officer_a", "learners", limit=500)
    assert {row["student_code"] for row in learners} >= {"API0000", "API0001", "API0002"}


def test_a_batch_with_an_error_writes_nothing_and_says_why(api: Api) -> None:
    records = [record(1), record(2, program_code="NO-SUCH"), record(3, cohort_year="x")]
    body = batch(api, "officer_a", records).json()
    assert (body["status"], body["rows_written"]) == ("rejected", 0)
    assert {(i["row"], i["rule"]) for i in body["issues"]} == {
        (2, "LRN.program_code.exists"),
        (3, "LRN.cohort_year.type"),
    }
    codes = {row["student_code"] for row in api.items("officer_a", "learners", limit=500)}
    assert "API0001" not in codes


def test_a_dry_run_batch_counts_and_writes_nothing(api: Api) -> None:
    body = batch(api, "officer_a", [record(1)], dry_run=True).json()
    assert (body["status"], body["rows_written"]) == ("checked", 0)
    assert body["tables"][1]["inserted"] == 1


def test_batches_only_for_the_callers_own_institution(api: Api, world: World) -> None:
    refused = api.request(
        "officer_a",
        "POST",
        BATCH,
        params={"institution_code": world.b.moet_code},
        json={"records": [record(1)], "period_year": 2025},
    )
    assert refused.status_code == 403
    assert batch(api, "candidate", [record(1)]).status_code == 403
    assert batch(api, "analyst", [record(1)]).status_code == 403
    assert api.post("officer_a", "submissions/students/batch", {"records": []}).status_code == 400
    # A ministry administrator names the institution.
    ministry = api.request(
        "admin",
        "POST",
        BATCH,
        params={"institution_code": world.a.moet_code},
        json={"records": [record(7)], "period_year": 2025},
    )
    assert ministry.json()["status"] == "applied"


def csv_of(records: list[dict[str, Any]]) -> bytes:
    header = list(records[0])
    lines = [",".join(header)] + [",".join(str(r[c]) for c in header) for r in records]
    return ("\n".join(lines) + "\n").encode()


def wait_for(api: Api, who: str, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(who, f"submissions/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def test_an_upload_runs_as_a_job_with_a_report(api: Api, api_app: FastAPI) -> None:
    files = {"file": ("learners.csv", csv_of([record(n) for n in range(4)]), "text/csv")}
    response = api.request(
        "officer_a",
        "POST",
        "submissions/learners/upload",
        files=files,
        data={"period_year": "2025"},
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "queued"
    done = wait_for(api, "officer_a", job["id"])
    assert done["status"] == "applied", done
    assert (done["processed"], done["total"]) == (4, 4)
    assert done["result"]["rows_written"] == 12
    report = api.get("officer_a", f"submissions/jobs/{job['id']}/report", format="csv")
    assert report.status_code == 200
    assert report.text.lstrip("\ufeff").startswith('"row","column","rule"')
    assert api.get("officer_b", f"submissions/jobs/{job['id']}").status_code == 404
    detail = api.get("officer_a", f"submissions/{done['submission_id']}").json()
    assert (detail["status"], detail["version"]) == ("draft", 1)
    assert [j["id"] for j in detail["jobs"]] == [job["id"]]


def test_lifecycle_through_the_api(api: Api) -> None:
    body = batch(api, "officer_a", [record(1)]).json()
    sid = body["submission_id"]
    assert api.post("admin", f"submissions/{sid}/accept", {}).status_code == 409
    assert api.post("officer_a", f"submissions/{sid}/validate", {}).json()["status"] == "validated"
    sign = {"head_name": "Nguyễn Hiệu Trưởng", "head_title": "Hiệu trưởng", "confirm": True}
    assert api.post("officer_b", f"submissions/{sid}/sign-off", sign).status_code == 404
    signed = api.post("officer_a", f"submissions/{sid}/sign-off", sign).json()
    assert signed["status"] == "submitted"
    assert len(signed["snapshot_sha256"]) == 64
    assert api.post("officer_a", f"submissions/{sid}/accept", {}).status_code == 403
    assert api.post("admin", f"submissions/{sid}/accept", {}).json()["status"] == "accepted"
    overview = api.get("admin", "submissions/overview", period_year=2025).json()
    assert [r["moet_code"] for r in overview["not_submitted"]] == ["ZQXB01"]
    assert api.get("officer_a", "submissions/overview").status_code == 403


def test_an_unreadable_upload_fails_clearly_and_writes_nothing(api: Api) -> None:
    files = {"file": ("learners.xlsx", b"this is not a workbook", "application/octet-stream")}
    job = api.request("officer_a", "POST", "submissions/learners/upload", files=files).json()
    done = wait_for(api, "officer_a", job["id"])
    assert done["status"] == "failed"
    assert done["error"]["code"] == "import.unreadable"
    assert done["error"]["message"]
    assert done["error"]["message_en"]
