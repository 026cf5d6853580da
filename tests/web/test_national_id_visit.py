"""An institution officer's visit to a real `hemis serve` process — uploads that apply, that are
rejected and that cannot be read, their reports in every format through the API and the pages,
JSON batches, and a request that fails with a 500 — after which the database (its file and WAL on
SQLite, a pg_dump on PostgreSQL, and every column read back), the server's log and every response
are searched for the plaintext national IDs the visit used (ADR 0003).

The 500 is a real fault, made in the database and not in the code: the application role loses
the right to write the audit log (REVOKE INSERT on PostgreSQL; on SQLite, whose files have no
grants, the table is renamed away), so creating a learner fails where the audit entry is written,
with the person's data among the failing statement's parameters.

The uploaded files themselves are kept in `submission_job.payload` until their import has run;
the check of the raw database for the IDs inside uploaded files is expected to fail until those
payloads are encrypted at rest (a change of its own). Every other ID of the visit — sent as JSON,
in a file's name, in the failing request — must not be there already.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import sqlite3
import subprocess
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import psycopg
import pytest
import xlsxwriter
from sqlalchemy import inspect, text

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.common.text import fold
from hemis.config import Environment, Settings
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.rules import make_national_id
from tests import factories
from tests.browser.support import served
from tests.conftest import _pg_conninfo, _pg_url
from tests.imports.samples import BASE
from tests.submissions.world import period
from tests.web.page_factories import PASSWORD, csrf_of, make_user

API = "/api/v1"
OFFICER = "can.bo.nop"
PERSON_500 = "Hoàng Thị Sự Cố"  # the name in the request that fails with a 500
# IDs inside uploaded files (the job keeps the file) and IDs that never are in a file.
FILE_IDS = [make_national_id("001", "male", 2004, 710_000 + n) for n in range(8)]
OTHER_IDS = [make_national_id("079", "female", 2003, 720_000 + n) for n in range(5)]
ALL_IDS = FILE_IDS + OTHER_IDS


@dataclass
class Visit:
    backend: str
    log: str
    responses: list[tuple[str, bytes]] = field(default_factory=list)
    columns: list[tuple[str, str, bytes]] = field(default_factory=list)  # table, column, text
    stored: bytes = b""  # the database as stored: file + WAL, or pg_dump's output
    stored_how: str = ""
    statuses: dict[str, int] = field(default_factory=dict)


def _csv(rows: list[dict[str, str]]) -> bytes:
    header = list(BASE["learners"])
    lines = [",".join(header)] + [",".join((BASE["learners"] | r)[c] for c in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("learners")
    header = list(BASE["learners"])
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for j, name in enumerate(header):
            sheet.write_string(i, j, (BASE["learners"] | row)[name])
    book.close()
    return buffer.getvalue()


def _learner(n: int, national_id: str, **more: str) -> dict[str, str]:
    sex = "male" if national_id[3] in "02468" else "female"
    return {"student_code": f"SV-LEAK-{n}", "national_id": national_id, "sex": sex} | more


def _seed(owner_url: str) -> int:
    """An institution with a program and an open 2025 period, and its officer; the program id."""
    settings = Settings(env=Environment.test, database_url=owner_url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(owner_url)
    sessions = make_session_factory(engine)
    with scoped_session(sessions, Scope.system("test")) as s:
        inst = factories.institution(s, "LEAK1", name_vi="Trường Đại học Rò Rỉ")
        program = factories.program(s, inst, "P1", opened_on=dt.date(2000, 1, 1))
        s.add(period(2025, closes_on=dt.date(2099, 3, 31)))
        factories.person(s, cipher, make_national_id("001", "male", 1999, 1), "Người Có Sẵn")
        s.commit()
        program_id = program.id
    make_user(sessions, OFFICER, Role.institution_officer, "LEAK1", signatory=True)
    engine.dispose()
    return program_id


class Browser:
    """The officer's two clients: a bearer token for the API and a session for the pages."""

    def __init__(self, base: str, visit: Visit) -> None:
        self.visit = visit
        self.client = httpx.Client(base_url=base, timeout=120)
        token = self.client.post(
            f"{API}/auth/token", data={"username": OFFICER, "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        self.auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        login_page = self.client.get("/login")
        logged_in = self.client.post(
            "/login",
            data={
                "username": OFFICER,
                "password": PASSWORD,
                "csrf_token": csrf_of(login_page.text),
                "next": "/",
            },
        )
        assert logged_in.status_code in (200, 303), logged_in.text

    def keep(self, label: str, response: httpx.Response) -> httpx.Response:
        self.visit.responses.append((label, response.content))
        self.visit.statuses[label] = response.status_code
        return response

    def send(self, label: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TransportError as exc:  # recorded: the checks say what it cost
            response = httpx.Response(599, content=repr(exc).encode())
        return self.keep(label, response)

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = f"{API}/{path}"
        return self.send(f"{method} {path}", method, url, headers=self.auth, **kwargs)

    def page(self, path: str) -> httpx.Response:
        return self.send(f"page {path}", "GET", path)

    def upload(self, name: str, content: bytes) -> int:
        response = self.api(
            "POST",
            "submissions/learners/upload",
            files={"file": (name, content, "application/octet-stream")},
            data={"period_year": "2025"},
        )
        assert response.status_code == 202, response.text
        job_id = int(response.json()["id"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = self.api("GET", f"submissions/jobs/{job_id}").json()
            if job["status"] not in ("queued", "running"):
                return job_id
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish")

    def reports(self, job_id: int) -> None:
        for fmt in ("json", "csv", "xlsx"):
            self.api("GET", f"submissions/jobs/{job_id}/report", params={"format": fmt})
            self.page(f"/submissions/jobs/{job_id}/report.{fmt}")
        self.page(f"/submissions/jobs/{job_id}")


def _walk(base: str, visit: Visit, program_id: int, fault: Any) -> None:
    officer = Browser(base, visit)
    applied = officer.upload("sinh-vien.csv", _csv([_learner(n, FILE_IDS[n]) for n in range(3)]))
    rejected = officer.upload(
        "sinh-vien-loi.csv",
        _csv(
            [
                # the ID does not match the sex; an ID typed in the wrong column; a duplicate
                _learner(3, FILE_IDS[3], sex="female" if FILE_IDS[3][3] == "2" else "male"),
                _learner(4, FILE_IDS[4], ethnicity=FILE_IDS[5]),
                _learner(5, FILE_IDS[4]),
            ]
        ),
    )
    # A broken quote: the parser's message quotes the field; the file is named with an ID.
    broken = officer.upload(
        f"{OTHER_IDS[0]}.csv", _csv([_learner(6, FILE_IDS[6])]) + f'"{FILE_IDS[6]},x\n'.encode()
    )
    annotated = officer.upload("sinh-vien.xlsx", _xlsx([_learner(7, FILE_IDS[7], gpa="9")]))
    for job_id in (applied, rejected, broken, annotated):
        officer.reports(job_id)
    officer.page("/submissions")

    record = {
        "national_id": OTHER_IDS[1],
        "full_name": "Phan Văn Lô",
        "date_of_birth": "2003-04-04",
        "sex": "female",
        "program_code": "P1",
        "student_code": "API-1",
        "cohort_year": 2023,
        "admitted_on": "2023-09-05",
        "study_mode": "full_time",
        "funding_source": "self_funded",
        "status": "enrolled",
        "status_date": "2023-09-05",
    }
    batch = {"records": [record], "period_year": 2025}
    assert officer.api("POST", "submissions/learners/batch", json=batch).json()["status"] == (
        "applied"
    )
    conflicting = [
        record | {"national_id": OTHER_IDS[2], "student_code": "API-2"},
        record | {"national_id": OTHER_IDS[2], "student_code": "API-3", "sex": "male"},
    ]
    officer.api("POST", "submissions/learners/batch", json=batch | {"records": conflicting})
    officer.api("GET", "learners", params={"limit": 500})

    with fault():
        failed = officer.api(
            "POST",
            "learners",
            json={
                "national_id": OTHER_IDS[3],
                "full_name": PERSON_500,
                "date_of_birth": "2003-05-05",
                "sex": "female",
                "program_id": program_id,
                "student_code": OTHER_IDS[4],  # some institutions number learners so
                "cohort_year": 2023,
                "study_mode": "full_time",
                "funding_source": "other",
                "admitted_on": "2023-09-05",
            },
        )
    assert failed.status_code == 500, failed.text
    officer.client.close()


def _text_of(value: Any) -> bytes:
    """What a stored value says, its packed forms opened (Parquet issue tables, zip files)."""
    if value is None:
        return b""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        if value.startswith(b"PAR1"):
            return pl.read_parquet(io.BytesIO(value)).write_csv().encode()
        if value.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(io.BytesIO(value)) as packed:
                return b"\n".join(packed.read(n) for n in packed.namelist())
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value, default=str, ensure_ascii=False).encode()


def _columns(owner_url: str) -> list[tuple[str, str, bytes]]:
    """Every column of every table, read back by the owner (who passes row-level security)."""
    engine = make_engine(owner_url)
    out = []
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings().all()
                for row in rows:
                    out.extend((table, column, _text_of(v)) for column, v in row.items())
    finally:
        engine.dispose()
    return out


@contextmanager
def _sqlite_fault(path: Path) -> Iterator[None]:
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE audit_entry RENAME TO audit_entry_away")
    yield
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE audit_entry_away RENAME TO audit_entry")


@contextmanager
def _pg_fault(name: str) -> Iterator[None]:
    with psycopg.connect(_pg_conninfo(name), autocommit=True) as conn:
        conn.execute("REVOKE INSERT ON audit_entry FROM hemis_app")
    yield
    with psycopg.connect(_pg_conninfo(name), autocommit=True) as conn:
        conn.execute("GRANT INSERT ON audit_entry TO hemis_app")


def _sqlite_visit(template: Path, workdir: Path) -> Visit:
    path = workdir / "hemis.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    program_id = _seed(url)
    visit = Visit("sqlite", "")
    with served(url, workdir) as base:
        _walk(base, visit, program_id, lambda: _sqlite_fault(path))
    visit.log = (workdir / "server.log").read_text(encoding="utf-8")
    files = sorted(workdir.glob("hemis.db*"))  # the database, its WAL and shared memory
    visit.stored = b"".join(f.read_bytes() for f in files)
    visit.stored_how = "the SQLite files: " + ", ".join(f.name for f in files)
    visit.columns = _columns(url)
    return visit


def _pg_visit(template: str, workdir: Path) -> Iterator[Visit]:
    name = f"hemis_visit_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        program_id = _seed(_pg_url(name))
        visit = Visit("postgres", "")
        with served(_pg_url(name, "hemis_app"), workdir) as base:
            _walk(base, visit, program_id, lambda: _pg_fault(name))
        visit.log = (workdir / "server.log").read_text(encoding="utf-8")
        visit.columns = _columns(_pg_url(name))
        pg_dump = shutil.which("pg_dump")
        if pg_dump is not None:
            dumped = subprocess.run(
                [pg_dump, "--no-owner", "--dbname", _pg_conninfo(name)],
                capture_output=True,
                check=True,
                timeout=300,
            )
            visit.stored, visit.stored_how = dumped.stdout, "pg_dump of the database"
        yield visit
    finally:
        with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def visit(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Visit]:
    workdir = tmp_path_factory.mktemp(f"visit-{request.param}")
    if request.param == "sqlite":
        yield _sqlite_visit(sqlite_template, workdir)
    else:
        yield from _pg_visit(request.getfixturevalue("pg_template"), workdir)


def _found(haystack: bytes, ids: list[str]) -> list[str]:
    """The IDs present as text, or hex-encoded (how a dump writes bytea)."""
    return [i for i in ids if i.encode() in haystack or i.encode().hex().encode() in haystack]


def _opened(content: bytes) -> bytes:
    if content.startswith(b"PK\x03\x04"):  # an .xlsx: its XML is compressed
        return _text_of(content)
    return content


def test_the_visit_went_as_an_officer_s_does(visit: Visit) -> None:
    """The visit reached every path it means to search: reports of each kind, a failed job, a
    rejected batch, the 500 — and nothing else failed on the server's side."""
    statuses = visit.statuses
    failed = {label: s for label, s in statuses.items() if s >= 500 and label != "POST learners"}
    assert failed == {}
    assert sum(1 for label in statuses if label.endswith("report.xlsx")) == 4
    assert [s for label, s in statuses.items() if label == "POST learners"] == [500]
    masked = re.compile(rb"\*{9}[0-9]{3}")
    shown = b"".join(_opened(c) for _, c in visit.responses)
    assert len(masked.findall(shown)) > 20  # IDs were there to leak, and are masked


def test_no_response_or_download_holds_an_id(visit: Visit) -> None:
    leaks = {label: _found(_opened(c), ALL_IDS) for label, c in visit.responses}
    assert {label: ids for label, ids in leaks.items() if ids} == {}


def test_the_log_holds_no_id_and_each_500_once(visit: Visit) -> None:
    assert _found(visit.log.encode(), ALL_IDS) == []
    # The failing statement's parameters (the person's name, as typed, JSON-escaped in the audit
    # entry, or folded for search) are not logged.
    for form in (PERSON_500, json.dumps(PERSON_500)[1:-1], fold(PERSON_500)):
        assert form not in visit.log
    lines = [line for line in visit.log.splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]  # one path: every line a JSON event
    errors = [e for e in events if e["level"] in ("error", "critical")]
    assert [(e["event"], e.get("path")) for e in errors] == [("unhandled_error", f"{API}/learners")]
    assert "audit_entry" in errors[0]["exception"]  # the fault itself is there for operators


def test_no_database_column_holds_an_id(visit: Visit) -> None:
    """Every value of every table, Parquet issue tables and zip files opened — but the uploaded
    files themselves (submission_job.payload, the last test)."""
    leaks = [
        (table, column, _found(value, ALL_IDS))
        for table, column, value in visit.columns
        if (table, column) != ("submission_job", "payload") and _found(value, ALL_IDS)
    ]
    assert leaks == []
    assert any(t == "person" for t, _, _ in visit.columns)


def test_the_stored_database_holds_no_id_that_was_not_in_an_uploaded_file(visit: Visit) -> None:
    if not visit.stored:
        pytest.skip("pg_dump is not installed: the columns were read back instead")
    assert _found(visit.stored, OTHER_IDS) == [], visit.stored_how


def test_the_stored_database_holds_no_id_of_an_uploaded_file(visit: Visit) -> None:
    if not visit.stored:
        pytest.skip("pg_dump is not installed")
    assert _found(visit.stored, FILE_IDS) == [], visit.stored_how
