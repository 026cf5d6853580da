"""The web app's job worker: started on demand by an upload (or a job page, or at start-up when
jobs are waiting), stopped when the app shuts down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hemis.submissions.jobs import JOB, Runner, Worker
from hemis.submissions.rules import JobStatus
from hemis.submissions.workspace import national


def ensure_worker(app: Any) -> Worker:
    """The app's worker thread, started if it is not running."""
    worker = getattr(app.state, "submission_worker", None)
    if worker is None:
        ctx = app.state.ctx
        worker = Worker(Runner(ctx.engine, ctx.cipher))
        app.state.submission_worker = worker
    worker.ensure_running()
    return worker


def _jobs_waiting(app: Any) -> bool:
    """Whether jobs were left queued (or running) by a previous run of the app."""
    try:
        with app.state.ctx.engine.connect() as conn:
            national(conn)
            found = conn.execute(
                select(JOB.c.id)
                .where(JOB.c.status.in_([JobStatus.queued.value, JobStatus.running.value]))
                .limit(1)
            ).first()
    except SQLAlchemyError:  # no database yet, or not migrated: nothing to resume
        return False
    return found is not None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, resume jobs a previous run left behind; at shutdown, stop the worker."""
    if await run_in_threadpool(_jobs_waiting, app):
        ensure_worker(app)
    yield
    worker = getattr(app.state, "submission_worker", None)
    if worker is not None:
        worker.stop()
