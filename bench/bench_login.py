"""Benchmark: logins per second through `POST /api/v1/auth/token` (ADR 0024).

Creates a fresh, migrated PostgreSQL database `hemis_bench_login` with N candidate users, serves
it with `hemis serve --workers 2` (its own process, loopback port, the `hemis_app` role), and
fires logins from a pool of threads (one httpx client each, round-robin over the users) for a
fixed time at each concurrency level. Reports logins/s, p50/p99 latency, errors, and the CPU
the server and PostgreSQL spent per login (what decides capacity on the 2 cores).

`--before-src PATH/src` first measures the same thing served from another source tree
(the code before ADR 0024, argon2-cffi's default parameters), its users hashed as that code
hashes them. The login throttle stays on; the bench only raises its per-username slow-down
threshold by setting (`HEMIS_LOGIN_SLOW_AFTER`), since every user logs in many times a window.

    uv run python bench/bench_login.py                                  # 4, 8, 16 clients × 20 s
    git worktree add ../before <commit before ADR 0024>
    uv run python bench/bench_login.py --before-src ../before/src --write-docs
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from argon2 import PasswordHasher
from bench_ipn import (
    conninfo,
    cpu_by_pid,
    cpu_of,
    free_port,
    load_average,
    server_pids,
    url,
)

from hemis.accounts.passwords import PASSWORD_HASH_PARAMETERS, hash_password
from hemis.db import migrate

ADMIN_URL = os.environ.get("HEMIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DBNAME = "hemis_bench_login"
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_login:start -->", "<!-- bench_login:end -->"
TARGET_RPS, TARGET_P99_MS = 150, 500
PASSWORD = secrets.token_urlsafe(18)  # fresh per run


@dataclass(frozen=True)
class Level:
    label: str
    clients: int
    seconds: float
    logins: int
    errors: int
    p50_ms: float
    p99_ms: float
    app_cpu_ms: float  # per successful login
    pg_cpu_ms: float
    load: str

    @property
    def rate(self) -> float:
        return self.logins / self.seconds


def our_backends() -> list[int]:
    """PostgreSQL backends serving this bench's database (their title names it), so the CPU of
    other databases' work on a shared machine is not counted."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().decode(errors="replace")
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            if title.startswith("postgres:") and f" {DBNAME} " in title:
                out.append(int(entry.name))
    return out


def seed(users: int, password_hash: str) -> None:
    """A fresh database with `users` candidates sharing one stored hash (hashing each user
    separately costs the same per login and only slows the seeding)."""
    with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DBNAME}"')
    migrate.upgrade(url(DBNAME))
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(conninfo(DBNAME)) as conn:
        with conn.cursor().copy(
            "COPY app_user (id, username, display_name, password_hash, role, is_active, "
            "signatory, must_change_password, created_at, updated_at) FROM STDIN"
        ) as cp:
            for i in range(1, users + 1):
                cp.write_row(
                    (i, f"ts-bench-{i}", f"Thí sinh {i}", password_hash, "candidate", True,
                     False, False, now, now)
                )  # fmt: skip
        conn.execute(
            "INSERT INTO id_allocator (name, next_id) VALUES ('app_user', %s) "
            "ON CONFLICT (name) DO UPDATE SET next_id = EXCLUDED.next_id",
            (users + 1,),
        )
        conn.execute("ANALYZE")
        conn.commit()


