"""The web app's action worker: started on demand when a page queues an action (or shows one
that has not finished, or at start-up when actions are waiting), stopped at shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hemis.actions.rules import ACTIVE
from hemis.actions.runner import JOB, Runner, Worker


def ensure_worker(app: Any) -> Worker:
    """The app's action worker thread, started if it is not running."""
    worker = getattr(app.state, "action_worker", None)
    if worker is None:
        ctx = app.state.ctx
        worker = Worker(Runner(ctx.engine, ctx.settings, ctx.cipher))
        app.state.action_worker = worker
    worker.ensure_running()
    return worker


def _actions_waiting(app: Any) -> bool:
    try:
        with app.state.ctx.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', true)")
            found = conn.execute(select(JOB.c.id).where(JOB.c.status.in_(ACTIVE)).limit(1)).first()
    except SQLAlchemyError:  # no database yet, or not migrated: nothing to resume
        return False
    return found is not None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, resume (or close) actions a previous run left behind; at shutdown, stop."""
    if await run_in_threadpool(_actions_waiting, app):
        ensure_worker(app)
    yield
    worker = getattr(app.state, "action_worker", None)
    if worker is not None:
        worker.stop()
