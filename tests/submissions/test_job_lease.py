"""Upload jobs under attack and after crashes: the upload encrypted at rest and gone when the job
ends; a file that kills its reader fails its job (import.unreadable) and writes nothing; a job
is tried once (attempts, quarantine); a job whose runner is gone is failed at once on this
machine and after 45 s without a heartbeat elsewhere, while a live runner keeps its job."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from cryptography.exceptions import InvalidTag
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db import migrate
from hemis.db.session import HemisSession, make_engine, scoped_session
from hemis.db.tenancy import Scope
from hemis.imports.limits import ReadLimits
from hemis.submissions import intake, jobs, lease, uploads, worker
from hemis.submissions.jobs import JOB, Runner
from hemis.submissions.lease import Heartbeat, identity
from hemis.submissions.rules import JobStatus
from hemis.web.app import create_app
from tests.conftest import TestDB
from tests.imports import hostile
from tests.submissions.test_apply import counts
from tests.submissions.world import World, learner

HEADER = list(learner(1))


def csv_bytes(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(r[c] for c in HEADER) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def enqueue(
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
    institution_id: int,
    payload: bytes,
    filename: str = "hoc-vien.csv",
) -> int:
    scope = Scope(actor="cb_a", institution_id=institution_id, role="institution_officer")
    with scoped_session(sessions, scope) as session:
        job = intake.enqueue_upload(
            session,
            cipher,
            institution_id=institution_id,
            entity="learners",
            filename=filename,
            payload=payload,
        )
        return int(job.id)


def row(engine: Engine, job_id: int) -> Any:
    with engine.connect() as conn:
        jobs.national(conn)
        return conn.execute(select(JOB).where(JOB.c.id == job_id)).one()


def set_job(engine: Engine, job_id: int, **values: Any) -> None:
    with engine.begin() as conn:
        jobs.national(conn)
        conn.execute(update(JOB).where(JOB.c.id == job_id).values(**values))


def test_an_upload_is_encrypted_at_rest_and_cleared_when_its_job_ends(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
    scene: World,
    db: TestDB,
) -> None:
    rows = [learner(1), learner(2)]
    data = csv_bytes(*rows)
    job = enqueue(sessions, cipher, scene.a, data)
    stored = row(engine, job).payload
    assert stored is not None
    assert b"student_code" not in stored
    assert not any(r["national_id"].encode() in stored for r in rows)
    assert uploads.open_upload(cipher, scene.a, stored) == data
    with pytest.raises(InvalidTag):  # bound to its institution
        cipher.open_upload(stored, uploads.upload_context(scene.b))
    Runner(engine, cipher).run_pending()
    done = row(engine, job)
    assert (done.status, done.payload) == (JobStatus.applied.value, None)
    rejected = enqueue(sessions, cipher, scene.a, csv_bytes(learner(3, program_code="NOPE")))
    unreadable = enqueue(sessions, cipher, scene.a, b"\x00\x01binary", "x.csv")
    Runner(engine, cipher).run_pending()
    assert (row(engine, rejected).status, row(engine, rejected).payload) == ("rejected", None)
    assert (row(engine, unreadable).status, row(engine, unreadable).payload) == ("failed", None)
    if db.backend == "sqlite":  # the file and its log hold no national ID in clear, ever
        path = Path(db.url.removeprefix("sqlite:///"))
        disk = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert disk  # (the database and its write-ahead log)
        for r in [*rows, learner(3)]:
            assert r["national_id"].encode() not in disk


def test_a_file_that_kills_its_reader_fails_its_job_and_writes_nothing(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
    scene: World,
    tmp_path: Path,
) -> None:
    before = counts(engine)
    payload = hostile.far_cell(tmp_path / "x.xlsx").read_bytes()
    job = enqueue(sessions, cipher, scene.a, payload, "hoc-vien.xlsx")
    ok = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    runner = Runner(engine, cipher, ReadLimits(memory_mb=1024))
    assert runner.run_pending() == 2
    failed = row(engine, job)
    assert failed.status == JobStatus.failed.value
    assert failed.error["code"] == "import.unreadable"
    assert failed.error["details"] == {"reason": "memory"}
    assert "bộ nhớ" in failed.error["message"]
    assert failed.payload is None
    assert row(engine, ok).status == JobStatus.applied.value  # the next job still runs
    after = counts(engine)
    assert after["learner"] == before["learner"] + 1


def test_a_claim_counts_the_attempt_and_names_its_runner(
    engine: Engine, sessions: sessionmaker[HemisSession], cipher: IdCipher, scene: World
) -> None:
    job = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    assert row(engine, job).attempts == 0
    assert Runner(engine, cipher).claim() == (scene.a, job)
    claimed = row(engine, job)
    assert (claimed.status, claimed.attempts, claimed.worker) == ("running", 1, identity())


def test_a_job_tried_before_is_quarantined_not_run_again(
    engine: Engine, sessions: sessionmaker[HemisSession], cipher: IdCipher, scene: World
) -> None:
    before = counts(engine)
    job = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    set_job(engine, job, attempts=1)  # back in the queue after an attempt that did not finish
    runner = Runner(engine, cipher)
    assert runner.claim() is None
    assert runner.run_pending() == 0
    quarantined = row(engine, job)
    assert (quarantined.status, quarantined.error["code"]) == ("failed", "import.quarantined")
    assert quarantined.payload is None
    assert counts(engine) == before


def dead_runner() -> str:
    """The identity of a process of this machine that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = lease._start_time(proc.pid)
    proc.kill()
    proc.wait()
    return f"{lease._machine()}|{proc.pid}|{started}"


