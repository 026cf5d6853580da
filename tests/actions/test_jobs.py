"""Action jobs: a queued action runs in the runner with its progress recorded (readable from
another connection while it runs), a failure is recorded with its message in Vietnamese and
English and releases the action, the same action is never started twice at once, and a job
left running by a dead process is closed as interrupted. On SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.actions import service
from hemis.actions.kinds import KINDS, ActionContext, ActionKind, Params, register
from hemis.actions.models import ActionJob
from hemis.actions.runner import HOST, Runner
from hemis.actions.service import ActionRunning
from hemis.admissions import rounds
from hemis.admissions.models import AdmissionRound
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import Forbidden
from hemis.web.app import create_app
from tests.actions.world import round_world
from tests.conftest import TestDB

ADMIN = Principal(7, "bo.admin", "Bộ", Role.ministry_admin, None)
ANALYST = Principal(8, "bo.analyst", "Bộ", Role.ministry_analyst, None)


@pytest.fixture
def runner(engine: Engine, settings: Settings, cipher: IdCipher) -> Runner:
    return Runner(engine, settings, cipher)


def start(sessions: sessionmaker[HemisSession], kind: str, params: Params) -> ActionJob:
    with scoped_session(sessions, ADMIN.scope()) as s:
        return service.start_action(s, kind, params)


def job_row(sessions: sessionmaker[HemisSession], job_id: int) -> ActionJob:
    with scoped_session(sessions, Scope.system("test")) as s:
        row = s.get(ActionJob, job_id)
        assert row is not None
        return row


def run_next(runner: Runner) -> int:
    job_id = runner.claim()
    assert job_id is not None
    runner.run(job_id)
    return job_id


# --- a handler that waits: the progress of a running job, seen from outside ----------------------

GATE = threading.Event()
REACHED = threading.Event()


def _stepped(ctx: ActionContext, params: Params) -> dict[str, int]:
    ctx.progress("matching", 2, 5)
    REACHED.set()
    assert GATE.wait(30), "the test never released the job"
    return {"admitted": 3}


@pytest.fixture
def stepped_kind() -> Iterator[str]:
    """A kind whose handler reports progress then waits for the test (a stand-in for a long
    action: the real ones finish too fast here to be seen half-way)."""
    register(
        ActionKind(
            "test.stepped",
            "Thử",
            "Test",
            _stepped,
            lambda _p: "test.stepped",
            lambda _p: "/actions",
        )
    )
    GATE.clear()
    REACHED.clear()
    yield "test.stepped"
    GATE.set()
    KINDS.pop("test.stepped", None)


def test_a_running_job_shows_its_phase_and_counts_then_its_result(
    sessions: sessionmaker[HemisSession], runner: Runner, stepped_kind: str
) -> None:
    job = start(sessions, stepped_kind, {})
    assert job_row(sessions, job.id).status == "queued"
    job_id = runner.claim()
    assert job_id == job.id
    worker = threading.Thread(target=runner.run, args=(job_id,))
    worker.start()
    try:
        assert REACHED.wait(30)
        running = job_row(sessions, job.id)
        assert (running.status, running.phase, running.processed, running.total) == (
            "running",
            "matching",
            2,
            5,
        )
        assert running.heartbeat_at is not None
        assert running.worker is not None
        assert running.worker.startswith(HOST)
    finally:
        GATE.set()
        worker.join(30)
    done = job_row(sessions, job.id)
    assert done.status == "succeeded"
    assert (done.processed, done.total) == (5, 5)
    assert done.result == {"admitted": 3}
    assert done.active_key is None
    assert done.finished_at is not None


def test_a_round_reports_its_phases_between_its_writes(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    w = round_world(sessions, cipher)
    phases: list[tuple[str, int, int]] = []

    def seen(phase: str, done: int, total: int) -> None:
        phases.append((phase, done, total))

    with scoped_session(sessions, ADMIN.scope()) as s:
        rounds.take_snapshot(s, w.round_id, progress=seen)
        rounds.run_round(s, w.round_id, progress=seen)
    assert phases == [
        ("scoring", 0, 3),
        ("packing", 1, 3),
        ("writing", 2, 3),
        ("loading", 0, 3),
        ("matching", 1, 3),
        ("writing", 2, 3),
    ]


def test_a_round_run_as_jobs_writes_the_results_under_the_users_name(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, runner: Runner
) -> None:
    w = round_world(sessions, cipher)
    snap = start(sessions, "round.snapshot", {"round_id": w.round_id, "number": 1})
    run_next(runner)
    done = job_row(sessions, snap.id)
    assert done.status == "succeeded", done.error
    assert done.result is not None
    assert done.result["wishes"] == 6
    run = start(sessions, "round.run", {"round_id": w.round_id, "number": 1})
    run_next(runner)
    row = job_row(sessions, run.id)
    assert row.status == "succeeded", row.error
    assert row.result is not None
    assert row.result["admitted"] == 3
    assert (row.processed, row.total) == (3, 3)
    with scoped_session(sessions, Scope.system("test")) as s:
        round_ = s.get(AdmissionRound, w.round_id)
        assert round_ is not None
        assert round_.status == "run"
        actors = set(
            s.scalars(
                select(AuditEntry.actor).where(
                    AuditEntry.entity == "admission_round", AuditEntry.action == "update"
                )
            )
        )
        assert actors == {ADMIN.scope().actor}
        started = s.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.entity == "action_job", AuditEntry.action == "create"
            )
        ).all()
        assert len(started) == 2
        assert set(started) == {ADMIN.scope().actor}


def test_a_failed_job_records_its_error_and_releases_the_action(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, runner: Runner
) -> None:
    w = round_world(sessions, cipher)
    # a draft round cannot be run: the job fails with the use case's own message
    job = start(sessions, "round.run", {"round_id": w.round_id, "number": 1})
    run_next(runner)
    row = job_row(sessions, job.id)
    assert row.status == "failed"
    assert row.error is not None
    assert row.error["code"] == "round_state"
    assert "trạng thái draft" in row.error["message"]
    assert "must be snapshotted" in row.error["message_en"]
    assert row.active_key is None
    assert row.finished_at is not None
    with scoped_session(sessions, Scope.system("test")) as s:
        assert s.get(AdmissionRound, w.round_id).status == "draft"  # type: ignore[union-attr]
    # the round is free again: its snapshot may start now
    again = start(sessions, "round.snapshot", {"round_id": w.round_id, "number": 1})
    assert again.id != job.id


def test_the_same_action_is_not_started_twice(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, runner: Runner
) -> None:
    w = round_world(sessions, cipher)
    first = start(sessions, "round.snapshot", {"round_id": w.round_id, "number": 1})
    with pytest.raises(ActionRunning) as refused:
        start(sessions, "round.run", {"round_id": w.round_id, "number": 1})
    assert refused.value.job_id == first.id
    assert refused.value.status == 409
    assert "đang chạy" in refused.value.message_vi
    # other actions are not held up by it
    other = start(sessions, "payments.reconcile", {})
    assert other.id != first.id
    run_next(runner)
    assert job_row(sessions, first.id).status == "succeeded"
    later = start(sessions, "round.run", {"round_id": w.round_id, "number": 1})
    assert later.id not in (first.id, other.id)


def test_two_starts_at_the_same_moment_make_one_job(
    sessions: sessionmaker[HemisSession],
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def attempt() -> None:
        barrier.wait(10)
        try:
            outcomes.append(start(sessions, "payments.reconcile", {}).id)
        except ActionRunning as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    made = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, ActionRunning)]
    assert len(made) == 1
    assert len(refused) == 1
    with scoped_session(sessions, Scope.system("test")) as s:
        assert len(s.scalars(select(ActionJob)).all()) == 1


def test_only_a_ministry_writer_starts_an_action(sessions: sessionmaker[HemisSession]) -> None:
    officer = Principal(9, "bk.officer", "BK", Role.institution_officer, 1)
    for principal in (ANALYST, officer):
        with scoped_session(sessions, principal.scope()) as s, pytest.raises(Forbidden):
            service.start_action(s, "payments.reconcile", {})


def test_a_job_left_running_by_a_dead_process_is_closed_as_interrupted(
    sessions: sessionmaker[HemisSession], runner: Runner
) -> None:
    job = start(sessions, "payments.reconcile", {})
    assert runner.claim() == job.id
    dead = subprocess.Popen(["true"])  # a process that has exited: its pid is free
    dead.wait()
    with scoped_session(sessions, Scope.system("test")) as s:
        row = s.get(ActionJob, job.id)
        assert row is not None
        row.worker = f"{HOST}:{dead.pid}"
        s.commit()
    assert runner.fail_stale() == 1
    row = job_row(sessions, job.id)
    assert row.status == "failed"
    assert row.error is not None
    assert row.error["code"] == "action.interrupted"
    assert row.active_key is None
    # and a job whose process is alive is left alone
    live = start(sessions, "payments.reconcile", {})
    assert runner.claim() == live.id
    assert runner.fail_stale() == 0
    assert job_row(sessions, live.id).status == "running"


def test_a_job_left_queued_runs_when_the_app_starts(
    db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    w = round_world(sessions, cipher)
    job = start(sessions, "round.snapshot", {"round_id": w.round_id, "number": 1})
    app = create_app(db.settings())
    try:
        with TestClient(app):  # start-up resumes what a previous run left queued
            deadline = time.monotonic() + 60
            while job_row(sessions, job.id).status in ("queued", "running"):
                assert time.monotonic() < deadline, "the queued job never ran"
                time.sleep(0.1)
    finally:
        app.state.ctx.dispose()
    assert job_row(sessions, job.id).status == "succeeded"
