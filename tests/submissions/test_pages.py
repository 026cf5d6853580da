"""Pages: the upload with progress polled from the job row, the error report with filters and
downloads, fix and resubmit, the lifecycle forms and the ministry's overview; officers see their
own institution only."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.submissions import pages
from hemis.submissions.jobs import ProgressWriter, Runner
from hemis.web.app import create_app
from tests.conftest import TestDB
from tests.submissions.world import World, learner
from tests.web.page_factories import csrf_of, login, make_user

HEADER = list(learner(1))


def csv_bytes(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(r[c] for c in HEADER) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def app(db: TestDB, scene: World, sessions: sessionmaker[HemisSession]) -> Iterator[FastAPI]:
    make_user(sessions, "cb_a", Role.institution_officer, "SUB01", signatory=True)
    make_user(sessions, "cb_a2", Role.institution_officer, "SUB01")
    make_user(sessions, "cb_b", Role.institution_officer, "SUB02")
    make_user(sessions, "bo", Role.ministry_admin)
    application = create_app(db.settings())
    yield application
    application.state.ctx.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    assert login(client, username).status_code == 303
    return client


def upload(client: TestClient, data: bytes, **form: str) -> Response:
    page = client.get("/submissions")
    assert page.status_code == 200
    fields = {"csrf_token": csrf_of(page.text), "entity": "learners", **form}
    return client.post(
        "/submissions/upload",
        data=fields,
        files={"file": ("hoc-vien.csv", data, "text/csv")},
        follow_redirects=False,
    )


def job_id_of(response: Response) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/submissions/jobs/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def test_upload_shows_progress_then_the_outcome(
    client: TestClient,
    engine: Engine,
    cipher: IdCipher,
    monkeypatch: pytest.MonkeyPatch,
    scene: World,
) -> None:
    monkeypatch.setattr(pages, "ensure_worker", lambda app: None)  # the test runs the job
    as_user(client, "cb_a")
    job = job_id_of(upload(client, csv_bytes(learner(1), learner(2), learner(3))))
    page = client.get(f"/submissions/jobs/{job}")
    assert 'hx-get="/submissions/jobs/' in page.text  # the page polls while the job runs
    assert "Đang chờ" in page.text
    runner = Runner(engine, cipher)
    assert runner.claim() == (scene.a, job)
    ProgressWriter(engine, scene.a, job)("validating", 0, 3)
    fragment = client.get(f"/submissions/jobs/{job}/progress", headers={"HX-Request": "true"})
    assert "Đang xử lý" in fragment.text
    assert '<progress max="3" value="0">' in fragment.text
    assert "HX-Refresh" not in fragment.headers
    runner.run(scene.a, job)
    done = client.get(f"/submissions/jobs/{job}/progress", headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    assert 'hx-trigger="every 1s"' not in done.text
    result = client.get(f"/submissions/jobs/{job}")
    assert "Đã ghi vào cơ sở dữ liệu" in result.text
    assert 'id="table-counts"' in result.text
    assert client.get(f"/submissions/jobs/{job}/report.json").json()["status"] == "applied"
    # the upload is gone with the job's end (ADR 0003), and with it the annotated copy
    assert "report.xlsx" not in result.text
    annotated = client.get(f"/submissions/jobs/{job}/report.xlsx")
    assert annotated.status_code == 404
    assert "hemis validate" in annotated.text


def test_the_worker_thread_runs_an_upload_to_completion(client: TestClient) -> None:
    as_user(client, "cb_a")
    job = job_id_of(upload(client, csv_bytes(learner(1))))
    deadline = time.monotonic() + 30
    while (
        "HX-Refresh"
        not in (
            fragment := client.get(f"/submissions/jobs/{job}/progress", headers={"HX-Request": "1"})
        ).headers
    ):
        assert time.monotonic() < deadline, fragment.text
        time.sleep(0.1)
    assert "Đã ghi vào cơ sở dữ liệu" in fragment.text


def test_error_report_filters_by_rule_and_column(
    client: TestClient, engine: Engine, cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "ensure_worker", lambda app: None)
    as_user(client, "cb_a")
    rows = [learner(1, program_code="NOPE"), learner(2, cohort_year="x"), learner(3, sex="")]
    job = job_id_of(upload(client, csv_bytes(*rows)))
    Runner(engine, cipher).run_pending()
    page = client.get(f"/submissions/jobs/{job}")
    assert "Có lỗi, chưa ghi gì" in page.text
    assert "Sửa và nộp lại" in page.text  # fix and resubmit: the upload form again
    rules = set(re.findall(r"<td class=\"code\">([A-Z]{3}\.[a-z_]+\.[a-z_]+)</td>", page.text))
    assert {"LRN.program_code.exists", "LRN.cohort_year.type", "LRN.sex.required"} <= rules
    one = client.get(
        f"/submissions/jobs/{job}",
        params={"rule": "LRN.program_code.exists"},
        headers={"HX-Request": "true", "HX-Target": "issues"},
    )
    assert one.text.startswith('<div id="issues">')
    assert "LRN.program_code.exists" in one.text
    assert "LRN.cohort_year.type</td>" not in one.text
    by_column = client.get(f"/submissions/jobs/{job}", params={"column": "sex"})
    assert "LRN.sex.required</td>" in by_column.text
    assert "LRN.program_code.exists</td>" not in by_column.text
    csv = client.get(f"/submissions/jobs/{job}/report.csv")
    assert "LRN.program_code.exists" in csv.text


def test_officers_see_only_their_own_jobs_and_submissions(
    client: TestClient, engine: Engine, cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "ensure_worker", lambda app: None)
    as_user(client, "cb_a")
    job = job_id_of(upload(client, csv_bytes(learner(1))))
    Runner(engine, cipher).run_pending()
    sid = re.search(r'href="/submissions/(\d+)"', client.get(f"/submissions/jobs/{job}").text)
    assert sid
    as_user(client, "cb_b")
    assert client.get(f"/submissions/jobs/{job}").status_code == 404
    assert client.get(f"/submissions/jobs/{job}/report.csv").status_code == 404
    assert client.get(f"/submissions/{sid.group(1)}").status_code == 404
    assert "hoc-vien.csv" not in client.get("/submissions").text


def test_lifecycle_forms_and_the_ministry_overview(
    client: TestClient, engine: Engine, cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "ensure_worker", lambda app: None)
    as_user(client, "cb_a")
    job = job_id_of(upload(client, csv_bytes(learner(1))))
    Runner(engine, cipher).run_pending()
    found = re.search(r'href="/submissions/(\d+)"', client.get(f"/submissions/jobs/{job}").text)
    assert found
    url = f"/submissions/{found.group(1)}"
    token = csrf_of(client.get(url).text)
    assert client.post(f"{url}/validate", data={"csrf_token": token}).status_code == 200
    sign = {"csrf_token": token, "head_name": "Nguyễn Hiệu", "head_title": "Hiệu trưởng"}
    # Another officer of A prepares, but only the signatory signs.
    as_user(client, "cb_a2")
    waiting = client.get(url).text
    assert 'id="sign-off-waiting"' in waiting
    assert "/sign-off" not in waiting
    sign["csrf_token"] = csrf_of(waiting)
    refused = client.post(f"{url}/sign-off", data=sign | {"confirm": "true"})
    assert refused.status_code == 403
    as_user(client, "cb_a")
    token = csrf_of(client.get(url).text)
    sign["csrf_token"] = token
    page = client.post(f"{url}/sign-off", data=sign | {"confirm": "true"})
    assert 'id="snapshot-hash"' in page.text
    assert "Đã nộp, chờ Bộ duyệt" in page.text
    as_user(client, "bo")
    overview = client.get("/submissions", params={"period_year": 2025})
    assert 'id="overview"' in overview.text
    assert "Trường Đại học Bên Cạnh" in overview.text  # has not submitted
    token = csrf_of(client.get(url).text)
    asked = client.post(f"{url}/return", data={"csrf_token": token, "comment": "Thiếu số liệu"})
    assert "Trả lại bản nộp?" in asked.text  # asked first; nothing changed yet
    assert 'name="comment" value="Thiếu số liệu"' in asked.text
    assert "Đã nộp, chờ Bộ duyệt" in client.get(url).text
    returned = client.post(
        f"{url}/return",
        data={"csrf_token": token, "comment": "Thiếu số liệu", "confirmed": "yes"},
    )
    assert 'id="review-comment"' in returned.text
    assert "Thiếu số liệu" in returned.text
    assert "Trường Đại học" in returned.text  # the page names the institution
    assert 'id="sub-period"' in returned.text

    # The officer's home says so, with the ministry's reason and what comes next.
    as_user(client, "cb_a")
    home = client.get("/").text
    assert "Bộ đã trả lại bản nộp" in home
    assert "Thiếu số liệu" in home
    assert "phiên bản 1" in home
    # Corrected, validated and signed off again: version 2, with its own part of the thread.
    token = csrf_of(client.get(url).text)
    assert client.post(f"{url}/validate", data={"csrf_token": token}).status_code == 200
    sign["csrf_token"] = token
    again = client.post(f"{url}/sign-off", data=sign | {"confirm": "true"}).text
    assert "Bản nộp v2" in again
    assert 'id="review-comment"' not in again  # the old comment stays with version 1
    assert 'id="returned-banner"' not in again
    v1 = re.search(r'id="thread-v1">(.*?)</div>', again, re.S)
    v2 = re.search(r'id="thread-v2">(.*?)</div>', again, re.S)
    assert v1
    assert v2
    assert "Bộ trả lại" in v1.group(1)
    assert "Thiếu số liệu" in v1.group(1)
    assert "Cơ sở ký xác nhận và nộp" in v2.group(1)
    assert "Thiếu số liệu" not in v2.group(1)
    assert "Bộ đã trả lại bản nộp" not in client.get("/").text
