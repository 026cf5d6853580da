"""Hostile uploads against a real `hemis serve` process: while its worker reads a sheet that asks
for 512 GiB, copies of it, a zip bomb and a one-line CSV of 1.5 million fields, the server keeps
answering /login and the payment IPN; each of those jobs fails with `import.unreadable`, the
next clean file is applied, nothing else lands. And a server killed in the middle of an import:
started again, it marks the job failed (`import.interrupted`) within a minute and does not run
it again.

Before the reader process, the first of those files aborted the whole server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.db.session import HemisSession
from tests.conftest import TestDB
from tests.imports import hostile
from tests.payments.harness import IPN_PATH, free_port, wait_http
from tests.submissions.test_kill import big_file
from tests.submissions.world import World, learner
from tests.web.page_factories import PASSWORD, make_user

TABLES = ("person", "learner", "learner_status_event", "submission")


@dataclass
class Server:
    db: TestDB
    tmp: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = os.environ | {
            "HEMIS_ENV": "test",
            "HEMIS_DATABASE_URL": self.db.url,
            "HEMIS_MIGRATION_DATABASE_URL": self.db.owner_url,
            "HEMIS_VAR_DIR": str(self.tmp / "var"),
            "HEMIS_COOKIE_SECURE": "false",
            "HEMIS_LOG_LEVEL": "WARNING",
        }
        log = self.tmp / "server.log"
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hemis", "serve", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=out,
            )
        wait_http(f"{self.url}/login", self.proc, log, timeout=180)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self.proc = None

    def token(self) -> dict[str, str]:
        response = httpx.post(
            f"{self.url}/api/v1/auth/token",
            data={"username": "cb_a", "password": PASSWORD},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def upload(self, auth: dict[str, str], path: Path) -> int:
        with path.open("rb") as fh:
            response = httpx.post(
                f"{self.url}/api/v1/submissions/learners/upload",
                files={"file": (path.name, fh, "application/octet-stream")},
                headers=auth,
                timeout=120,
            )
        assert response.status_code == 202, response.text
        return int(response.json()["id"])

    def job(self, auth: dict[str, str], job_id: int) -> dict[str, Any]:
        response = httpx.get(
            f"{self.url}/api/v1/submissions/jobs/{job_id}", headers=auth, timeout=30
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait_finished(
        self, auth: dict[str, str], ids: list[int], timeout: float = 300
    ) -> dict[int, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = {i: self.job(auth, i) for i in ids}
            if all(j["status"] not in ("queued", "running") for j in found.values()):
                return found
            assert time.monotonic() < deadline, found
            assert self.proc is not None
            assert self.proc.poll() is None, (self.tmp / "server.log").read_text()[-3000:]
            time.sleep(0.3)


class Watch:
    """Calls /login and the payment IPN endpoint over and over on a thread; records every
    answer that is not a proper one (a refused connection, a timeout, a 5xx)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.calls = 0
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=15) as client:
            while not self.stopping.is_set():
                for path in ("/login", f"{IPN_PATH}?vnp_TxnRef=x&vnp_SecureHash=y"):
                    try:
                        response = client.get(self.url + path)
                        ok = response.status_code == 200 and (
                            path == "/login" or "RspCode" in response.json()
                        )
                        if not ok:
                            self.failures.append(f"{path}: {response.status_code}")
                    except (httpx.HTTPError, ValueError) as exc:
                        self.failures.append(f"{path}: {type(exc).__name__}")
                    self.calls += 1
                self.stopping.wait(0.1)

    @contextmanager
    def running(self) -> Iterator[Watch]:
        self.thread.start()
        try:
            yield self
        finally:
            self.stopping.set()
            self.thread.join(30)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES
        }


@pytest.fixture
def server(
    db: TestDB, scene: World, sessions: sessionmaker[HemisSession], tmp_path: Path
) -> Iterator[Server]:
    make_user(sessions, "cb_a", Role.institution_officer, "SUB01")
    served = Server(db, tmp_path)
    try:
        yield served
    finally:
        served.stop()


