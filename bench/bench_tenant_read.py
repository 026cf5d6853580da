"""Benchmark: what tenancy costs an officer at an institution with a million learners.

Runs on the database that `bench/bench_apply.py --rows 1040000 --keep` leaves behind (one
institution, 1,040,000 learners and persons, PostgreSQL). Serves the app (`hemis serve`, its own
process, the `hemis_app` role so row-level security applies), gets a bearer token for a ministry
user and for an officer of that institution through `POST /api/v1/auth/token`, and requests, in
turn and sequentially (the latency one user sees):

- one learner by id (a different random learner each time) — the read the issue names;
- the first page of the learner list, and a list filtered by student code.

Each as the officer and as the ministry, N times; prints p50/p95/max and rewrites this benchmark's
section of docs/benchmarks.md.

    uv run python bench/bench_apply.py --rows 1040000 --keep   # first: the million learners
    uv run python bench/bench_tenant_read.py                    # then: 200 requests per read
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import select

from hemis.accounts.models import User
from hemis.accounts.passwords import hash_password
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_tenant_read:start -->", "<!-- bench_tenant_read:end -->"
TARGET_MS = 50.0
PASSWORD = secrets.token_urlsafe(18)  # fresh per run; the users are reset to it
USERS = {"bench.bo": ("ministry_admin", None), "bench.truong": ("institution_officer", 1)}


def conninfo(admin_url: str, dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(admin_url)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def sqlalchemy_url(admin_url: str, dbname: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(conninfo(admin_url, dbname))
    who = user or info["user"]
    host, port = info.get("host", "127.0.0.1"), info.get("port", 5432)
    return f"postgresql+psycopg://{who}@{host}:{port}/{dbname}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reset_users(owner_url: str) -> None:
    engine = make_engine(owner_url)
    with scoped_session(make_session_factory(engine), Scope.system("bench")) as s:
        for name, (role, institution_id) in USERS.items():
            user = s.scalar(select(User).where(User.username == name))
            if user is None:
                user = User(username=name, display_name=name, role=role, is_active=True)
                s.add(user)
            user.password_hash = hash_password(PASSWORD)
            user.institution_id = institution_id
        s.commit()
    engine.dispose()


def wait_up(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("server not up in 120 s")


def token(base: str, username: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def measure(client: httpx.Client, paths: list[str]) -> list[float]:
    client.get(paths[0])  # warm-up (connections opened, statements prepared)
    out = []
    for path in paths:
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
            "HEMIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--db", default="hemis_bench_apply")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    with psycopg.connect(conninfo(args.pg_url, args.db)) as conn:
        learners = conn.execute(
            "SELECT count(*), min(id), max(id) FROM learner WHERE institution_id = 1"
        ).fetchone()
        if learners is None or not learners[0]:
            raise SystemExit("no learners: run bench/bench_apply.py --rows 1040000 --keep first")
        count, low, high = (int(v) for v in learners)
        # The statistics autovacuum gathers within a minute of a large load; measured in that
        # steady state, not in the minute after the load.
        conn.execute("ANALYZE learner, person, staff")
        codes = [
            str(r[0])
            for r in conn.execute(
                "SELECT student_code FROM learner TABLESAMPLE SYSTEM (1) LIMIT %s",
                (args.requests,),
            )
        ]
    reset_users(sqlalchemy_url(args.pg_url, args.db))
    rng = random.Random(7)
    port = free_port()
    env = {
        **os.environ,
        "HEMIS_DATABASE_URL": sqlalchemy_url(args.pg_url, args.db, "hemis_app"),
        "HEMIS_COOKIE_SECURE": "false",
        "HEMIS_LOG_LEVEL": "WARNING",
    }
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
        wait_up(base)
        for username, who in (("bench.truong", "officer"), ("bench.bo", "ministry")):
            headers = {"Authorization": f"Bearer {token(base, username)}"}
            reads = {
                "one learner by id": [
                    f"/api/v1/learners/{rng.randint(low, high)}" for _ in range(args.requests)
                ],
                "learner list, first page": ["/api/v1/learners?limit=50"] * args.requests,
                "learner list by student code": [
                    f"/api/v1/learners?student_code={code}" for code in codes
                ],
            }
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                for label, paths in reads.items():
                    times = measure(client, paths)
                    results.append((who, label, times))
                    print(
                        f"{who:<9} {label:<30} p50 {statistics.median(times):7.1f} ms   "
                        f"p95 {p95(times):7.1f} ms   max {max(times):7.1f} ms"
                    )
        loads.append(os.getloadavg()[0])
    finally:
        server.terminate()
        server.wait(timeout=20)
    if not args.no_docs:
        write_docs(results, loads, count, args.requests)
    return 0


def write_docs(
    results: list[tuple[str, str, list[float]]], loads: list[float], learners: int, n: int
) -> None:
    officer = [p95(t) for who, _, t in results if who == "officer"]
    verdict = "met" if max(officer) <= TARGET_MS else "**missed**"
    rows = "\n".join(
        f"| {who} | {label} | {statistics.median(t):.1f} | {p95(t):.1f} | {max(t):.1f} |"
        for who, label, t in results
    )
    section = f"""{START}
## Tenancy cost: an officer's reads at an institution with {learners:,} learners

`uv run python bench/bench_apply.py --rows 1040000 --keep` then
`uv run python bench/bench_tenant_read.py` — {dt.date.today()}, {os.cpu_count()} cores,
Python {platform.python_version()}, PostgreSQL (Debian defaults), `hemis serve` (one worker, the
`hemis_app` role: row-level security on), {n} sequential requests per read with a bearer token;
load average {loads[0]:.2f} before, {loads[-1]:.2f} after.

| caller | read | p50 ms | p95 ms | max ms |
|---|---|---:|---:|---:|
{rows}

Target: an officer's read ≤ {TARGET_MS:.0f} ms at 1 M learners — {verdict} (worst officer p95
{max(officer):.1f} ms).
{END}"""
    text = DOCS.read_text(encoding="utf-8")
    if START in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
