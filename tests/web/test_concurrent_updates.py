"""Concurrent updates through a real server: no lost update, no false audit history.

`hemis serve --workers 2` runs as a separate process (two worker processes, each with its
thread pool) and many client threads call it over real HTTP at once, each on its own
connection. Every update must name the version it read (If-Match): of many writers who read
the same version exactly one wins, the others get 412; writers that read, write and retry on
412 lose nothing; and the audit log's "before" of each update is exactly the "after" of the
update before it — the committed value, never one some other writer had replaced meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.accounts.schemas import UserCreate
from hemis.accounts.service import create_user
from hemis.audit.chain import verify
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, make_engine, scoped_session
from hemis.db.tenancy import Scope
from tests import factories
from tests.conftest import TestDB
from tests.payments.harness import free_port, wait_http

WRITERS = 20
PASSWORD = "mat-khau-dong-thoi"
START_YEAR = 2000


@dataclass
class Served:
    url: str
    token: str
    learner_id: int

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=120,
        )


@pytest.fixture
def served(
    db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher, tmp_path: Path
) -> Iterator[Served]:
    with scoped_session(sessions, Scope.system("test")) as s:
        inst = factories.institution(s, "DT01")
        learner = factories.learner(
            s, factories.program(s, inst), factories.person(s, cipher), cohort_year=START_YEAR
        )
        s.commit()
        create_user(
            s,
            UserCreate(
                username="officer",
                password=PASSWORD,
                role=Role.institution_officer,
                institution_code="DT01",
            ),
        )
        learner_id = learner.id
    port = free_port()
    log = tmp_path / "serve.log"
    environment = {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": db.url,
        "HEMIS_MIGRATION_DATABASE_URL": db.owner_url,
        "HEMIS_VAR_DIR": str(tmp_path / "var"),
        "HEMIS_COOKIE_SECURE": "false",
        "HEMIS_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hemis", "serve", "--port", str(port), "--workers", "2"],
            env=os.environ | environment,
            stdout=out,
            stderr=out,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/openapi.json", proc, log)
        token = httpx.post(
            f"{url}/api/v1/auth/token",
            data={"username": "officer", "password": PASSWORD},
            timeout=60,
        ).json()["access_token"]
        yield Served(url, token, learner_id)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)


def _all_at_once(work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` for every writer on its own thread, released together."""
    start = threading.Barrier(WRITERS)

    def run(i: int) -> Any:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(run, range(WRITERS)))


def _learner_updates(db: TestDB, learner_id: int) -> list[AuditEntry]:
    engine = make_engine(db.owner_url)
    try:
        with scoped_session(sessionmaker(bind=engine, class_=HemisSession), Scope.system()) as s:
            rows = s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity == "learner",
                    AuditEntry.entity_id.endswith(f":{learner_id}"),
                    AuditEntry.action == "update",
                )
                .order_by(AuditEntry.seq)
            )
            return list(rows)
    finally:
        engine.dispose()


def _chain_ok(db: TestDB) -> bool:
    engine = make_engine(db.owner_url)
    try:
        with engine.connect() as conn:
            return verify(conn).ok
    finally:
        engine.dispose()


def test_writers_of_one_version_one_wins_the_rest_get_412(db: TestDB, served: Served) -> None:
    path = f"/api/v1/learners/{served.learner_id}"
    with served.client() as client:
        read = client.get(path)
        assert read.status_code == 200
        etag = read.headers["etag"]

    def write(i: int) -> tuple[int, int]:
        with served.client() as client:
            response = client.patch(
                path, json={"cohort_year": START_YEAR + 1 + i}, headers={"If-Match": etag}
            )
            return response.status_code, START_YEAR + 1 + i

    outcomes = _all_at_once(write)
    won = [year for status, year in outcomes if status == 200]
    assert sorted(status for status, _ in outcomes) == [200] + [412] * (WRITERS - 1)
    with served.client() as client:
        now = client.get(path)
    # The one 200 is the change that stands, and the only one recorded.
    assert now.json()["cohort_year"] == won[0]
    assert now.headers["etag"] == '"2"'
    updates = _learner_updates(db, served.learner_id)
    assert [(u.before, u.after) for u in updates] == [
        (
            {"cohort_year": START_YEAR, "row_version": 1},
            {"cohort_year": won[0], "row_version": 2},
        )
    ]
    assert _chain_ok(db)


def test_read_then_write_increments_lose_nothing(db: TestDB, served: Served) -> None:
    path = f"/api/v1/learners/{served.learner_id}"

    def increment(_: int) -> tuple[int, int]:
        """Read, add one, write with If-Match; on 412 read again. (written value, 412s)"""
        refused = 0
        with served.client() as client:
            while True:
                read = client.get(path)
                assert read.status_code == 200
                year = read.json()["cohort_year"] + 1
                write = client.patch(
                    path, json={"cohort_year": year}, headers={"If-Match": read.headers["etag"]}
                )
                if write.status_code == 200:
                    assert write.json()["cohort_year"] == year
                    return year, refused
                assert write.status_code == 412, write.text
                assert write.json()["code"] == "precondition.failed"
                refused += 1

    outcomes = _all_at_once(increment)
    written = sorted(year for year, _ in outcomes)
    # Every 200 was a real change: twenty different values, one after another.
    assert written == list(range(START_YEAR + 1, START_YEAR + WRITERS + 1))
    assert sum(refused for _, refused in outcomes) > 0, "the writers never actually raced"
    with served.client() as client:
        final = client.get(path)
    assert final.json()["cohort_year"] == START_YEAR + WRITERS
    assert final.headers["etag"] == f'"{WRITERS + 1}"'
    # The audit log's befores form one sequence: each is the previous update's after.
    updates = _learner_updates(db, served.learner_id)
    assert len(updates) == WRITERS
    expected_before = {"cohort_year": START_YEAR, "row_version": 1}
    for update in updates:
        assert update.before == expected_before
        assert update.after == {
            "cohort_year": expected_before["cohort_year"] + 1,
            "row_version": expected_before["row_version"] + 1,
        }
        expected_before = update.after
    assert _chain_ok(db)


def test_an_update_without_if_match_is_refused_and_changes_nothing(
    db: TestDB, served: Served
) -> None:
    path = f"/api/v1/learners/{served.learner_id}"
    with served.client() as client:
        for headers in ({}, {"If-Match": "*"}):
            refused = client.patch(path, json={"cohort_year": 2011}, headers=headers)
            assert refused.status_code == 428
            assert refused.json()["code"] == "precondition.required"
        stale = client.patch(path, json={"cohort_year": 2011}, headers={"If-Match": '"7"'})
        assert stale.status_code == 412
        weak = client.patch(path, json={"cohort_year": 2011}, headers={"If-Match": 'W/"1"'})
        assert weak.status_code == 412
        missing = client.patch("/api/v1/learners/987654321", json={}, headers={})
        assert missing.status_code == 404  # a row the caller cannot see: 404 before 428
        after = client.get(path)
    assert after.json()["cohort_year"] == START_YEAR
    assert after.headers["etag"] == '"1"'
    assert _learner_updates(db, served.learner_id) == []