def test_hostile_uploads_fail_their_jobs_while_the_server_keeps_answering(
    server: Server, engine: Engine, tmp_path: Path
) -> None:
    server.start()
    auth = server.token()
    before = counts(engine)
    hostile_files = {
        "dimension-lie": hostile.dimension_lie(tmp_path / "a.xlsx"),
        "far-cell": hostile.far_cell(tmp_path / "b.xlsx"),
        "far-cell-copy": hostile.far_cell(tmp_path / "c.xlsx"),
        "zip-bomb": hostile.zip_bomb(tmp_path / "d.xlsx", 64),
        "one-line": hostile.one_line_csv(tmp_path / "e.csv"),
    }
    clean = hostile.csv_file(tmp_path / "ok.csv", learner(1))
    with Watch(server.url).running() as watch:
        ids = {name: server.upload(auth, path) for name, path in hostile_files.items()}
        ids["clean"] = server.upload(auth, clean)
        jobs = server.wait_finished(auth, list(ids.values()))
        assert watch.calls > 0
    assert watch.failures == []
    assert server.proc is not None
    assert server.proc.poll() is None  # alive
    for name in hostile_files:
        job = jobs[ids[name]]
        assert (job["status"], job["error"]["code"]) == ("failed", "import.unreadable"), job
    assert jobs[ids["dimension-lie"]]["error"]["details"]["limit"] == "columns"
    assert jobs[ids["far-cell"]]["error"]["details"] == {"reason": "memory"}
    assert jobs[ids["far-cell-copy"]]["error"]["details"] == {"reason": "memory"}
    assert jobs[ids["zip-bomb"]]["error"]["details"]["limit"] == "zip_ratio"
    assert jobs[ids["one-line"]]["error"]["details"]["limit"] == "header_line"
    assert jobs[ids["clean"]]["status"] == "applied", jobs[ids["clean"]]
    after = counts(engine)
    assert after["learner"] == before["learner"] + 1
    assert after["person"] == before["person"] + 1


def test_a_job_cut_off_by_a_crash_is_failed_within_a_minute_and_not_run_again(
    server: Server, engine: Engine, tmp_path: Path
) -> None:
    path = big_file(tmp_path / "big.csv", 100_000)
    server.start()
    auth = server.token()
    before = counts(engine)
    job_id = server.upload(auth, path)
    deadline = time.monotonic() + 120
    while server.job(auth, job_id)["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    server.stop(signal.SIGKILL)  # a crash: no shutdown, the import's transaction cut off
    crashed = time.monotonic()
    server.start()
    auth = server.token()
    while (job := server.job(auth, job_id))["status"] == "running":
        assert time.monotonic() - crashed < 60, job
        time.sleep(0.2)
    assert (job["status"], job["error"]["code"]) == ("failed", "import.interrupted"), job
    assert job["error"]["details"]["attempts"] == 1
    assert counts(engine) == before
    time.sleep(2)  # a worker that resumed it would have started by now
    assert server.job(auth, job_id)["status"] == "failed"
    assert counts(engine) == before


def test_the_rest_of_the_corpus_fails_clearly_while_the_server_keeps_answering(
    server: Server, engine: Engine, tmp_path: Path
) -> None:
    """XXE and entity expansion in a workbook, a very wide CSV, non-UTF-8 CSV and Parquet, a
    formula cell, and JSON nested 100 000 deep (parsed by the server's own process, not a
    reader's): each refused with its code, nothing written, the server answering throughout."""
    server.start()
    auth = server.token()
    before = counts(engine)
    unreadable = {
        "xxe-sheet": hostile.xxe_workbook(tmp_path / "a.xlsx"),
        "xxe-workbook": hostile.xxe_workbook(tmp_path / "b.xlsx", "xl/workbook.xml"),
        "wide-csv": hostile.wide_csv(tmp_path / "c.csv"),
        "non-utf8-csv": hostile.non_utf8_csv(tmp_path / "d.csv"),
        "non-utf8-parquet": hostile.non_utf8_parquet(tmp_path / "e.parquet"),
    }
    formula = hostile.formula_workbook(tmp_path / "f.xlsx")
    deep = b'{"records": [{"full_name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}"
    json_auth = auth | {"content-type": "application/json"}
    with Watch(server.url).running() as watch:
        ids = {name: server.upload(auth, path) for name, path in unreadable.items()}
        ids["formula"] = server.upload(auth, formula)
        deep_answers = [
            httpx.post(f"{server.url}/api/v1/{path}", content=deep, headers=json_auth, timeout=60)
            for path in ("submissions/learners/batch", "persons", "learners")
        ]
        jobs = server.wait_finished(auth, list(ids.values()))
        assert watch.calls > 0
    assert watch.failures == []
    assert server.proc is not None
    assert server.proc.poll() is None  # alive
    for name in unreadable:
        job = jobs[ids[name]]
        assert (job["status"], job["error"]["code"]) == ("failed", "import.unreadable"), job
    assert jobs[ids["formula"]]["status"] == "rejected", jobs[ids["formula"]]
    assert jobs[ids["formula"]]["result"]["rows_written"] == 0
    for answer in deep_answers:
        assert (answer.status_code, answer.json()["code"]) == (400, "bad_request"), answer.text
    assert counts(engine) == before
