"""National IDs go in through request bodies and never come out in full: not in any response
(successes and errors alike), not in URLs, not in logs, not in clear in the database."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from sqlalchemy import text
from structlog.testing import capture_logs

from hemis.db.session import make_engine
from tests.conftest import TestDB
from tests.web.conftest import Api, World, national_id

MASKED = re.compile(r"^\*{9}\d{3}$")


def _masked_values(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "national_id_masked"]
        return found + [m for v in value.values() for m in _masked_values(v)]
    if isinstance(value, list):
        return [m for v in value for m in _masked_values(v)]
    return []


def test_national_ids_never_leave_in_full(
    api: Api,
    world: World,
    db: TestDB,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # statements and parameters
    learner_id = national_id("male", 2004, 31337)
    staff_id = national_id("female", 1985, 31338)
    person_id = national_id("male", 1960, 31339)
    used = [learner_id, staff_id, person_id, *world.a.national_ids, *world.b.national_ids]
    learner = {
        "national_id": learner_id,
        "full_name": "Mai Văn Bảo",
        "date_of_birth": "2004-05-05",
        "sex": "male",
        "program_id": world.a.ids["programs"],
        "student_code": "NID-1",
        "cohort_year": 2024,
        "study_mode": "full_time",
        "funding_source": "other",
        "admitted_on": "2024-09-01",
    }
    staff = {
        "national_id": staff_id,
        "full_name": "Đinh Thị Cúc",
        "date_of_birth": "1985-08-08",
        "sex": "female",
        "staff_code": "NID-G",
        "unit": "Khoa Y",
        "position": "researcher",
        "contract_type": "visiting",
        "full_time": False,
        "permanent": False,
        "fte": 0.3,
        "highest_degree": "doctor",
    }
    person = {
        "national_id": person_id,
        "full_name": "Quách Văn Tâm",
        "date_of_birth": "1960-02-02",
        "sex": "male",
    }
    with capture_logs() as events:
        created = api.post("officer_a", "learners", learner).json()
        api.post("officer_a", "staff", staff)
        api.post("admin", "persons", person)
        # Errors that involve a national ID: invalid, mismatching, duplicate, unknown.
        api.post("officer_a", "learners", learner | {"national_id": learner_id[:-1] + "x"})
        api.post("officer_a", "learners", learner | {"sex": "female"})
        api.post("officer_b", "staff", staff | {"full_name": "Người Khác"})
        api.post("officer_a", "learners", learner)
        api.post("admin", "persons", person)
        api.post("admin", "persons/lookup", {"national_id": national_id("male", 1999, 1)})
        api.post("admin", "persons/lookup", {"national_id": learner_id})
        api.post("officer_a", "persons/lookup", {"national_id": learner_id})
        api.get("officer_a", f"learners/{created['id']}")
        for who in ("officer_a", "officer_b", "admin"):
            api.get(who, "learners", limit=500)
            api.get(who, "staff", limit=500)
        api.get("admin", "persons", limit=500)
        api.get("admin", f"persons/{created['person_id']}")
        api.get("officer_a", "/openapi.json")

    assert len(api.responses) > 15
    masked = []
    for response in api.responses:
        for nid in used:
            assert nid not in response.text, (response.request.url, response.status_code)
            assert nid not in str(response.request.url)
        if response.request.url.path.startswith("/api/"):
            masked += _masked_values(response.json())
    assert len(masked) > 10
    assert all(MASKED.fullmatch(m) for m in masked)
    assert "*********" + learner_id[-3:] in masked

    logged = caplog.text + repr(events) + "".join(capsys.readouterr())
    assert "INSERT INTO person" in logged, "the SQL log should have been captured"
    for nid in used:
        assert nid not in logged

    # At rest: persons hold ciphertext and a blind index; the audit log holds neither.
    owner = make_engine(db.owner_url)
    try:
        with owner.connect() as conn:
            dumped = repr(conn.execute(text("SELECT * FROM person")).all())
            dumped += repr(conn.execute(text("SELECT * FROM audit_entry")).all())
    finally:
        owner.dispose()
    for nid in used:
        assert nid not in dumped
        assert nid.encode().hex() not in dumped
