"""Benchmark: learners' digital competency levels at national size on PostgreSQL.

1. Import: `hemis import digital_competencies_wide FILE` of one row per learner with 24 level
   columns (3,000,000 learners = 72 M levels), every tier checked, applied in one transaction;
   then the same file again (nothing to write). Wall time and peak RSS (VmHWM) per run.
2. Indicators: `hemis competency indicators --year 2025` over that nation (the whole cube).
3. Profile: the learner's own page (/me/competency, a learner account) and the profile API of
   random learners, each requested in turn against `hemis serve`; p50 and p95.

Setup (not timed): a fresh database, one institution with 200 programs that each target all 24
competencies, N learners (and their persons) inserted by SQL. Targets: import ≤ 120 s and
≤ 3 GB; indicators ≤ 30 s; profile page p95 ≤ 200 ms.

    uv run python bench/bench_competency.py                     # 3,000,000 learners
    uv run python bench/bench_competency.py --learners 300000   # a tenth, on a shared machine
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import polars as pl
import psycopg
from bench_apply import PeakRss, conninfo, url

from hemis.accounts.passwords import hash_password
from hemis.db import migrate

DBNAME = "hemis_bench_competency"
PROGRAMS = 200
READER_MB = 4096  # address space of the file reader (--reader-memory-mb)
PASSWORD = "mat-khau-do-hieu-nang-1"  # noqa: S105 - a throwaway benchmark account
TARGET_IMPORT_S, TARGET_RSS_MB, TARGET_INDICATORS_S, TARGET_P95_MS = 120, 3072, 30, 200
CODES = [f"{d}.{c}" for d, n in ((1, 3), (2, 6), (3, 4), (4, 4), (5, 4), (6, 3)) for c in
         range(1, n + 1)]  # fmt: skip


def setup(learners: int) -> None:
    with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DBNAME}"')
    migrate.upgrade(url(DBNAME))
    with psycopg.connect(conninfo(DBNAME)) as conn:
        conn.execute(
            "INSERT INTO institution (id, moet_code, name_vi, name_folded, type, ownership, "
            "governing_body, province_code, status, trains_doctorates, specialised, created_at, "
            "updated_at) VALUES (1, 'BKA', 'Đại học Bách khoa Hà Nội', 'dai hoc bach khoa ha noi',"
            " 'university', 'public', 'Bộ GD&ĐT', '001', 'active', true, false, now(), now())"
        )
        conn.execute(
            "INSERT INTO program (institution_id, id, discipline_code, code, name_vi, level, mode, "
            "language, credits, duration_years, accreditation_status, opened_on, annual_quota, "
            "status, created_at, updated_at) SELECT 1, g, '7480201', 'P' || lpad(g::text, 3, '0'),"
            " 'Chương trình ' || g, 'bachelor', 'full_time', 'vi', 130, 4, 'none', '2000-01-01', "
            "20000, 'open', now(), now() FROM generate_series(1, %s) g",
            (PROGRAMS,),
        )
        conn.execute(
            "INSERT INTO reporting_period (id, year, name, cutoff_on, finance_cutoff_on, opens_on,"
            " closes_on, created_at, updated_at) VALUES (1, 2025, 'Kỳ báo cáo 2025', '2025-12-31',"
            " '2025-12-31', '2026-01-01', '2026-03-31', now(), now())"
        )
        conn.execute(
            "INSERT INTO person (id, national_id_enc, national_id_index, full_name, name_folded, "
            "date_of_birth, sex, ethnicity_code, nationality, created_at, updated_at, row_version) "
            "SELECT g, sha256(('p' || g)::bytea), sha256(('p' || g)::bytea), 'Người học ' || g, "
            "'nguoi hoc ' || g, '2004-01-01', CASE WHEN g %% 2 = 0 THEN 'male' ELSE 'female' END, "
            "'01', 'VN', now(), now(), 1 FROM generate_series(1, %s) g",
            (learners,),
        )
        conn.execute(
            "INSERT INTO learner (institution_id, id, person_id, program_id, student_code, "
            "cohort_year, study_mode, funding_source, admitted_on, status, status_date, "
            "created_at, updated_at, row_version) SELECT 1, g, g, 1 + g %% %s, "
            "'SV' || lpad(g::text, 8, '0'), 2022, 'full_time', 'self_funded', '2022-09-05', "
            "'enrolled', '2022-09-05', now(), now(), 1 FROM generate_series(1, %s) g",
            (PROGRAMS, learners),
        )
        conn.execute(
            "INSERT INTO program_competency_target (institution_id, id, program_id, "
            "framework_version, competency_code, level, created_at, updated_at) "
            "SELECT 1, row_number() OVER (), p, 'TT02-2025', c, 5, now(), now() "
            "FROM generate_series(1, %s) p, unnest(%s::text[]) c",
            (PROGRAMS, CODES),
        )
        conn.execute(
            "INSERT INTO id_allocator (name, next_id) VALUES ('institution', 2), ('program', %s),"
            " ('reporting_period', 2), ('person', %s), ('learner', %s), "
            "('program_competency_target', %s), ('app_user', 3)",
            (PROGRAMS + 1, learners + 1, learners + 1, PROGRAMS * 24 + 1),
        )
        for uid, name, role, person in (
            (1, "learner1", "learner", 1),
            (2, "officer1", "institution_officer", None),
        ):
            conn.execute(
                "INSERT INTO app_user (id, username, display_name, password_hash, role, "
                "institution_id, person_id, is_active, signatory, must_change_password, "
                "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, true, false, false, "
                "now(), now())",
                (uid, name, name, hash_password(PASSWORD), role,
                 1 if role == "institution_officer" else None, person),
            )  # fmt: skip
        conn.execute("ANALYZE")


def reusable(learners: int) -> bool:
    """A kept database with exactly these learners: its assessments and indicators emptied."""
    try:
        with psycopg.connect(conninfo(DBNAME)) as conn:
            found = conn.execute("SELECT count(*) FROM learner").fetchone()
            if not found or int(found[0]) != learners:
                return False
            conn.execute("DELETE FROM competency_assessment")
            conn.execute("DELETE FROM competency_indicator")
            conn.execute("DELETE FROM submission_job")
            conn.execute("DELETE FROM submission")
    except psycopg.OperationalError:
        return False
    with psycopg.connect(conninfo(DBNAME), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return True


def write_levels(path: Path, learners: int) -> None:
    """One sitting per learner, 24 level columns (about one in ten left empty)."""
    i = pl.int_range(0, learners, eager=True, dtype=pl.Int64)
    frame = pl.DataFrame({"i": i})
    levels = {
        "level_" + code.replace(".", "_"): pl.when((pl.col("i") * 7 + n) % 10 == 0)
        .then(pl.lit(None, pl.String))
        .otherwise((1 + (pl.col("i") * 31 + n * 17) % 8).cast(pl.String))
        for n, code in enumerate(CODES)
    }
    frame.select(
        student_code=pl.format("SV{}", (pl.col("i") + 1).cast(pl.String).str.zfill(8)),
        assessed_on=pl.lit("2025-06-0") + (1 + pl.col("i") % 9).cast(pl.String),
        method=pl.lit("exam"),
        evidence_ref=pl.format("KT-{}", pl.col("i") % 50),
        **levels,
    ).write_csv(path)


class TreeRss:
    """The peak of the resident memory of a process and its children together (the import and
    its file reader), sampled every 50 ms; and each process's own peak (VmHWM)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self.own: dict[int, int] = {}
        threading.Thread(target=self._watch, daemon=True).start()

    def _children(self, pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                found += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
        return found

    def _status(self, pid: int) -> dict[str, int]:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            return {}
        return {
            k: int(v.split()[0])
            for k, v in (line.split(":", 1) for line in lines)
            if k in ("VmRSS", "VmHWM")
        }

    def _watch(self) -> None:
        while Path(f"/proc/{self.pid}").exists():
            total = 0
            for pid in (self.pid, *self._children(self.pid)):
                status = self._status(pid)
                total += status.get("VmRSS", 0)
                self.own[pid] = max(self.own.get(pid, 0), status.get("VmHWM", 0))
            self.peak_kb = max(self.peak_kb, total)
            time.sleep(0.05)

    @property
    def reader_mb(self) -> float:
        others = [kb for pid, kb in self.own.items() if pid != self.pid]
        return max(others, default=0) / 1024


def env() -> dict[str, str]:
    return os.environ | {
        "HEMIS_DATABASE_URL": url(DBNAME, "hemis_app"),
        "HEMIS_MIGRATION_DATABASE_URL": url(DBNAME),
        "HEMIS_COOKIE_SECURE": "false",
        "HEMIS_ENV": "test",
        "HEMIS_LOG_LEVEL": "WARNING",
        "HEMIS_IMPORT_READER_MEMORY_MB": str(READER_MB),
    }


def timed(command: list[str], log: Path) -> tuple[float, float, str, float, float]:
    """(seconds, peak RSS MB of the process, output, peak RSS MB of the process and its
    children together, the file reader's own peak MB) of one `hemis` command."""
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "hemis", *command], env=env(), stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        peak = PeakRss(proc.pid)
        tree = TreeRss(proc.pid)
        _pid, status, _usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"hemis {' '.join(command)} failed:\n{text}")
    return seconds, peak.kb / 1024, " ".join(text.split()), tree.peak_kb / 1024, tree.reader_mb


