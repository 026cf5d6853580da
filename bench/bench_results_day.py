"""Benchmark: results day — candidates reading their published result (ADR 0025).

    uv run python bench/bench_results_day.py                          # 100,000 candidates
    uv run python bench/bench_results_day.py --before-src ../before/src --write-docs

A fresh PostgreSQL database (`hemis_bench_results`) gets bench_round.py's synthetic admissions
year (N candidates, ~9 wishes each), and one final round is snapshotted, run and published
through the admissions services as the application role (publishing writes the read model; its
time is reported). M candidate accounts are linked to candidates of the round and each gets a
web session minted directly (the session table, as the accounts service writes it), so no
password hashing is measured. `hemis serve --workers 2` runs as its own process; `wrk` (a C
load generator, Debian package) then GETs `/admissions/results` (the page) and
`/api/v1/me/admission-results` (the API) for `--seconds` at each concurrency level, every
request with another candidate's cookie. Reported: pages/s, p50, p99, errors (non-2xx and
socket errors), and the CPU per request of the app processes and of the PostgreSQL backends of
this database (from /proc).

`--before-src PATH/src` first measures the page served by another source tree on the same
database (the code before the read model: the result computed from the round tables at each
request).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bench_round
import httpx
import psycopg
from bench_ipn import cpu_by_pid, cpu_of, free_port, load_average, server_pids

from hemis.accounts.service import session_digest
from hemis.admissions import rounds
from hemis.admissions.schemas import RoundCreate
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope

DBNAME = "hemis_bench_results"
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_results_day:start -->", "<!-- bench_results_day:end -->"
TARGET_RPS, TARGET_P99_MS = 1500, 300
PAGE, API = "/admissions/results", "/api/v1/me/admission-results"
# wrk: each request carries the next candidate's cookie; percentiles and errors as JSON at the end
WRK_SCRIPT = """
local cookies = {}
for line in io.lines(os.getenv("HEMIS_BENCH_COOKIES")) do cookies[#cookies + 1] = line end
local n = 0
local path = os.getenv("HEMIS_BENCH_PATH")
request = function()
  n = n + 1
  return wrk.format("GET", path, {["Cookie"] = "hemis_session=" .. cookies[(n % #cookies) + 1]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "non2xx": %d, '
    .. '"socket": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Level:
    code: str
    route: str
    clients: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    app_cpu_ms: float
    pg_cpu_ms: float
    load: str

    @property
    def rate(self) -> float:
        return (self.requests - self.errors) / self.seconds


def our_backends() -> list[int]:
    """PostgreSQL backends serving this database (their process title names it)."""
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


def build(candidates: int) -> dict[str, float]:
    """The synthetic year, one final round snapshotted, run and published (timed)."""
    bench_round.fresh_database(DBNAME)
    frames = bench_round.generate(candidates, 4_000, 500, 9.0, 1)
    bench_round.load(DBNAME, frames)
    del frames
    engine = make_engine(bench_round.sa_url(DBNAME, "hemis_app"))
    out: dict[str, float] = {}
    try:
        with scoped_session(make_session_factory(engine), Scope.system("bench")) as s:
            round_ = rounds.create_round(s, RoundCreate(year=bench_round.YEAR, is_final=True))
            rounds.take_snapshot(s, round_.id)
            rounds.run_round(s, round_.id)
            started = time.perf_counter()
            rounds.publish_round(s, round_.id)
            out["publish_s"] = time.perf_counter() - started
            out["published_rows"] = float(round_.stats.get("published_rows", 0))
            out["round_id"] = float(round_.id)
    finally:
        engine.dispose()
    return out


def mint_sessions(round_id: int, users: int, cookies: Path) -> None:
    """`users` candidate accounts linked to candidates of the round, one web session each."""
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(bench_round.conninfo(DBNAME)) as conn:
        persons = [
            r[0]
            for r in conn.execute(
                "SELECT person_id FROM round_candidate WHERE round_id = %s "
                "ORDER BY md5(person_id::text) LIMIT %s",
                (round_id, users),
            )
        ]
        tokens = [secrets.token_urlsafe(32) for _ in persons]
        with conn.cursor().copy(
            "COPY app_user (id, username, display_name, password_hash, role, person_id, "
            "is_active, signatory, must_change_password, created_at, updated_at) FROM STDIN"
        ) as cp:
            for i, person in enumerate(persons, start=1):
                cp.write_row(
                    (i, f"ts-results-{i}", f"Thí sinh {i}", "-", "candidate", person, True,
                     False, False, now, now)
                )  # fmt: skip
        with conn.cursor().copy(
            "COPY web_session (token_hash, user_id, csrf_token, created_at, expires_at) FROM STDIN"
        ) as cp:
            for i, token in enumerate(tokens, start=1):
                cp.write_row(
                    (session_digest(token), i, secrets.token_urlsafe(32), now,
                     now + dt.timedelta(days=1))
                )  # fmt: skip
        conn.execute(
            "INSERT INTO id_allocator (name, next_id) VALUES ('app_user', %s) "
            "ON CONFLICT (name) DO UPDATE SET next_id = EXCLUDED.next_id",
            (len(persons) + 1,),
        )
        conn.commit()
    with psycopg.connect(bench_round.conninfo(DBNAME), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    cookies.write_text("\n".join(tokens) + "\n", encoding="utf-8")


def serve(port: int, workers: int, src: str | None, log_name: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": bench_round.sa_url(DBNAME, "hemis_app"),
        "HEMIS_MIGRATION_DATABASE_URL": bench_round.sa_url(DBNAME),
        "HEMIS_LOG_LEVEL": "WARNING",
        "HEMIS_VAR_DIR": str(OUT / "var"),
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


def wrk(base: str, path: str, clients: int, seconds: float, cookies: Path) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    env = os.environ | {"HEMIS_BENCH_COOKIES": str(cookies), "HEMIS_BENCH_PATH": path}
    cmd = ["wrk", "-t", "1", "-c", str(clients), "-d", f"{seconds:.0f}s", "--timeout", "10s"]
    done = subprocess.run(
        [*cmd, "-s", script.name, base], env=env, capture_output=True, text=True, check=True
    )
    os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, float] = json.loads(line[len("RESULT ") :])
    return result


def measure(
    code: str, src: str | None, args: argparse.Namespace, plan: list[tuple[str, int]], cookies: Path
) -> list[Level]:
    port = free_port()
    server = serve(port, args.workers, src, f"results-{code}.log")
    base = f"http://127.0.0.1:{port}"
    out = []
    try:
        app_pids = server_pids(server.pid)
        for path, _ in plan:
            wrk(base, path, 4, 3, cookies)  # warm-up: pools filled, templates compiled
        for path, clients in plan:
            load_before = load_average()
            app0, pg0 = cpu_of(app_pids), cpu_by_pid(our_backends())
            r = wrk(base, path, clients, args.seconds, cookies)
            app_cpu = cpu_of(app_pids) - app0
            pg_cpu = sum(c - pg0.get(pid, 0.0) for pid, c in cpu_by_pid(our_backends()).items())
            served = max(int(r["requests"]), 1)
            level = Level(
                code,
                "page" if path == PAGE else "API",
                clients,
                r["seconds"],
                int(r["requests"]),
                int(r["non2xx"] + r["socket"]),
                r["p50_us"] / 1000,
                r["p99_us"] / 1000,
                1000 * app_cpu / served,
                1000 * pg_cpu / served,
                f"{load_before} → {load_average()}",
            )
            out.append(level)
            print(
                f"{code:<7} {level.route:<4} {clients:>3} clients: {level.rate:7.1f}/s  p50 "
                f"{level.p50_ms:6.1f} ms  p99 {level.p99_ms:6.1f} ms  errors {level.errors}  "
                f"CPU/request app {level.app_cpu_ms:.2f} ms + PostgreSQL "
                f"{level.pg_cpu_ms:.2f} ms  load {level.load}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(30)
    return out


def table(levels: list[Level]) -> str:
    rows = [
        "| code | route | clients | requests/s | p50 ms | p99 ms | errors | CPU ms per request "
        "(app + PostgreSQL) | load average (1, 5, 15 min) before → after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for lv in levels:
        rows.append(
            f"| {lv.code} | {lv.route} | {lv.clients} | {lv.rate:.0f} | {lv.p50_ms:.1f} | "
            f"{lv.p99_ms:.1f} | {lv.errors} | {lv.app_cpu_ms:.2f} + {lv.pg_cpu_ms:.2f} | "
            f"{lv.load} |"
        )
    return "\n".join(rows)


def write_docs(levels: list[Level], built: dict[str, float], args: argparse.Namespace) -> None:
    after = [lv for lv in levels if lv.code == "after" and lv.route == "page"]
    best = max(after, key=lambda lv: lv.rate)
    met = any(lv.rate >= TARGET_RPS and lv.p99_ms <= TARGET_P99_MS for lv in after)
    per_page = best.app_cpu_ms + best.pg_cpu_ms
    argv = [a if a != args.before_src else "../before/src" for a in sys.argv[1:]]
    text = (
        "## Results day: a candidate's published result (ADR 0025)\n\n"
        f"A fresh database `{DBNAME}` with bench_round.py's synthetic year of "
        f"{args.candidates:,} candidates (~9 wishes each); one final round snapshotted, run and "
        f"published as `hemis_app` (publishing wrote {built['published_rows']:,.0f} read-model "
        f"rows in {built['publish_s']:.1f} s). {args.users:,} candidate accounts with a web "
        f"session each (minted, no password hashing); `hemis serve --workers {args.workers}`; "
        f"`wrk` (one thread) for {args.seconds:.0f} s per level, each request another "
        "candidate's cookie. `page` is `GET /admissions/results` (HTML, session check, the "
        "candidate's person, the year, one read of `published_result`, the confirmation); "
        "`API` is `GET /api/v1/me/admission-results` (JSON). `before` is the code before the "
        "read model on the same database (the page computed from the round tables per "
        "request). wrk, uvicorn and PostgreSQL share the 2 cores, and the machine is shared "
        "with other work (load averages below). PostgreSQL CPU is that of the backends serving "
        "this database.\n\n"
        f"- **Command**: `uv run python bench/bench_results_day.py {' '.join(argv)}` (niced)\n"
        f"- **Date**: {dt.date.today().isoformat()}\n"
        f"- **Machine**: {os.cpu_count()} cores, Python {platform.python_version()}, "
        "PostgreSQL on the same machine\n"
        f"- **Target**: ≥ {TARGET_RPS} result pages/s at p99 ≤ {TARGET_P99_MS} ms — "
        f"{'met' if met else 'not met'}; best: {best.rate:.0f} pages/s with {best.clients} "
        f"clients; {per_page:.2f} ms of server CPU per page → 2 idle cores would serve "
        f"≈ {2000 / per_page:.0f} pages/s without the load generator.\n\n"
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
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000, help="candidate sessions")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levels", default="16,64", help="concurrent connections")
    parser.add_argument("--before-src", help="source tree of the code to measure first")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    built = build(args.candidates)
    print(
        f"built in {time.perf_counter() - started:.0f} s; published "
        f"{built['published_rows']:,.0f} rows in {built['publish_s']:.1f} s",
        flush=True,
    )
    cookies = OUT / "results-day-cookies.txt"
    mint_sessions(int(built["round_id"]), args.users, cookies)
    levels = [int(n) for n in args.levels.split(",")]
    measured: list[Level] = []
    try:
        if args.before_src:
            measured += measure("before", args.before_src, args, [(PAGE, levels[0])], cookies)
        plan = [(PAGE, n) for n in levels] + [(API, n) for n in levels]
        measured += measure("after", None, args, plan, cookies)
    finally:
        cookies.unlink(missing_ok=True)
        if not args.keep:
            with psycopg.connect(bench_round.conninfo("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
    if args.write_docs:
        write_docs(measured, built, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
