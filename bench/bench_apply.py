"""Benchmark: `hemis import learners` of 3,000,000 rows into PostgreSQL, then the same file again.

Creates a fresh database (migrated; one institution with 200 open programs and a reporting
period), writes a CSV of clean learners (every one a new person), then runs the command twice as
a subprocess — the first run validates every tier (a–f) and applies the file (3 M persons
encrypted, 3 M learners, 3 M status events, one transaction); the second finds nothing to write.
Per run: wall time, peak RSS of the process (its VmHWM), and the rows PostgreSQL reports written
to the registry tables (pg_stat_user_tables: n_tup_ins + n_tup_upd + n_tup_del).

    uv run python bench/bench_apply.py                    # 3,000,000 rows
    uv run python bench/bench_apply.py --rows 300000 --keep
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl
import psycopg

from hemis.db import migrate

ADMIN_URL = os.environ.get("HEMIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DBNAME = "hemis_bench_apply"
TABLES = ("person", "learner", "learner_status_event")
TARGET_SECONDS, TARGET_RSS_MB = 60, 3072
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Thu", "Gia"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
         "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân",
         "Sơn", "Tâm", "Thảo", "Trang", "Trung", "Tuấn", "Vy", "Yến"]  # fmt: skip


def conninfo(dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_URL)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def url(dbname: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(conninfo(dbname))
    who = user or info["user"]
    host, port = info.get("host", "127.0.0.1"), info.get("port", 5432)
    return f"postgresql+psycopg://{who}@{host}:{port}/{dbname}"


def fresh_database(programs: int) -> None:
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
            (programs,),
        )
        conn.execute(
            "INSERT INTO reporting_period (id, year, name, cutoff_on, finance_cutoff_on, opens_on,"
            " closes_on, created_at, updated_at) VALUES (1, 2025, 'Kỳ báo cáo 2025', '2025-12-31',"
            " '2025-12-31', '2026-01-01', '2026-03-31', now(), now())"
        )
        conn.execute(
            "INSERT INTO id_allocator (name, next_id) VALUES ('institution', 2), ('program', %s),"
            " ('reporting_period', 2)",
            (programs + 1,),
        )


def write_learners(path: Path, rows: int, programs: int) -> None:
    """Clean learners, each a different person: national IDs consistent with birth year and sex
    (4 provinces × 24 birth-year/sex combinations × serials), Vietnamese names."""
    i = pl.int_range(0, rows, eager=True, dtype=pl.Int64)
    frame = pl.DataFrame({"i": i}).with_columns(
        female=pl.col("i") % 2 == 1,
        year=1995 + (pl.col("i") // 2) % 12,
        province=(pl.col("i") // 24 // 1_000_000).replace_strict(
            [0, 1, 2, 3], ["001", "079", "031", "048"], default="001"
        ),
    )
    frame.select(
        student_code=pl.format("SV{}", pl.col("i").cast(pl.String).str.zfill(8)),
        national_id=pl.concat_str(
            "province",
            (
                pl.col("female").cast(pl.Int64)
                + pl.when(pl.col("year") >= 2000).then(2).otherwise(0)
            ).cast(pl.String),
            (pl.col("year") % 100).cast(pl.String).str.zfill(2),
            (pl.col("i") // 24 % 1_000_000).cast(pl.String).str.zfill(6),
        ),
        full_name=pl.concat_str(
            pl.lit(pl.Series(FAMILY)).gather(pl.col("i") % 10),
            pl.lit(pl.Series(MIDDLE)).gather(pl.col("i") // 7 % 10),
            pl.lit(pl.Series(GIVEN)).gather(pl.col("i") // 13 % 30),
            separator=" ",
        ),
        date_of_birth=pl.format("{}-0{}-1{}", "year", pl.col("i") % 9 + 1, pl.col("i") % 9),
        sex=pl.when("female").then(pl.lit("female")).otherwise(pl.lit("male")),
        nationality=pl.lit("VN"),
        ethnicity=pl.lit("01"),
        program_code=pl.format("P{}", (pl.col("i") % programs + 1).cast(pl.String).str.zfill(3)),
        cohort_year=(pl.col("year") + 18).cast(pl.String),
        admitted_on=pl.format("{}-09-05", pl.col("year") + 18),
        study_mode=pl.lit("full_time"),
        funding_source=pl.lit("self_funded"),
        status=pl.lit("enrolled"),
        status_date=pl.format("{}-09-05", pl.col("year") + 18),
    ).write_csv(path)


def rows_written() -> int:
    with psycopg.connect(conninfo(DBNAME)) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        found = conn.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables "
            "WHERE relname = ANY(%s)",
            (list(TABLES),),
        ).fetchone()
    return int(found[0]) if found else 0


class PeakRss:
    """The child's peak RSS (VmHWM, its own high-water mark), read until it exits. Not the
    ru_maxrss of wait4: Linux carries this script's own peak (it generated the file) over to a
    child it spawns."""

    def __init__(self, pid: int) -> None:
        self.kb = 0
        self.status = Path(f"/proc/{pid}/status")
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while True:
            try:
                text = self.status.read_text()
            except OSError:
                return
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    self.kb = max(self.kb, int(line.split()[1]))
            if "State:\tZ" in text:  # exited: the last reading stands
                return
            time.sleep(0.02)


def run_import(path: Path, log: Path) -> tuple[float, float, int, str]:
    """(seconds, peak RSS in MB, rows written per PostgreSQL, the output) of one run."""
    env = os.environ | {
        "HEMIS_DATABASE_URL": url(DBNAME, "hemis_app"),
        "HEMIS_MIGRATION_DATABASE_URL": url(DBNAME),
    }
    command = [sys.executable, "-m", "hemis", "import", "learners", str(path)]
    command += ["--institution", "BKA", "--as-of", "2025-12-31", "--period", "2025"]
    before = rows_written()
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = PeakRss(proc.pid)
        _pid, status, _usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"hemis import failed ({proc.returncode}):\n{text}")
    time.sleep(1.0)
    return seconds, peak.kb / 1024, rows_written() - before, " ".join(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--programs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    print(f"{dt.date.today()}  {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="hemis-bench-") as tmp:
        path = Path(tmp) / "learners.csv"
        write_learners(path, args.rows, args.programs)
        print(f"file: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB")
        fresh_database(args.programs)
        os.sync()  # the file and the new database on disk first: setup, not part of a run
        with open("/proc/loadavg") as fh:
            print("load average before:", fh.read().split()[:3])
        log = Path(tmp) / "out.txt"
        results = [
            ("first import", *run_import(path, log)),
            ("same file again", *run_import(path, log)),
        ]
    print(f"\n{'run':<16} {'seconds':>8} {'peak RSS MB':>12} {'rows written':>14}")
    for name, seconds, rss, written, _ in results:
        print(f"{name:<16} {seconds:>8.1f} {rss:>12.0f} {written:>14,}")
    for name, *_rest, output in results:
        print(f"\n{name}: {output}")
    ok = all(s <= TARGET_SECONDS and r <= TARGET_RSS_MB for _, s, r, _, _ in results)
    verdict = "met" if ok else "NOT met"
    print(f"target ≤ {TARGET_SECONDS} s and ≤ {TARGET_RSS_MB} MB per run: {verdict}")
    print(f"second run wrote {results[1][3]:,} rows (target 0)")
    if not args.keep:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
