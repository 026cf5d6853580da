"""Who runs an import job, the proof that it is still alive, and finding jobs whose runner is gone.

- A job is claimed with its runner's identity (`worker`: host, boot, PID namespace, PID and the
  process's start time) and one more attempt on its count (jobs.py).
- While it runs, a heartbeat thread writes `heartbeat_at` every HEARTBEAT_SECONDS from its own
  connection — during the file's read in the reader process too. On PostgreSQL that goes on
  throughout the import (it holds no lock on the job row until its commit). On SQLite nothing can
  be written while the import holds the database's write lock (its one transaction, from the
  first check to the commit), so the heartbeat pauses there; the lock is then the proof of life:
  no other process can fail the job without taking it, and the lock dies with its process.
- `stale` says which running jobs have lost their runner: at once when the runner was a process
  of this machine that no longer exists (its identity says so, whatever its heartbeat), else when
  the heartbeat is older than STALE_AFTER. jobs.py fails those jobs (`import.interrupted`) when a
  worker starts, before every claim, and every SWEEP_SECONDS while a server runs.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Engine, update
from sqlalchemy.exc import SQLAlchemyError

from hemis.db.base import table_of
from hemis.errors import HemisError
from hemis.submissions.models import SubmissionJob
from hemis.submissions.rules import JobStatus
from hemis.submissions.workspace import national

log = structlog.get_logger("hemis.jobs")
JOB = table_of(SubmissionJob)
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = dt.timedelta(seconds=45)
SWEEP_SECONDS = 15.0


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), which tells a process from a
    later one that reuses its PID; None when there is no such process."""
    stat = _read(f"/proc/{pid}/stat")
    if stat:
        return stat.rsplit(")", 1)[1].split()[19]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return "?"
    return "?"  # (no /proc: alive, start time unknown)


@cache
def _machine() -> str:
    """Host name, boot id and PID namespace: PIDs compare only within one of these."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    boot = _read("/proc/sys/kernel/random/boot_id")[:8] or "-"
    return f"{socket.gethostname()[:60]}|{boot}|{namespace}"


def identity() -> str:
    """This process, as written into the jobs it runs."""
    pid = os.getpid()
    return f"{_machine()}|{pid}|{_start_time(pid) or '?'}"


def runner_alive(worker: str | None, heartbeat_at: dt.datetime | None, moment: dt.datetime) -> bool:
    machine, _, rest = (worker or "").rpartition("|")
    machine, _, pid = machine.rpartition("|")
    if machine == _machine() and pid.isdigit():
        started = _start_time(int(pid))
        return started is not None and (started == rest or "?" in (started, rest))
    return heartbeat_at is not None and heartbeat_at > moment - STALE_AFTER


def stale(rows: Sequence[Any], moment: dt.datetime) -> list[Any]:
    """The running jobs (rows with worker and heartbeat_at) whose runner is gone."""
    return [r for r in rows if not runner_alive(r.worker, r.heartbeat_at, moment)]


def interrupted(phase: str, attempts: int) -> HemisError:
    return HemisError(
        "Việc nhập bị gián đoạn (máy chủ xử lý đã dừng); chưa có dữ liệu nào được ghi. Hãy gửi "
        "lại tệp.",
        "The import was interrupted (the server running it stopped); nothing was written. Send "
        "the file again.",
        code="import.interrupted",
        details={"phase": phase, "attempts": attempts},
    )


def quarantined(attempts: int) -> HemisError:
    return HemisError(
        "Tệp này đã được thử xử lý và lần thử không kết thúc; tệp không được chạy lại. Hãy "
        "kiểm tra tệp rồi gửi lại.",
        "This file was tried already and the attempt did not finish; it is not run again. Check "
        "the file and send it again.",
        code="import.quarantined",
        details={"attempts": attempts},
    )


class Heartbeat:
    """A thread writing the job's `heartbeat_at` every HEARTBEAT_SECONDS until stopped; it skips
    a beat while `paused()` (SQLite's write lock held by this very job)."""

    def __init__(
        self,
        engine: Engine,
        institution_id: int,
        job_id: int,
        paused: Callable[[], bool] = lambda: False,
        every: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.engine = engine
        self.key = (institution_id, job_id)
        self.paused = paused
        self.every = every
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=self._beat, name=f"hemis-job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(self.every + 15)

    def beat(self) -> None:
        with self.engine.begin() as conn:
            national(conn)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            conn.execute(
                update(JOB)
                .where(
                    JOB.c.institution_id == self.key[0],
                    JOB.c.id == self.key[1],
                    JOB.c.status == JobStatus.running.value,
                )
                .values(heartbeat_at=now())
            )

    def _beat(self) -> None:
        while not self.stopping.wait(self.every):
            if self.paused():
                continue
            try:
                self.beat()
            except SQLAlchemyError as exc:  # a missed beat is made up by the next one
                log.info("job_heartbeat_missed", job=self.key[1], error=type(exc).__name__)
