"""Benchmark: what the request id and request metrics middleware add to one request, and what
one /metrics exposition costs.

The middleware pair (web/observe.py: RequestId, RequestMetrics) wraps a bare ASGI app that
answers 200 at once, and is called directly (no HTTP, no server): the difference per request
with and without it is the middleware's own cost. Then the exposition of the process's registry
after requests over ROUTES templates (the database gauges are left out: they are read at most
once per 10 s).

The database gauges' read (observability/scrape.py: job queues, sync records by registry and
status, running syncs) is timed with `--pg-rows N`: a fresh PostgreSQL database with N
sync_state rows spread over 240 institutions and 3 registries, read as the application's role
(row-level security on), as a scrape does.

    uv run python bench/bench_observe.py
    uv run python bench/bench_observe.py --requests 200000
    uv run python bench/bench_observe.py --requests 1000 --pg-rows 3000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from typing import Any

import psycopg
from starlette.routing import Route

from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory
from hemis.observability.metrics import exposition
from hemis.observability.scrape import read_state
from hemis.web.observe import RequestId, RequestMetrics

ROUTES = 300  # about the number of route templates of the application
ADMIN_URL = os.environ.get("HEMIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DBNAME = "hemis_bench_observe"
_FILL = """
ALTER TABLE sync_state DROP CONSTRAINT fk_sync_state_institution_id_institution;
INSERT INTO sync_state (institution_id, id, system, record_id, person_id, status, attempts)
SELECT g % 240 + 1, g, (ARRAY['population', 'insurance', 'civil_service'])[g % 3 + 1], g, g,
       (ARRAY['actual', 'actual', 'actual', 'different', 'error', 'not_found',
              'not_checked'])[g % 7 + 1], 0
FROM generate_series(1, %s) AS g;
ANALYZE sync_state;
"""


def _url(user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_URL)
    who = user or info.get("user", "postgres")
    host, port = info.get("host", "127.0.0.1"), info.get("port", "5432")
    return f"postgresql+psycopg://{who}@{host}:{port}/{DBNAME}"


def bench_scrape_read(rows: int, repeats: int) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DBNAME}"')
    try:
        migrate.upgrade(_url())
        started = time.perf_counter()
        with psycopg.connect(_url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(_FILL.replace("%s", str(int(rows))))  # type: ignore[call-overload]
        print(f"filled {rows:,} sync_state rows in {time.perf_counter() - started:.0f} s")
        engine = make_engine(_url("hemis_app"))
        sessions = make_session_factory(engine)
        read_state(sessions)  # warm: connection, statement caches
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            state = read_state(sessions)
            times.append(time.perf_counter() - started)
        engine.dispose()
        total = sum(sum(c.values()) for c in state.sync.values())
        print(
            f"database gauges read: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms over {repeats} reads ({total:,} records counted)"
        )
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    scope["route"] = scope["bench_route"]
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def _send(message: dict[str, Any]) -> None:
    return None


def _scope(route: Route, i: int) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": f"/api/v1/learners/{i}",
        "headers": [(b"host", b"x"), (b"x-request-id", b"abc-123")] if i % 2 else [],
        "bench_route": route,
    }


async def _run(app: Any, n: int, routes: list[Route]) -> float:
    started = time.perf_counter()
    for i in range(n):
        await app(_scope(routes[i % len(routes)], i), _receive, _send)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pg-rows", type=int, default=0)
    args = parser.parse_args()
    routes = [Route(f"/api/v1/r{k}/{{item_id}}", bare) for k in range(ROUTES)]
    wrapped = RequestId(RequestMetrics(bare))
    plain_times, wrapped_times = [], []
    for _ in range(args.repeats):
        plain_times.append(asyncio.run(_run(bare, args.requests, routes)))
        wrapped_times.append(asyncio.run(_run(wrapped, args.requests, routes)))
    plain = statistics.median(plain_times) / args.requests * 1e6
    full = statistics.median(wrapped_times) / args.requests * 1e6
    print(f"python {platform.python_version()}, {args.requests} requests x {args.repeats}")
    print(f"bare app:            {plain:7.2f} µs/request")
    print(f"with both middleware: {full:7.2f} µs/request  (+{full - plain:.2f} µs)")
    started = time.perf_counter()
    body = exposition()
    took = (time.perf_counter() - started) * 1000
    print(f"exposition: {took:.1f} ms, {len(body) / 1024:.0f} KiB, {ROUTES} route templates")
    if args.pg_rows:
        bench_scrape_read(args.pg_rows, args.repeats)


if __name__ == "__main__":
    main()
