"""Readiness: may this process be sent requests? The database answers `SELECT 1` within a short
time, and its schema is at the migration head this code was written for.

The check runs in a worker thread bounded by a timeout: a database that hangs (a dead host, a
full pool) answers "not ready" promptly. A check still running when the next probe arrives is
not joined by a second one (the probe is answered "not ready: busy"), so a hung database cannot
fill the thread pool with waiting probes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import anyio
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from hemis.db import migrate

TIMEOUT_SECONDS = 2.0
# PostgreSQL: insufficient_privilege. On PostgreSQL the application's role may not read
# alembic_version (migration 0001 revokes it): the version is then "unreadable", not a failure.
_NO_PRIVILEGE = "42501"


class Database(StrEnum):
    ok = "ok"
    unreachable = "unreachable"
    timeout = "timeout"
    busy = "busy"  # the previous check has not finished


class Migration(StrEnum):
    current = "current"
    behind = "behind"  # the database is at another revision than the code's head
    missing = "missing"  # no revision recorded: never migrated
    unreadable = "unreadable"  # this role may not read the version
    unknown = "unknown"  # the database did not answer


@dataclass(frozen=True)
class Verdict:
    database: Database
    migration: Migration

    @property
    def ready(self) -> bool:
        return self.database is Database.ok and self.migration in (
            Migration.current,
            Migration.unreadable,
        )


@cache
def code_heads() -> frozenset[str]:
    """The migration head(s) of this code (read once: it imports Alembic)."""
    return frozenset(migrate.heads())


def _version(engine: Engine) -> tuple[Database, str | bool | None]:
    """SELECT 1, then the recorded revision (False: not readable by this role)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL statement_timeout = {int(TIMEOUT_SECONDS * 1000)}"))
        conn.execute(text("SELECT 1"))
        try:  # (a failure here is the transaction's last statement: no savepoint needed)
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == _NO_PRIVILEGE:
                return Database.ok, False
            if "alembic_version" in str(exc.orig):  # no such table: never migrated
                return Database.ok, None
            raise
        return Database.ok, (str(row[0]) if row else None)


def check_now(engine: Engine, heads: Callable[[], frozenset[str]] = code_heads) -> Verdict:
    """The verdict, in the calling thread (no timeout of its own beyond the driver's)."""
    try:
        database, version = _version(engine)
    except Exception:  # any failure to answer is "unreachable"; the reason is not shown
        return Verdict(Database.unreachable, Migration.unknown)
    if version is False:
        return Verdict(database, Migration.unreadable)
    if version is None:
        return Verdict(database, Migration.missing)
    return Verdict(database, Migration.current if version in heads() else Migration.behind)


class Readiness:
    """The readiness check of one application (one engine)."""

    def __init__(
        self,
        engine: Engine,
        timeout: float = TIMEOUT_SECONDS,
        heads: Callable[[], frozenset[str]] = code_heads,
    ) -> None:
        self.engine = engine
        self.timeout = timeout
        self.heads = heads
        self._running = threading.Lock()

    def _run(self) -> Verdict:
        if not self._running.acquire(blocking=False):
            return Verdict(Database.busy, Migration.unknown)
        try:
            return check_now(self.engine, self.heads)
        finally:
            self._running.release()

    async def check(self) -> Verdict:
        if self._running.locked():
            return Verdict(Database.busy, Migration.unknown)
        # The code's head is read once per process, outside the timeout (Alembic's import
        # takes about a second, which is no sign of the database's health).
        await anyio.to_thread.run_sync(self.heads)
        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(self._run, abandon_on_cancel=True)
        except TimeoutError:
            return Verdict(Database.timeout, Migration.unknown)
