"""Metrics read from the database when Prometheus scrapes: job queues and registry sync.

These describe the database, the same whichever process answers, so the process answering a
scrape reads them instead of every process keeping them up to date. The queues and the running
syncs' heartbeats are indexed look-ups, kept for CACHE_SECONDS (several scrapers, or a short
scrape interval, cost one read per interval). The records by sync status are a count over the
whole sync_state table — 0.6 s for 1,000,000 rows on PostgreSQL as the application's role
(docs/benchmarks.md) — and change slowly: they are kept for SYNC_CACHE_SECONDS. A read that
fails leaves these metrics out of that scrape and sets hemis_scrape_database_ok to 0 (the rest
of the exposition still answers).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import structlog
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from sqlalchemy.orm import sessionmaker

from hemis.actions import service as actions
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.integrations import queries as integrations
from hemis.observability.metrics import DB_POOL_CHECKED_OUT, DB_POOL_SIZE
from hemis.submissions import queries as submissions

log = structlog.get_logger(__name__)
CACHE_SECONDS = 10.0
SYNC_CACHE_SECONDS = 300.0


@dataclass
class DatabaseState:
    """What the database says at one moment."""

    at: dt.datetime
    # queue name -> (jobs queued, when the oldest was queued)
    queues: dict[str, tuple[int, dt.datetime | None]] = field(default_factory=dict)
    sync: dict[str, dict[str, int]] = field(default_factory=dict)
    heartbeats: dict[str, dt.datetime] = field(default_factory=dict)


def read_state(
    sessions: sessionmaker[HemisSession], sync: dict[str, dict[str, int]] | None = None
) -> DatabaseState:
    """The database's state now; the sync counts are read only when `sync` is not given."""
    with scoped_session(sessions, Scope.system("metrics")) as session:
        return DatabaseState(
            at=dt.datetime.now(dt.UTC),
            queues={
                "submission": submissions.queued_jobs(session),
                "action": actions.queued(session),
            },
            sync=integrations.status_counts(session) if sync is None else sync,
            heartbeats=integrations.running_heartbeats(session),
        )


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


def families(state: DatabaseState) -> Iterator[Metric]:
    depth = GaugeMetricFamily(
        "hemis_job_queue_depth", "Jobs queued and not yet started, by queue.", labels=["queue"]
    )
    age = GaugeMetricFamily(
        "hemis_job_queue_oldest_age_seconds",
        "Age of the oldest queued job, by queue (0 when none waits).",
        labels=["queue"],
    )
    for queue, (count, oldest) in sorted(state.queues.items()):
        depth.add_metric([queue], count)
        age.add_metric([queue], _age(state.at, oldest))
    records = GaugeMetricFamily(
        "hemis_sync_records",
        "Records by national registry and sync status.",
        labels=["system", "status"],
    )
    for system, counts in sorted(state.sync.items()):
        for status, n in sorted(counts.items()):
            records.add_metric([system, status], n)
    beat = GaugeMetricFamily(
        "hemis_sync_run_heartbeat_age_seconds",
        "Seconds since a running sync last reported progress, by registry (absent: none runs).",
        labels=["system"],
    )
    for system, at in sorted(state.heartbeats.items()):
        beat.add_metric([system], _age(state.at, at))
    yield from (depth, age, records, beat)


class DatabaseCollector(Collector):
    """Reads DatabaseState at scrape time, at most once per CACHE_SECONDS."""

    def __init__(
        self,
        sessions: sessionmaker[HemisSession],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self._lock = threading.Lock()
        self._state: DatabaseState | None = None
        self._read_at = float("-inf")
        self._sync_read_at = float("-inf")

    def _current(self) -> DatabaseState | None:
        with self._lock:
            now = self.clock()
            if now - self._read_at >= CACHE_SECONDS:
                self._read_at = now
                fresh_sync = self._state is None or now - self._sync_read_at >= SYNC_CACHE_SECONDS
                try:
                    self._state = read_state(
                        self.sessions,
                        None if fresh_sync or self._state is None else self._state.sync,
                    )
                    if fresh_sync:
                        self._sync_read_at = now
                except Exception as exc:  # the scrape must still answer
                    log.warning("metrics_database_read_failed", error=type(exc).__name__)
                    self._state = None
            return self._state

    def collect(self) -> Iterator[Metric]:
        state = self._current()
        ok = GaugeMetricFamily(
            "hemis_scrape_database_ok", "1 when the database metrics could be read."
        )
        ok.add_metric([], 1 if state is not None else 0)
        yield ok
        if state is not None:
            yield from families(state)


def watch_pool(engine: Engine, name: str) -> None:
    """Keep the pool gauges of `engine` (labelled `name`) up to date from its events."""
    size = getattr(engine.pool, "size", None)
    if callable(size):
        DB_POOL_SIZE.labels(name).inc(size())
    checked_out = DB_POOL_CHECKED_OUT.labels(name)

    def on_checkout(*_: object) -> None:
        checked_out.inc()

    def on_checkin(*_: object) -> None:
        checked_out.dec()

    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)


def unwatch_pool(engine: Engine, name: str) -> None:
    """Take a disposed engine's pool out of the size gauge (tests build many apps)."""
    size = getattr(engine.pool, "size", None)
    if callable(size):
        DB_POOL_SIZE.labels(name).dec(size())
