"""The job runner: a `submission_job` table and a worker thread.

A web upload is stored as a queued job (the file in the row, encrypted — ADR 0003); the web app
starts a worker thread on demand (`ensure_worker`), which claims queued jobs one at a time (an
UPDATE … WHERE status = 'queued', so two workers never take the same job), reads the file in a
reader process with hard limits (`hemis.imports.sandbox`), runs it through
`importer.run_import` and keeps `phase`, `processed`, `total` and `heartbeat_at` up to date for
the page to poll. The thread stops after a short idle time and is started again by the next
upload.

A job is tried once. Its attempt count is raised when it is claimed, and a queued job that
already has an attempt behind it is failed as quarantined rather than run again; a job left
'running' by a runner that is gone (lease.py) is failed with `import.interrupted` (nothing of it
was committed). The upload is cleared in the same write that gives the job its final state.

On SQLite the import holds the database's write lock from its first statement to its commit, so
progress is written before and after that window only; on PostgreSQL it is written throughout,
from a separate connection.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from typing import Any

import polars as pl
import structlog
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from hemis.common.crypto import IdCipher
from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.errors import HemisError
from hemis.imports.limits import ReadLimits
from hemis.imports.readers import RawTable
from hemis.imports.report import ISSUE_SCHEMA
from hemis.imports.sandbox import read_upload
from hemis.submissions.importer import ImportOptions, ImportOutcome, run_import
from hemis.submissions.lease import Heartbeat, identity, interrupted, quarantined, stale
from hemis.submissions.models import SubmissionJob
from hemis.submissions.rules import JobStatus
from hemis.submissions.uploads import open_upload
from hemis.submissions.workspace import Progress, national, no_progress

log = structlog.get_logger("hemis.jobs")
JOB = table_of(SubmissionJob)
IDLE_SECONDS = 3.0
POLL_SECONDS = 0.2
MAX_ATTEMPTS = 1
PROGRESS_EVERY = 1.0  # seconds between progress writes within one phase


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def issues_blob(issues: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    issues.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def issues_of_blob(blob: bytes | None) -> pl.DataFrame:
    if not blob:
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    return pl.read_parquet(io.BytesIO(blob))


def finished_values(outcome: ImportOutcome) -> dict[str, Any]:
    rows = outcome.report.rows
    return {
        "status": outcome.status.value,
        "phase": "done",
        "processed": rows,
        "total": rows,
        "finished_at": now(),
        "heartbeat_at": now(),
        "result": outcome.summary(),
        "issues": issues_blob(outcome.report.issues),
        "submission_id": outcome.submission_id,
        "payload": None,
    }


def failed_values(error: HemisError) -> dict[str, Any]:
    return {
        "status": JobStatus.failed.value,
        "phase": "done",
        "finished_at": now(),
        "payload": None,
        "error": {
            "code": error.code,
            "message": error.message_vi,
            "message_en": error.message_en,
            "details": error.details if _jsonable(error.details) else None,
        },
    }


def _jsonable(value: Any) -> bool:
    import json

    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def update_job(conn: Connection, institution_id: int, job_id: int, values: dict[str, Any]) -> None:
    conn.execute(
        update(JOB)
        .where(JOB.c.institution_id == institution_id, JOB.c.id == job_id)
        .values(**values)
    )


def insert_job(conn: Connection, values: dict[str, Any]) -> int:
    """A job row written directly (the CLI records its imports this way)."""
    job_id = allocate_ids(conn, JOB.name, 1)
    defaults = {
        "full_replacement": False,
        "dry_run": False,
        "phase": "done",
        "processed": 0,
        "total": 0,
        "created_at": now(),
    }
    conn.execute(JOB.insert().values(**{**defaults, **values, "id": job_id}))
    return job_id


def record_job(
    conn: Connection, options: ImportOptions, outcome: ImportOutcome, source: str, filename: str
) -> int:
    """A finished job row for an import run in place (the CLI, a JSON batch)."""
    values = finished_values(outcome)
    return insert_job(
        conn,
        {
            **values,
            "institution_id": options.institution_id,
            "entity": outcome.report.entity.name,
            "filename": filename[:255],
            "source": source,
            "full_replacement": options.full_replacement,
            "dry_run": options.dry_run,
            "created_by": options.actor,
            "started_at": values["finished_at"],
        },
    )


def run_recorded(
    engine: Engine,
    cipher: IdCipher,
    table: RawTable,
    options: ImportOptions,
    source: str,
    progress: Progress = no_progress,
) -> tuple[ImportOutcome, int]:
    """Run an import in place and record it as a finished job: in the import's transaction when
    it is applied, in its own afterwards otherwise. Returns the outcome and the job id."""
    ids: list[int] = []

    def on_commit(conn: Connection, outcome: ImportOutcome) -> None:
        ids.append(record_job(conn, options, outcome, source, options.source))

    tables = [table]
    del table
    outcome = run_import(engine, cipher, tables.pop(), options, progress, on_commit)
    if not ids:
        with engine.begin() as conn:
            national(conn)
            ids.append(record_job(conn, options, outcome, source, options.source))
    return outcome, ids[0]


class ProgressWriter:
    """Writes a job's phase and counts from its own connection, at most once a second per
    phase; paused on SQLite while an import holds the write lock."""

    def __init__(self, engine: Engine, institution_id: int, job_id: int) -> None:
        self.engine = engine
        self.key = (institution_id, job_id)
        self.live = engine.dialect.name == "postgresql"
        self.paused = False
        self.last: tuple[str, float] = ("", 0.0)

    def write(self, values: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            national(conn)
            if conn.dialect.name == "postgresql":
                # Progress is a courtesy: never wait long behind a lock on the job row.
                conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            update_job(conn, *self.key, values)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.paused and not self.live:
            return
        moment = time.monotonic()
        if phase == self.last[0] and moment - self.last[1] < PROGRESS_EVERY:
            return
        self.last = (phase, moment)
        values = {"phase": phase[:20], "processed": done, "total": total, "heartbeat_at": now()}
        try:
            self.write(values)
        except SQLAlchemyError as exc:  # a missed progress line must not stop the import
            log.warning("job_progress_not_written", job=self.key[1], error=type(exc).__name__)


class Runner:
    """Runs queued jobs of one database."""

    def __init__(self, engine: Engine, cipher: IdCipher, limits: ReadLimits | None = None) -> None:
        self.engine = engine
        self.cipher = cipher
        self.limits = limits or ReadLimits()

    def claim(self) -> tuple[int, int] | None:
        """Take the oldest queued job not tried before (institution_id, id), or None."""
        with self.engine.begin() as conn:
            national(conn)
            fresh = (JOB.c.status == JobStatus.queued.value) & (JOB.c.attempts < MAX_ATTEMPTS)
            row = conn.execute(
                select(JOB.c.institution_id, JOB.c.id)
                .where(fresh)
                .order_by(JOB.c.created_at, JOB.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            taken = conn.execute(
                update(JOB)
                .where(JOB.c.institution_id == row.institution_id, JOB.c.id == row.id, fresh)
                .values(
                    status=JobStatus.running.value,
                    started_at=now(),
                    heartbeat_at=now(),
                    attempts=JOB.c.attempts + 1,
                    worker=identity(),
                )
            ).rowcount
            return (int(row.institution_id), int(row.id)) if taken else None

    def sweep(self) -> int:
        """Fail running jobs whose runner is gone (import.interrupted) and queued jobs tried
        before (import.quarantined); returns how many."""
        failed = 0
        with self.engine.begin() as conn:
            national(conn)
            running = conn.execute(
                select(
                    JOB.c.institution_id,
                    JOB.c.id,
                    JOB.c.worker,
                    JOB.c.heartbeat_at,
                    JOB.c.phase,
                    JOB.c.attempts,
                ).where(JOB.c.status == JobStatus.running.value)
            ).all()
            for row in stale(running, now()):
                failed += conn.execute(
                    update(JOB)
                    .where(
                        JOB.c.institution_id == row.institution_id,
                        JOB.c.id == row.id,
                        JOB.c.status == JobStatus.running.value,
                        # (not beaten meanwhile: a live runner keeps its job)
                        JOB.c.heartbeat_at == row.heartbeat_at
                        if row.heartbeat_at is not None
                        else JOB.c.heartbeat_at.is_(None),
                    )
                    .values(**failed_values(interrupted(row.phase, row.attempts)))
                ).rowcount
            tried = conn.execute(
                select(JOB.c.institution_id, JOB.c.id, JOB.c.attempts).where(
                    JOB.c.status == JobStatus.queued.value, JOB.c.attempts >= MAX_ATTEMPTS
                )
            ).all()
            for row in tried:
                failed += conn.execute(
                    update(JOB)
                    .where(
                        JOB.c.institution_id == row.institution_id,
                        JOB.c.id == row.id,
                        JOB.c.status == JobStatus.queued.value,
                    )
                    .values(**failed_values(quarantined(row.attempts)))
                ).rowcount
        if failed:
            log.warning("jobs_failed_without_runner", count=failed)
        return failed

    def run(self, institution_id: int, job_id: int) -> JobStatus:
        with self.engine.begin() as conn:
            national(conn)
            job = conn.execute(
                select(JOB).where(JOB.c.institution_id == institution_id, JOB.c.id == job_id)
            ).one()
        progress = ProgressWriter(self.engine, institution_id, job_id)
        with Heartbeat(
            self.engine, institution_id, job_id, lambda: progress.paused and not progress.live
        ):
            return self._run(job, progress)

    def _run(self, job: Any, progress: ProgressWriter) -> JobStatus:
        institution_id, job_id = progress.key
        try:
            progress("reading", 0, 0)
            payload = open_upload(self.cipher, institution_id, job.payload)
            tables = [read_upload(payload, job.filename, job.entity, self.limits)]
            del payload
            progress("validating", 0, tables[0].frame.height)
            progress.paused = True
            options = ImportOptions(
                job.entity,
                institution_id,
                job.created_by,
                source=job.filename,
                full_replacement=job.full_replacement,
                dry_run=job.dry_run,
                job_id=job_id,
                period_year=(job.result or {}).get("period_year"),
            )
            del job

            def on_commit(conn: Connection, outcome: ImportOutcome) -> None:
                update_job(conn, institution_id, job_id, finished_values(outcome))

            # popped, so that the import holds the only reference and can free the file early
            outcome = run_import(
                self.engine, self.cipher, tables.pop(), options, progress, on_commit
            )
            progress.paused = False
            if outcome.status is not JobStatus.applied:
                progress.write(finished_values(outcome))
            return outcome.status
        except HemisError as exc:
            progress.paused = False
            progress.write(failed_values(exc))
            return JobStatus.failed
        except Exception as exc:
            progress.paused = False
            log.error("job_failed", job=job_id, error=type(exc).__name__, exc_info=exc)
            progress.write(
                failed_values(
                    HemisError(
                        "Lỗi hệ thống khi xử lý tệp; chưa có dữ liệu nào được ghi.",
                        "A system error occurred while processing the file; nothing was written.",
                        code="import.internal_error",
                    )
                )
            )
            return JobStatus.failed

    def run_pending(self) -> int:
        """Run queued jobs until there are none; returns how many ran."""
        ran = 0
        while True:
            self.sweep()
            job = self.claim()
            if job is None:
                return ran
            self.run(*job)
            ran += 1


class Worker:
    """A daemon thread running queued jobs; exits after IDLE_SECONDS without work."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()

    def ensure_running(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.stopping.clear()
            self.thread = threading.Thread(target=self._loop, name="hemis-jobs", daemon=True)
            self.thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        thread = self.thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        idle_since = time.monotonic()
        while not self.stopping.is_set():
            try:
                ran = self.runner.run_pending()
            except Exception as exc:
                log.warning("jobs_unavailable", error=type(exc).__name__)
                return
            if ran:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > IDLE_SECONDS:
                return
            self.stopping.wait(POLL_SECONDS)
