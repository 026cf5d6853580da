"""Benchmark: what the request id and request metrics middleware add to one request, and what
one /metrics exposition costs.

The middleware pair (web/observe.py: RequestId, RequestMetrics) wraps a bare ASGI app that
answers 200 at once, and is called directly (no HTTP, no server): the difference per request
with and without it is the middleware's own cost. Then the exposition of the process's registry
after requests over ROUTES templates (the database gauges are left out: they are read at most
once per 10 s).

    uv run python bench/bench_observe.py
    uv run python bench/bench_observe.py --requests 200000
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time
from typing import Any

from starlette.routing import Route

from hemis.observability.metrics import exposition
from hemis.web.observe import RequestId, RequestMetrics

ROUTES = 300  # about the number of route templates of the application


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


if __name__ == "__main__":
    main()
