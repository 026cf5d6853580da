"""Hostile bodies at the submissions API: deep or huge JSON batches, batches of thousands of
columns or of one enormous cell, formula payloads, and an upload larger than allowed. Each gets
a clear error code and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.submissions.test_api import batch, period_2025, record  # noqa: F401 - the fixture
from tests.web.conftest import Api

pytestmark = pytest.mark.usefixtures("period_2025")
BATCH = "submissions/learners/batch"


def learner_codes(api: Api) -> set[str]:
    return {row["student_code"] for row in api.items("officer_a", "learners", limit=500)}


def post_raw(api: Api, body: bytes) -> Any:
    headers = api.headers("officer_a") | {"content-type": "application/json"}
    return api.client.post(f"/api/v1/{BATCH}", content=body, headers=headers)


def test_a_deeply_nested_batch_is_refused(api: Api) -> None:
    before = learner_codes(api)
    deep = b'{"records": [{"full_name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}"
    response = post_raw(api, deep)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_request"
    assert learner_codes(api) == before


def test_a_batch_body_past_its_limit_is_refused_before_it_is_read(api: Api) -> None:
    before = learner_codes(api)
    records = [record(n, full_name="Nguyễn Văn " + "A" * 1000) for n in range(40_000)]
    body = json.dumps({"records": records, "period_year": 2025}).encode()
    assert len(body) > 32 << 20
    response = post_raw(api, body)
    assert response.status_code == 413, response.text[:500]
    assert response.json()["code"] == "too_large"
    assert learner_codes(api) == before


def test_a_batch_of_thousands_of_columns_is_refused(api: Api) -> None:
    before = learner_codes(api)
    wide = record(1) | {f"c{i}": "x" for i in range(5000)}
    response = batch(api, "officer_a", [wide])
    assert response.status_code == 422, response.text[:500]
    body = response.json()
    assert body["code"] == "import.unreadable"
    assert body["details"]["limit"] == "columns"
    assert learner_codes(api) == before


def test_a_batch_with_an_enormous_cell_is_refused_without_echoing_it(api: Api) -> None:
    before = learner_codes(api)
    response = batch(api, "officer_a", [record(1, full_name="A" * 1_000_000)])
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["details"]["limit"]) == ("import.unreadable", "cell_chars")
    assert len(response.content) < 10_000  # the cell is not sent back
    assert learner_codes(api) == before


def test_a_batch_carrying_formulas_is_rejected(api: Api) -> None:
    before = learner_codes(api)
    records = [record(1, full_name="=cmd|' /C calc'!A0"), record(2, full_name="@SUM(A1:A9)")]
    body = batch(api, "officer_a", records).json()
    assert (body["status"], body["rows_written"]) == ("rejected", 0)
    assert {(i["row"], i["rule"]) for i in body["issues"]} == {
        (1, "LRN.full_name.formula"),
        (2, "LRN.full_name.formula"),
    }
    assert learner_codes(api) == before


def job_count(app: FastAPI) -> int:
    with app.state.ctx.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return int(conn.execute(text("SELECT count(*) FROM submission_job")).scalar_one())


def test_an_upload_past_its_limit_is_refused(api: Api, api_app: FastAPI) -> None:
    before = job_count(api_app)
    body = b"x" * (101 << 20)
    response = api.client.post(
        "/api/v1/submissions/learners/upload",
        files={"file": ("big.csv", body, "text/csv")},
        headers=api.headers("officer_a"),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert job_count(api_app) == before
