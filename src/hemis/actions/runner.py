"""The runner of action jobs: a worker thread in the web app, as for submission imports.

`start_action` queues a row; the worker thread (started on demand by the page that queued it,
or at start-up when jobs are waiting) claims the oldest queued job with an UPDATE … WHERE status
= 'queued', so two workers — threads or servers — never take the same one, runs its handler,
and writes the outcome. While a job runs, the handler's progress (phase, done, total) and a
heartbeat every few seconds are written from separate connections for the page to poll. A job
left 'running' by a process that died is marked failed: at once when that process was on this
machine (its pid is gone), after STALE_AFTER without a heartbeat otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
from typing import Any

import structlog
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from hemis.actions.kinds import ActionContext, get_kind
from hemis.actions.models import ActionJob
from hemis.actions.rules import ActionStatus
from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.base import table_of
from hemis.db.session import make_session_factory
from hemis.db.tenancy import Scope
from hemis.errors import HemisError

log = structlog.get_logger("hemis.actions")
JOB = table_of(ActionJob)
IDLE_SECONDS = 3.0
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = dt.timedelta(minutes=10)
PROGRESS_EVERY = 0.5  # seconds between progress writes within one phase
HOST = socket.gethostname()[:60]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def worker_id() -> str:
    return f"{HOST}:{os.getpid()}"


def _national(conn: Any) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', true)")


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def error_values(error: HemisError) -> dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message_vi,
        "message_en": error.message_en,
        "details": error.details if _jsonable(error.details) else None,
    }


def _ended(status: ActionStatus, **values: Any) -> dict[str, Any]:
    """The values of a job that ended: its lock key released."""
    return {
        "status": status.value,
        "phase": "done",
        "finished_at": now(),
        "heartbeat_at": now(),
        "active_key": None,
        **values,
    }


INTERRUPTED = HemisError(
    "Thao tác bị gián đoạn (máy chủ dừng khi đang chạy). Hãy xem trạng thái hiện tại rồi chạy "
    "lại nếu cần.",
    "The action was interrupted (the server stopped while it ran). Check the current state and "
    "run it again if needed.",
    code="action.interrupted",
)
INTERNAL = HemisError(
    "Lỗi hệ thống khi chạy thao tác; phần chưa hoàn tất không được ghi. Hãy thử lại sau.",
    "A system error stopped the action; what was not finished was not written. Try again later.",
    code="action.internal_error",
)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ProgressWriter:
    """Writes a job's phase, counts and heartbeat from its own connection; a write that fails
    (the database busy) is skipped, never stopping the action."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id
        self.last: tuple[str, float] = ("", 0.0)
        self.lock = threading.Lock()

    def write(self, values: dict[str, Any]) -> None:
        with self.lock, self.engine.begin() as conn:
            _national(conn)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            conn.execute(update(JOB).where(JOB.c.id == self.job_id).values(**values))

    def try_write(self, values: dict[str, Any]) -> None:
        try:
            self.write(values)
        except SQLAlchemyError as exc:
            log.warning("action_progress_not_written", job=self.job_id, error=type(exc).__name__)

    def __call__(self, phase: str, done: int, total: int) -> None:
        moment = time.monotonic()
        if phase == self.last[0] and moment - self.last[1] < PROGRESS_EVERY and done < total:
            return
        self.last = (phase, moment)
        self.try_write(
            {"phase": phase[:30], "processed": done, "total": total, "heartbeat_at": now()}
        )


class Heartbeat:
    """Beats every HEARTBEAT_SECONDS while a job runs, so a long silent phase is not taken for
    a dead job."""

    def __init__(self, progress: ProgressWriter) -> None:
        self.progress = progress
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="hemis-action-beat", daemon=True)

    def _loop(self) -> None:
        while not self.stopping.wait(HEARTBEAT_SECONDS):
            self.progress.try_write({"heartbeat_at": now()})

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self.thread.join(HEARTBEAT_SECONDS * 3)