def login(client: httpx.Client, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code in (200, 303), answer.status_code


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def profile_latency(learners: int, requests: int, log: Path) -> dict[str, tuple[float, float]]:
    port = 8791
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "hemis", "serve", "--port", str(port)], env=env(),
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        out: dict[str, tuple[float, float]] = {}
        with httpx.Client(base_url=base, timeout=30) as learner:
            login(learner, "learner1")
            assert learner.get("/me/competency").status_code == 200  # warm
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                assert learner.get("/me/competency").status_code == 200
                samples.append((time.perf_counter() - started) * 1000)
            out["learner page /me/competency"] = percentiles(samples)
        with httpx.Client(base_url=base, timeout=30) as officer:
            login(officer, "officer1")
            samples = []
            step = max(1, learners // requests)
            for n in range(requests):
                started = time.perf_counter()
                answer = officer.get(f"/competency/learners/{1 + (n * step * 7919) % learners}")
                assert answer.status_code == 200, answer.status_code
                samples.append((time.perf_counter() - started) * 1000)
            out["officer profile page, random learners"] = percentiles(samples)
        return out
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=3_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept database of as many learners"
    )
    parser.add_argument("--reader-memory-mb", type=int, default=READER_MB)
    args = parser.parse_args()
    globals()["READER_MB"] = args.reader_memory_mb
    print(f"{dt.date.today()}  {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="hemis-bench-") as tmp:
        path = Path(tmp) / "digital_competencies_wide.csv"
        write_levels(path, args.learners)
        print(f"file: {args.learners:,} learners × 24 levels, {path.stat().st_size / 1e6:.0f} MB")
        started = time.perf_counter()
        if not (args.reuse and reusable(args.learners)):
            setup(args.learners)
        print(f"setup (not timed in the results): {time.perf_counter() - started:.1f} s")
        os.sync()
        with open("/proc/loadavg") as fh:
            print("load average before:", fh.read().split()[:3])
        log = Path(tmp) / "out.txt"
        command = ["import", "digital_competencies_wide", str(path), "--institution", "BKA"]
        command += ["--as-of", "2025-12-31", "--period", "2025"]
        first = timed(command, log)
        again = timed(command, log)
        indicators = timed(["competency", "indicators", "--year", "2025"], log)
        latency = profile_latency(args.learners, args.requests, Path(tmp) / "serve.txt")
        with open("/proc/loadavg") as fh:
            print("load average after:", fh.read().split()[:3])
    print(f"reader address-space limit: {READER_MB} MB")
    print(f"\n{'step':<28} {'seconds':>8} {'RSS MB':>8} {'with reader':>12} {'reader':>8}")
    for name, (seconds, rss, _, tree, reader) in (
        ("import (first)", first), ("import (same file again)", again),
        ("indicators 2025", indicators),
    ):  # fmt: skip
        print(f"{name:<28} {seconds:>8.1f} {rss:>8.0f} {tree:>12.0f} {reader:>8.0f}")
    for name, (_s, _r, output, _t, _rd) in (
        ("first", first),
        ("again", again),
        ("indicators", indicators),
    ):
        print(f"\n{name}: {output[-600:]}")
    print(f"\n{'profile':<40} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (p50, p95) in latency.items():
        print(f"{name:<40} {p50:>8.1f} {p95:>8.1f}")
    print(
        f"\ntargets: import ≤ {TARGET_IMPORT_S} s and ≤ {TARGET_RSS_MB} MB, indicators ≤ "
        f"{TARGET_INDICATORS_S} s, profile p95 ≤ {TARGET_P95_MS} ms"
    )
    if not args.keep:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
