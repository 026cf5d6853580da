"""Benchmark: `hemis db backup` and `hemis db restore` of a synthetic nation on PostgreSQL.

Creates a database, migrates it, loads `hemis synth --scale S`, then times `hemis db backup`
(pg_dump --format=custom in one snapshot, plus the manifest's row counts) and `hemis db
restore` into a second, freshly created database (pg_restore in one transaction, plus the
recount against the manifest), each as a subprocess. Prints the figures and the machine load
(`uptime`) and rewrites this benchmark's section of docs/benchmarks.md.

    uv run python bench/bench_backup.py --scale 0.05 0.2   # one row per scale, updates the docs
    uv run python bench/bench_backup.py --scale 0.05 --no-docs
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from bench_synth import conninfo, machine, sqlalchemy_url

from hemis.db import migrate

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_backup:start -->", "<!-- bench_backup:end -->"
SOURCE, TARGET = "hemis_bench_backup", "hemis_bench_restore"


def hemis(url: str, *args: str) -> tuple[float, float]:
    """Run `hemis …` against `url`: its wall time and the time it reports itself (without the
    process start), in seconds; exits on failure."""
    env = {**os.environ, "HEMIS_DATABASE_URL": url, "COLUMNS": "200"}
    env.pop("HEMIS_MIGRATION_DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "hemis", *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"hemis {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    reported = re.findall(r"in ([0-9.]+) s\b", " ".join(done.stdout.split()))
    return seconds, float(reported[-1]) if reported else seconds


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


@dataclass
class Run:
    scale: str
    rows: int
    db_mb: float
    dump_mb: float
    backup: tuple[float, float]
    restore: tuple[float, float]
    load_before: str
    load_after: str


def measure(pg_url: str, scale: float, seed: int) -> Run:
    admin = conninfo(pg_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in (SOURCE, TARGET):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SOURCE}"')
    source, target = sqlalchemy_url(pg_url, SOURCE), sqlalchemy_url(pg_url, TARGET)
    try:
        migrate.upgrade(source)
        hemis(source, "synth", "--scale", f"{scale:g}", "--seed", str(seed))
        with psycopg.connect(conninfo(pg_url, SOURCE)) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            db_bytes = int(row[0]) if row else 0
        with tempfile.TemporaryDirectory(prefix="hemis-bench-backup-") as tmp:
            out = Path(tmp) / "hemis.dump"
            load_before = uptime()
            backup = hemis(source, "db", "backup", "--out", str(out))
            manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{TARGET}"')
            restore = hemis(target, "db", "restore", "--from", str(out))
            load_after = uptime()
            dump_bytes = out.stat().st_size
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in (SOURCE, TARGET):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rows = sum(int(n) for n in manifest["tables"].values())
    return Run(
        f"{scale:g}", rows, db_bytes / 2**20, dump_bytes / 2**20, backup, restore,
        load_before, load_after,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[0.05])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "HEMIS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    with psycopg.connect(conninfo(args.pg_url, "postgres")) as conn:
        pg_version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    runs = [measure(args.pg_url, scale, args.seed) for scale in args.scale]
    for r in runs:
        print(
            f"scale {r.scale}: {r.rows:,} rows, database {r.db_mb:,.0f} MB, dump {r.dump_mb:,.1f}"
            f" MB, backup {r.backup[0]:.1f} s ({r.backup[1]:.1f} s in the command), restore"
            f" {r.restore[0]:.1f} s ({r.restore[1]:.1f} s in the command)\n"
            f"  load before: {r.load_before}\n  load after:  {r.load_after}"
        )
    if not args.no_docs:
        write_docs(runs, args.scale, pg_version)
    return 0


def write_docs(runs: list[Run], scales: list[float], pg_version: str) -> None:
    table = "\n".join(
        f"| {r.scale} | {r.rows:,} | {r.db_mb:,.0f} MB | {r.dump_mb:,.1f} MB"
        f" | {r.backup[0]:.1f} s ({r.backup[1]:.1f} s)"
        f" | {r.restore[0]:.1f} s ({r.restore[1]:.1f} s)"
        f" | {r.db_mb / r.backup[1]:,.0f} / {r.db_mb / r.restore[1]:,.0f} MB/s |"
        for r in runs
    )
    loads = "\n".join(
        f"  - scale {r.scale}: before the backup `{r.load_before}`; after the restore"
        f" `{r.load_after}`"
        for r in runs
    )
    command = " ".join(f"{s:g}" for s in scales)
    section = f"""{START}
## Backup and restore (`hemis db backup`, `hemis db restore`) on PostgreSQL

A synthetic nation (`hemis synth --scale S --seed 1`) in a fresh PostgreSQL database, backed up
with `hemis db backup` (pg_dump `--format=custom` in one snapshot, plus the manifest's exact row
counts) and restored with `hemis db restore` into a new empty database (pg_restore in one
transaction, indexes and constraints rebuilt, then every table recounted against the manifest).
Wall times include starting the `hemis` process; in brackets, the time the command reports
itself (from its start of work to its summary line). Rates are MB of database (not of backup
file) per second of the command's own time.

- **Command**: `uv run python bench/bench_backup.py --scale {command}`
- **Date**: {dt.date.today().isoformat()}
- **Machine**: {machine()}; PostgreSQL {pg_version} on the same machine (default settings).
- **Load** (`uptime`):
{loads}

| scale | rows | database | backup file | backup | restore | backup / restore rate |
|---|---|---|---|---|---|---|
{table}

docs/backup.md turns these rates into the recovery figures (RPO/RTO) of each procedure.
{END}"""
    text = DOCS.read_text(encoding="utf-8")
    if START in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