def running(engine: Engine, job: int, worker: str | None, beat_age: dt.timedelta) -> None:
    set_job(
        engine,
        job,
        status="running",
        phase="validating",
        attempts=1,
        worker=worker,
        heartbeat_at=lease.now() - beat_age,
    )


def test_a_job_whose_runner_died_on_this_machine_is_failed_at_once(
    engine: Engine, sessions: sessionmaker[HemisSession], cipher: IdCipher, scene: World
) -> None:
    job = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    running(engine, job, dead_runner(), dt.timedelta(seconds=1))  # a fresh heartbeat even
    assert Runner(engine, cipher).sweep() == 1
    failed = row(engine, job)
    assert (failed.status, failed.error["code"]) == ("failed", "import.interrupted")
    assert failed.error["details"] == {"phase": "validating", "attempts": 1}
    assert failed.payload is None


@pytest.mark.parametrize(("age", "kept"), [(20, True), (60, False)])
def test_a_runner_elsewhere_keeps_its_job_while_its_heartbeat_is_fresh(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
    scene: World,
    age: int,
    kept: bool,
) -> None:
    job = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    running(engine, job, "other-node|1a2b3c4d|4026531836|4242|99", dt.timedelta(seconds=age))
    Runner(engine, cipher).sweep()
    assert row(engine, job).status == ("running" if kept else "failed")


def test_a_live_runner_keeps_its_job_whatever_its_heartbeat(
    engine: Engine, sessions: sessionmaker[HemisSession], cipher: IdCipher, scene: World
) -> None:
    """On SQLite a long import cannot beat while it holds the write lock; its process is alive."""
    job = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    running(engine, job, identity(), dt.timedelta(minutes=10))
    assert Runner(engine, cipher).sweep() == 0
    assert row(engine, job).status == "running"


def test_the_heartbeat_beats_and_pauses(
    engine: Engine, sessions: sessionmaker[HemisSession], cipher: IdCipher, scene: World
) -> None:
    job = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    running(engine, job, identity(), dt.timedelta(minutes=10))
    paused = [False]
    old = row(engine, job).heartbeat_at
    with Heartbeat(engine, scene.a, job, lambda: paused[0], every=0.05) as beating:
        deadline = lease.now() + dt.timedelta(seconds=30)
        while row(engine, job).heartbeat_at == old:
            assert lease.now() < deadline
        paused[0] = True
        beating.stopping.wait(0.3)  # a beat in flight may still land
        held = row(engine, job).heartbeat_at
        beating.stopping.wait(0.3)
        assert row(engine, job).heartbeat_at == held
    assert held > old


def test_an_upload_key_is_not_the_national_id_key(cipher: IdCipher) -> None:
    sealed = cipher.seal_upload(b"001204000001", b"ctx")
    assert cipher.open_upload(sealed, b"ctx") == b"001204000001"
    assert sealed != cipher.seal_upload(b"001204000001", b"ctx")  # a fresh nonce each time
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed)
    with pytest.raises(InvalidTag):
        cipher.open_upload(sealed, b"other")


def test_the_migration_drops_uploads_kept_in_clear(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    before = ScriptDirectory.from_config(migrate.alembic_config(url)).get_revision("0018")
    migrate.upgrade(url, str(before.down_revision))
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO institution (id, moet_code, name_vi, name_folded, type, ownership,"
                    " governing_body, province_code, status, trains_doctorates, specialised, "
                    "created_at, updated_at) VALUES (1, 'X1', 'X', 'x', 'university', 'public', "
                    "'B', '001', 'active', 0, 0, '2026-01-01', '2026-01-01')"
                )
            )
            for job_id, status in ((1, "queued"), (2, "applied")):
                conn.execute(
                    text(
                        "INSERT INTO submission_job (institution_id, id, entity, filename, source,"
                        " full_replacement, dry_run, status, phase, processed, total, created_by,"
                        " created_at, payload) VALUES (1, :id, 'learners', 'f.csv', 'upload', 0,"
                        " 0, :s, 'queued', 0, 0, 'u', '2026-01-01', :p)"
                    ),
                    {"id": job_id, "s": status, "p": b"national_id\n001204000001\n"},
                )
        migrate.upgrade(url)
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT id, status, payload, attempts FROM submission_job ORDER BY id")
            ).all()
            error = conn.execute(text("SELECT error FROM submission_job WHERE id = 1")).scalar()
    finally:
        engine.dispose()
    assert [tuple(r) for r in found] == [(1, "failed", None, 0), (2, "applied", None, 0)]
    assert "import.interrupted" in error


def test_a_running_server_fails_a_job_whose_runner_died_without_being_asked(
    db: TestDB,
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
    scene: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another node died mid-job: this one's periodic sweep fails it (every 15 s; 0.2 here)."""
    monkeypatch.setattr(worker, "SWEEP_SECONDS", 0.2)
    job = enqueue(sessions, cipher, scene.a, csv_bytes(learner(1)))
    other = "other-node|1a2b3c4d|4026531836|4242|99"
    # Running elsewhere with a fresh heartbeat before this server starts, so that its start-up
    # leaves the job alone (and cannot run it itself); the heartbeat then goes stale.
    running(engine, job, other, dt.timedelta(0))
    app = create_app(db.settings())
    try:
        with TestClient(app):
            assert row(engine, job).status == "running"
            set_job(engine, job, heartbeat_at=lease.now() - dt.timedelta(minutes=1))
            deadline = lease.now() + dt.timedelta(seconds=30)
            while row(engine, job).status == "running":
                assert lease.now() < deadline
                time.sleep(0.05)
    finally:
        app.state.ctx.dispose()
    assert row(engine, job).error["code"] == "import.interrupted"
