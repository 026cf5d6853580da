"""The batch runner of the sync jobs: page through the records, send the ones that changed (or
were never answered), write each record's status, diff and answer with the exchange-log
entries of the batch in one transaction, and move the run's cursor.

A kill -9 loses at most the batch in flight: it was never committed, so the next run sends it
again; the unique key (institution, system, record) makes the writes idempotent.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hemis.common.crypto import IdCipher
from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.errors import Conflict
from hemis.integrations import exchange
from hemis.integrations.codes import ANSWERED, RunStatus, SyncStatus
from hemis.integrations.models import SyncRun, SyncState
from hemis.integrations.schemas import Answer
from hemis.integrations.sources import SOURCES, Row
from hemis.integrations.transport import RegistryError, Reply

STATE = table_of(SyncState)
RUN = table_of(SyncRun)
IDENTITY = ("full_name", "date_of_birth", "sex")

Send = Callable[[Sequence[BaseModel]], Reply[list[Any]]]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SyncParams:
    system: str
    year: int | None = None
    institution_id: int | None = None
    recheck: bool = False
    passes: int = 3  # error records are retried in up to this many passes
    batch_size: int = 1000


@dataclass
class SyncSummary:
    run_id: int
    total: int = 0
    sent: int = 0
    skipped: int = 0
    batches: int = 0
    failed_batches: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(time.monotonic() - self.started, 2),
            "total": self.total,
            "sent": self.sent,
            "skipped": self.skipped,
            "batches": self.batches,
            "failed_batches": self.failed_batches,
            "statuses": dict(self.statuses),
        }


def national(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', true)")


@contextmanager
def exclusive(var_dir: Path, system: str) -> Iterator[None]:
    """One sync per registry at a time. The kernel drops the lock when its holder dies (even by
    kill -9), so a run that finds a `running` row while holding the lock knows it was killed."""
    var_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(var_dir / f"sync-{system}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                "Một lượt đồng bộ với cơ sở dữ liệu này đang chạy.",
                "A sync with this registry is already running.",
                code="sync_running",
            ) from None
        yield
    finally:
        os.close(fd)


def answer_values(row: Row, answer: Answer) -> dict[str, Any]:
    """A registry's answer as the record's status, field-level diff and data."""
    if not answer.found:
        return {"status": SyncStatus.not_found.value, "diff": None, "result": None}
    ours = row.query.model_dump(mode="json")
    diff = {
        name: {"hemis": ours.get(name), "registry": theirs}
        for name, theirs in answer.differences.items()
    }
    data = answer.model_dump(mode="json", exclude={"ref", "found", "differences"})
    status = SyncStatus.different if diff else SyncStatus.actual
    return {"status": status.value, "diff": diff or None, "result": data or None}


def _upsert(conn: Connection, values: list[dict[str, Any]]) -> None:
    if not values:
        return
    first = allocate_ids(conn, "sync_state", len(values))
    for offset, v in enumerate(values):
        v["id"] = first + offset
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(STATE)
    stmt = stmt.on_conflict_do_update(
        index_elements=["institution_id", "system", "record_id"],
        set_={
            "status": stmt.excluded.status,
            "last_checked_at": stmt.excluded.last_checked_at,
            "diff": stmt.excluded.diff,
            "result": stmt.excluded.result,
            "payload_hash": stmt.excluded.payload_hash,
            "error": stmt.excluded.error,
            "run_id": stmt.excluded.run_id,
            "person_id": stmt.excluded.person_id,
            "attempts": STATE.c.attempts + 1,
        },
    )
    conn.execute(stmt, values)


class Runner:
    def __init__(
        self,
        engine: Engine,
        cipher: IdCipher,
        send: Send,
        var_dir: Path,
        progress: Progress | None = None,
        pause: Callable[[], None] | None = None,
    ) -> None:
        self.engine, self.cipher, self.send, self.var_dir = engine, cipher, send, var_dir
        self.progress = progress or (lambda done, total: None)
        # Called after a failed batch: waits out an open circuit breaker before the next one.
        self.pause = pause or (lambda: None)

    def run(self, params: SyncParams) -> SyncSummary:
        with exclusive(self.var_dir, params.system):
            run_id = self._open_run(params)
            summary = SyncSummary(run_id)
            try:
                self._passes(params, summary)
            except BaseException:
                self._close_run(run_id, RunStatus.failed, summary)
                raise
            self._close_run(run_id, RunStatus.finished, summary)
            return summary

    def _open_run(self, params: SyncParams) -> int:
        with self.engine.begin() as conn:
            national(conn)
            # We hold the lock: any run still marked running was killed.
            conn.execute(
                update(RUN)
                .where(RUN.c.system == params.system, RUN.c.status == RunStatus.running.value)
                .values(status=RunStatus.interrupted.value)
            )
            run_id = allocate_ids(conn, "sync_run", 1)
            now = dt.datetime.now(dt.UTC)
            conn.execute(
                insert(RUN).values(
                    id=run_id,
                    system=params.system,
                    params={"year": params.year, "institution_id": params.institution_id},
                    status=RunStatus.running.value,
                    started_at=now,
                    heartbeat_at=now,
                    cursor=0,
                    counts={},
                )
            )
        return run_id

    def _close_run(self, run_id: int, status: RunStatus, summary: SyncSummary) -> None:
        with self.engine.begin() as conn:
            national(conn)
            conn.execute(
                update(RUN)
                .where(RUN.c.id == run_id)
                .values(
                    status=status.value,
                    finished_at=dt.datetime.now(dt.UTC),
                    counts=summary.as_dict(),
                )
            )

    def _passes(self, params: SyncParams, summary: SyncSummary) -> None:
        source = SOURCES[params.system]
        with self.engine.connect() as conn:
            national(conn)
            summary.total = source.count(conn, params.year, params.institution_id)
        for n in range(params.passes):
            errors_before = summary.statuses[SyncStatus.error.value]
            self._one_pass(params, summary, recheck=params.recheck and n == 0)
            if summary.statuses[SyncStatus.error.value] == errors_before:
                break

    def _one_pass(self, params: SyncParams, summary: SyncSummary, recheck: bool) -> None:
        source = SOURCES[params.system]
        after, done = (0, 0), 0
        while True:
            with self.engine.connect() as conn:
                national(conn)
                rows = source.page(
                    conn,
                    self.cipher,
                    params.system,
                    after,
                    params.batch_size,
                    params.year,
                    params.institution_id,
                )
            if not rows:
                break
            after = (rows[-1].institution_id, rows[-1].record_id)
            done += len(rows)
            todo = [(r, r.digest()) for r in rows]
            if not recheck:
                todo = [
                    (r, d) for r, d in todo if not (r.status in ANSWERED and r.payload_hash == d)
                ]
            summary.skipped += len(rows) - len(todo)
            if todo:
                self._batch(params, summary, todo, after)
            self.progress(done, summary.total)

    def _batch(
        self,
        params: SyncParams,
        summary: SyncSummary,
        todo: list[tuple[Row, str]],
        cursor: tuple[int, int],
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        summary.batches += 1
        values: list[dict[str, Any]] = []
        try:
            reply = self.send([r.query for r, _ in todo])
            messages = reply.messages
            answers = {a.ref: a for a in reply.value}
            for row, digest in todo:
                answer = answers.get(str(row.record_id))
                if answer is None:
                    got = {"status": SyncStatus.error.value, "diff": None, "result": None}
                    error: str | None = "no answer for this record"
                else:
                    got, error = answer_values(row, answer), None
                values.append(self._state(params, row, digest, now, got, error, summary))
        except RegistryError as exc:
            summary.failed_batches += 1
            messages = exc.messages
            got = {"status": SyncStatus.error.value, "diff": None, "result": None}
            for row, digest in todo:
                values.append(self._state(params, row, digest, now, got, exc.outcome, summary))
            self.pause()
        summary.sent += len(todo)
        with self.engine.begin() as conn:
            national(conn)
            exchange.append(conn, messages)
            _upsert(conn, values)
            conn.execute(
                update(RUN)
                .where(RUN.c.id == summary.run_id)
                .values(heartbeat_at=now, cursor=cursor[1], counts=summary.as_dict())
            )

    @staticmethod
    def _state(
        params: SyncParams,
        row: Row,
        digest: str,
        now: dt.datetime,
        got: dict[str, Any],
        error: str | None,
        summary: SyncSummary,
    ) -> dict[str, Any]:
        summary.statuses[got["status"]] += 1
        return {
            "institution_id": row.institution_id,
            "system": params.system,
            "record_id": row.record_id,
            "person_id": row.person_id,
            "last_checked_at": now,
            "payload_hash": digest,
            "attempts": 1,
            "error": error,
            "run_id": summary.run_id,
            **got,
        }


def states(conn: Connection, system: str) -> dict[tuple[int, int], str]:
    """Every record's status for `system` (tests and the benchmark check completeness)."""
    national(conn)
    rows = conn.execute(
        select(STATE.c.institution_id, STATE.c.record_id, STATE.c.status).where(
            STATE.c.system == system
        )
    )
    return {(r.institution_id, r.record_id): r.status for r in rows}
