"""Benchmark: dashboard pages served at national scale (p50/p95 per page).

Serves the app (`hemis serve`, one uvicorn worker, its own process) on the PostgreSQL database
that bench/bench_indicators.py loaded and computed (the full synthetic nation, 470 institutions,
3 million learners), logs in through the real form as a ministry user and as an institution
officer, and requests each dashboard page N times in turn with httpx (sequentially: the latency
a user sees, not throughput). Rewrites this benchmark's section of docs/benchmarks.md.

    uv run python bench/bench_indicators.py --keep      # first: load and compute
    uv run python bench/bench_dashboard.py              # then: 200 requests per page
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from bench_synth import conninfo, machine, sqlalchemy_url
from sqlalchemy import select, text

from hemis.accounts.models import User
from hemis.accounts.passwords import hash_password
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Institution

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_dashboard:start -->", "<!-- bench_dashboard:end -->"
TARGET_P95_MS = 500.0
PASSWORD = secrets.token_urlsafe(18)  # fresh per run; the users are reset to it
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def users(url: str) -> tuple[int, str]:
    """A ministry user and an officer of the largest institution; returns its id and province."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with scoped_session(factory, Scope.system("bench")) as s:
        row = s.execute(
            text(
                "SELECT institution_id, count(*) AS n FROM learner GROUP BY institution_id "
                "ORDER BY n DESC LIMIT 1"
            )
        ).one()
        inst = s.scalar(select(Institution).where(Institution.id == row[0]))
        assert inst is not None
        for name in ("bench.bo", "bench.truong"):
            found = s.scalar(select(User).where(User.username == name))
            if found is not None:
                found.password_hash = hash_password(PASSWORD)
            else:
                s.add(
                    User(
                        username=name,
                        display_name=name,
                        password_hash=hash_password(PASSWORD),
                        role="ministry_admin" if name == "bench.bo" else "institution_officer",
                        institution_id=None if name == "bench.bo" else inst.id,
                        is_active=True,
                    )
                )
        s.commit()
        result = (inst.id, inst.province_code)
    engine.dispose()
    return result


def log_in(client: httpx.Client, username: str) -> None:
    page = client.get("/login")
    token = _CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text[:300]


def measure(client: httpx.Client, path: str, n: int) -> list[float]:
    client.get(path)  # warm-up (templates compiled, connections opened)
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "HEMIS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--db", default="hemis_bench_indicators")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    url = sqlalchemy_url(args.pg_url, args.db)
    institution_id, province = users(url)
    port = free_port()
    env = {**os.environ, "HEMIS_DATABASE_URL": url, "HEMIS_COOKIE_SECURE": "false"}
    env.update(HEMIS_LOG_LEVEL="WARNING")
    env.pop("HEMIS_MIGRATION_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "hemis", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    results: list[tuple[str, str, list[float]]] = []
    loads = [os.getloadavg()[0]]
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server not up in 120 s")
            time.sleep(0.3)
        inst = f"/indicators/institutions/{institution_id}"
        pages = {
            "bench.bo": [
                ("national overview", "/indicators"),
                ("compliance matrix, page 1 of 10", "/indicators/compliance"),
                ("matrix sorted by a criterion", "/indicators/compliance?sort=dropout&order=desc"),
                ("institution profile", inst),
                ("province view", f"/indicators/provinces/{province}"),
            ],
            "bench.truong": [
                ("officer: own profile", inst),
                ("officer: drill-down, page 1", f"{inst}/drill/lecturer_ratio/numerator"),
            ],
        }
        for username, wanted in pages.items():
            with httpx.Client(base_url=base, timeout=60) as client:
                log_in(client, username)
                for label, path in wanted:
                    times = measure(client, path, args.requests)
                    results.append((label, path, times))
                    print(
                        f"{label:<34} p50 {statistics.median(times):7.1f} ms   "
                        f"p95 {p95(times):7.1f} ms   max {max(times):7.1f} ms"
                    )
        loads.append(os.getloadavg()[0])
    finally:
        server.terminate()
        server.wait(timeout=20)
    import psycopg

    with psycopg.connect(conninfo(args.pg_url, args.db)) as conn:
        learners = int(conn.execute("SELECT count(*) FROM learner").fetchone()[0])  # type: ignore[index]
    if not args.no_docs:
        write_docs(results, loads, learners, args.requests)
    return 0


def write_docs(
    results: list[tuple[str, str, list[float]]], loads: list[float], learners: int, n: int
) -> None:
    worst = max(p95(t) for _, _, t in results)
    verdict = "met" if worst <= TARGET_P95_MS else "**missed**"
    rows = "\n".join(
        f"| {label} | `{path}` | {statistics.median(t):.0f} | {p95(t):.0f} | {max(t):.0f} |"
        for label, path, t in results
    )
    section = f"""{START}
## Dashboard pages at national scale

The indicator pages served by `hemis serve` (one uvicorn worker, its own process) on the
PostgreSQL database of the indicators benchmark ({learners:,} learners, 470 institutions, results
of 2025 computed), {n} sequential requests per page after one warm-up, logged in through the
real form (a ministry user; an officer of the largest institution).

- **Command**: `uv run python bench/bench_dashboard.py` (after `uv run python
  bench/bench_indicators.py --keep`).
- **Date**: {dt.date.today().isoformat()}
- **Machine**: {machine()}; 1-minute load average {loads[0]:.1f} before, {loads[-1]:.1f} after.
- **Target**: p95 ≤ {TARGET_P95_MS:.0f} ms for every page — {verdict} (worst p95 {worst:.0f} ms).

| page | path | p50 ms | p95 ms | max ms |
|---|---|---|---|---|
{rows}

The pages read precomputed results (`indicator_result`) and the national cube
(`indicator_cube`, ~12,000 rows a year); only the drill-down reads registry records, one page of
50 with a count over the institution's learners.
{END}"""
    text_ = DOCS.read_text(encoding="utf-8")
    if START in text_ and END in text_:
        before, rest = text_.split(START, 1)
        _, after = rest.split(END, 1)
        text_ = before + section + after
    else:
        text_ = text_.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text_, encoding="utf-8")
    print(f"updated {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
