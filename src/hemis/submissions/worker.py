"""The web app's job worker: started on demand by an upload (or a job page, or at start-up when
jobs are waiting), stopped when the app shuts down. While the app runs, a sweep every
SWEEP_SECONDS fails jobs whose runner is gone (another node or a process that died: lease.py),
so an interrupted import says so within a minute."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hemis.imports.limits import ReadLimits
from hemis.submissions.jobs import JOB, Runner, Worker
from hemis.submissions.lease import SWEEP_SECONDS
from hemis.submissions.rules import JobStatus
from hemis.submissions.workspace import national

log = structlog.get_logger("hemis.jobs")


def runner_of(app: Any) -> Runner:
    ctx = app.state.ctx
    return Runner(ctx.engine, ctx.cipher, ReadLimits.from_settings(ctx.settings))


def ensure_worker(app: Any) -> Worker:
    """The app's worker thread, started if it is not running."""
    worker = getattr(app.state, "submission_worker", None)
    if worker is None:
        worker = Worker(runner_of(app))
        app.state.submission_worker = worker
    worker.ensure_running()
    return worker


def _jobs(app: Any, statuses: list[JobStatus]) -> bool:
    """Whether any job is in one of these states (False when there is no database yet)."""
    try:
        with app.state.ctx.engine.connect() as conn:
            national(conn)
            found = conn.execute(
                select(JOB.c.id).where(JOB.c.status.in_([s.value for s in statuses])).limit(1)
            ).first()
    except SQLAlchemyError:  # no database yet, or not migrated: nothing to look after
        return False
    return found is not None


def _sweep(app: Any) -> None:
    if _jobs(app, [JobStatus.running]):
        runner_of(app).sweep()


class Sweeper:
    """A thread that sweeps every SWEEP_SECONDS; stopped and joined at shutdown, so that no
    sweep outlives the app's engine."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="hemis-jobs-sweep", daemon=True)

    def _loop(self) -> None:
        while not self.stopping.wait(SWEEP_SECONDS):
            try:
                _sweep(self.app)
            except Exception as exc:  # the database may be busy or gone; try again next time
                log.info("jobs_sweep_skipped", error=type(exc).__name__)

    def __enter__(self) -> Sweeper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(30)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, look after jobs a previous run left behind (the worker fails those whose
    runner is gone and runs the queued ones not tried before); at shutdown, stop the worker."""
    if await run_in_threadpool(_jobs, app, [JobStatus.queued, JobStatus.running]):
        ensure_worker(app)
    with Sweeper(app):
        yield
    worker = getattr(app.state, "submission_worker", None)
    if worker is not None:
        worker.stop()