class Runner:
    """Runs queued action jobs of one database."""

    def __init__(self, engine: Engine, settings: Settings, cipher: IdCipher) -> None:
        self.engine = engine
        self.settings = settings
        self.cipher = cipher
        self.sessions = make_session_factory(engine)
        self.worker = worker_id()

    def claim(self) -> int | None:
        """Take the oldest queued job, or None."""
        with self.engine.begin() as conn:
            _national(conn)
            row = conn.execute(
                select(JOB.c.id)
                .where(JOB.c.status == ActionStatus.queued.value)
                .order_by(JOB.c.created_at, JOB.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            taken = conn.execute(
                update(JOB)
                .where(JOB.c.id == row.id, JOB.c.status == ActionStatus.queued.value)
                .values(
                    status=ActionStatus.running.value,
                    phase="starting",
                    started_at=now(),
                    heartbeat_at=now(),
                    worker=self.worker,
                )
            ).rowcount
            return int(row.id) if taken else None

    def fail_stale(self) -> int:
        """Mark failed the jobs left running by a dead process; returns how many."""
        failed = 0
        with self.engine.begin() as conn:
            _national(conn)
            rows = conn.execute(
                select(JOB.c.id, JOB.c.worker, JOB.c.heartbeat_at).where(
                    JOB.c.status == ActionStatus.running.value
                )
            ).all()
            for row in rows:
                host, _, pid = (row.worker or "").rpartition(":")
                dead_here = host == HOST and pid.isdigit() and not _pid_alive(int(pid))
                silent = row.heartbeat_at is None or row.heartbeat_at < now() - STALE_AFTER
                if dead_here or silent:
                    failed += conn.execute(
                        update(JOB)
                        .where(JOB.c.id == row.id, JOB.c.status == ActionStatus.running.value)
                        .values(**_ended(ActionStatus.failed, error=error_values(INTERRUPTED)))
                    ).rowcount
        return failed

    def run(self, job_id: int) -> ActionStatus:
        with self.engine.begin() as conn:
            _national(conn)
            job = conn.execute(select(JOB).where(JOB.c.id == job_id)).one()
        progress = ProgressWriter(self.engine, job_id)
        scope = Scope(job.actor, None, True, job.actor_role)
        context = ActionContext(
            self.engine, self.sessions, self.settings, self.cipher, scope, progress
        )
        try:
            with Heartbeat(progress):
                result = get_kind(job.kind).run(context, dict(job.params or {}))
        except HemisError as exc:
            progress.write(_ended(ActionStatus.failed, error=error_values(exc)))
            return ActionStatus.failed
        except Exception as exc:
            log.error(
                "action_failed", job=job_id, kind=job.kind, error=type(exc).__name__, exc_info=exc
            )
            progress.write(_ended(ActionStatus.failed, error=error_values(INTERNAL)))
            return ActionStatus.failed
        with self.engine.connect() as conn:
            _national(conn)
            total = conn.execute(select(JOB.c.total).where(JOB.c.id == job_id)).scalar_one()
        full = max(int(total or 0), 1)  # a finished job's bar is full
        kept = result if _jsonable(result) else None
        progress.write(_ended(ActionStatus.succeeded, result=kept, processed=full, total=full))
        return ActionStatus.succeeded

    def run_pending(self) -> int:
        """Run queued jobs until there are none; returns how many ran."""
        ran = 0
        while (job_id := self.claim()) is not None:
            self.run(job_id)
            ran += 1
        return ran


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
            self.thread = threading.Thread(target=self._loop, name="hemis-actions", daemon=True)
            self.thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        thread = self.thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        idle_since = time.monotonic()
        try:
            self.runner.fail_stale()
        except Exception as exc:  # the database may be gone at shutdown; never crash the app
            log.warning("actions_unavailable", error=type(exc).__name__)
            return
        while not self.stopping.is_set():
            try:
                ran = self.runner.run_pending()
            except Exception as exc:
                log.warning("actions_unavailable", error=type(exc).__name__)
                return
            if ran:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > IDLE_SECONDS:
                return
            self.stopping.wait(POLL_SECONDS)