def serve(port: int, workers: int, src: str | None, log_name: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": url(DBNAME, "hemis_app"),
        "HEMIS_MIGRATION_DATABASE_URL": url(DBNAME),
        "HEMIS_LOG_LEVEL": "WARNING",
        "HEMIS_VAR_DIR": str(OUT / "var"),
        # Each bench user logs in many times a window; the per-address limit stays as it is.
        "HEMIS_LOGIN_SLOW_AFTER": "1000000",
    }
    if src:
        env["PYTHONPATH"] = src
    log = (OUT / log_name).open("wb")
    cmd = [sys.executable, "-m", "hemis", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start")


def fire(base: str, users: int, clients: int, seconds: float) -> tuple[list[float], int]:
    """Latencies (ms) of successful logins and the count of failed ones, `clients` threads."""
    names = itertools.cycle(range(1, users + 1))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    name = f"ts-bench-{next(names)}"
                started = time.perf_counter()
                try:
                    response = client.post(
                        "/api/v1/auth/token", data={"username": name, "password": PASSWORD}
                    )
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = (time.perf_counter() - started) * 1000
                with lock:
                    if ok:
                        latencies.append(took)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else float("nan")


def run(
    label: str, src: str | None, password_hash: str, args: argparse.Namespace, levels: list[int]
) -> list[Level]:
    seed(args.users, password_hash)
    port = free_port()
    server = serve(port, args.workers, src, f"login-{label}.log")
    base = f"http://127.0.0.1:{port}"
    out = []
    try:
        app_pids = server_pids(server.pid)
        fire(base, args.users, 2, 2)  # warm-up: pools filled, code paths loaded
        for clients in levels:
            load_before = load_average()
            app0, pg0 = cpu_of(app_pids), cpu_by_pid(our_backends())
            started = time.monotonic()
            latencies, errors = fire(base, args.users, clients, args.seconds)
            took = time.monotonic() - started
            app_cpu = cpu_of(app_pids) - app0
            pg_cpu = sum(c - pg0.get(pid, 0.0) for pid, c in cpu_by_pid(our_backends()).items())
            n = max(len(latencies), 1)
            level = Level(
                label,
                clients,
                took,
                len(latencies),
                errors,
                statistics.median(latencies) if latencies else float("nan"),
                p99(latencies),
                1000 * app_cpu / n,
                1000 * pg_cpu / n,
                f"{load_before} → {load_average()}",
            )
            out.append(level)
            print(
                f"{label:<7} {clients:>3} clients: {level.rate:6.1f} logins/s  p50 "
                f"{level.p50_ms:6.0f} ms  p99 {level.p99_ms:6.0f} ms  errors {errors}  CPU/login "
                f"app {level.app_cpu_ms:.1f} ms + PostgreSQL {level.pg_cpu_ms:.1f} ms  "
                f"load {level.load}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(30)
    return out


def table(levels: list[Level]) -> str:
    rows = [
        "| code | clients | logins/s | p50 ms | p99 ms | errors | CPU ms per login "
        "(app + PostgreSQL) | load average (1, 5, 15 min) before → after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for lv in levels:
        rows.append(
            f"| {lv.label} | {lv.clients} | {lv.rate:.1f} | {lv.p50_ms:.0f} | {lv.p99_ms:.0f} | "
            f"{lv.errors} | {lv.app_cpu_ms:.1f} + {lv.pg_cpu_ms:.1f} | {lv.load} |"
        )
    return "\n".join(rows)


def write_docs(levels: list[Level], args: argparse.Namespace, command: str) -> None:
    after = [lv for lv in levels if lv.label == "after"]
    best = max(after, key=lambda lv: lv.rate)
    met = any(lv.rate >= TARGET_RPS and lv.p99_ms <= TARGET_P99_MS for lv in after)
    per_login = best.app_cpu_ms + best.pg_cpu_ms
    p = PASSWORD_HASH_PARAMETERS
    text = (
        "## Logins: `POST /api/v1/auth/token` (ADR 0024)\n\n"
        f"A fresh database `{DBNAME}` with {args.users} candidate accounts; `hemis serve "
        f"--workers {args.workers}` as `hemis_app`; threads with one httpx client each log in "
        f"round-robin for {args.seconds:.0f} s per level (throttle on; only its per-username "
        "slow-down threshold raised by `HEMIS_LOGIN_SLOW_AFTER`). Each login counts the "
        "attempt (two upserts, commit), verifies the argon2id hash, clears the address "
        "counter (commit) and issues a bearer token (insert, commit). The load generator, "
        "uvicorn and PostgreSQL share the 2 cores, and the machine is shared with other work "
        "(load averages below). PostgreSQL CPU is that of the backends serving this database.\n\n"
        f"- **Command**: `{command}` (niced)\n"
        f"- **Date**: {dt.date.today().isoformat()}\n"
        f"- **Machine**: {os.cpu_count()} cores, Python {platform.python_version()}, "
        "PostgreSQL on the same machine\n"
        f"- **Parameters**: before = argon2-cffi default (m=65536 KiB, t=3, p=4); after = "
        f"m={p.memory_kib} KiB, t={p.iterations}, p={p.parallelism}\n"
        f"- **Target**: ≥ {TARGET_RPS} logins/s at p99 ≤ {TARGET_P99_MS} ms — "
        f"{'met' if met else 'not met'}; best after: {best.rate:.0f} logins/s with "
        f"{best.clients} clients; {per_login:.1f} ms of server CPU per login → 2 idle cores "
        f"would serve ≈ {2000 / per_login:.0f} logins/s without the load generator.\n\n"
        f"{table(levels)}\n"
    )
    body = DOCS.read_text(encoding="utf-8")
    block = f"{START}\n{text}{END}"
    if START in body:
        body = re.sub(f"{re.escape(START)}.*?{re.escape(END)}", lambda _m: block, body, flags=re.S)
    else:
        body = body.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(body, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levels", default="4,8,16", help="concurrent clients, comma-separated")
    parser.add_argument("--before-src", help="source tree of the code to measure first")
    parser.add_argument("--before-levels", default="8")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    levels: list[Level] = []
    if args.before_src:
        old = PasswordHasher().hash(PASSWORD)  # what the code before ADR 0024 stored
        before = [int(n) for n in args.before_levels.split(",")]
        levels += run("before", args.before_src, old, args, before)
    after = [int(n) for n in args.levels.split(",")]
    levels += run("after", None, hash_password(PASSWORD), args, after)
    if args.write_docs:
        argv = [a if a != args.before_src else "../before/src" for a in sys.argv[1:]]
        write_docs(levels, args, "uv run python bench/bench_login.py " + " ".join(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
