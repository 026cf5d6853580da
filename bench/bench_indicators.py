"""Benchmark: every indicator for every institution of the synthetic nation on PostgreSQL.

Loads the full synthetic nation (`hemis synth --scale 1 --seed 1`, 470 institutions, 3 million
learners) into a fresh PostgreSQL database (or reuses it with --reuse), then times
`hemis indicators compute --year 2025` in-process (criteria, data quality, national cube, stored
results), the best of --repeat runs, and rewrites this benchmark's section of docs/benchmarks.md.

    uv run python bench/bench_indicators.py --keep            # load, compute, keep the database
    uv run python bench/bench_indicators.py --reuse --keep    # compute again on the loaded one
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from bench_synth import conninfo, machine, sqlalchemy_url

from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory
from hemis.indicators.engine import compute_year

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_indicators:start -->", "<!-- bench_indicators:end -->"
TARGET_SECONDS = 30.0
YEAR = 2025


def load(args: argparse.Namespace, url: str) -> float:
    admin = conninfo(args.pg_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')
    migrate.upgrade(url)
    env = {**os.environ, "HEMIS_DATABASE_URL": url, "COLUMNS": "160"}
    env.pop("HEMIS_MIGRATION_DATABASE_URL", None)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hemis", "synth", "--scale", f"{args.scale:g}", "--seed", "1"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with psycopg.connect(conninfo(args.pg_url, args.db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "HEMIS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--db", default="hemis_bench_indicators")
    parser.add_argument("--reuse", action="store_true", help="the database is already loaded")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()

    url = sqlalchemy_url(args.pg_url, args.db)
    load_seconds = None if args.reuse else load(args, url)
    if load_seconds is not None:
        print(f"loaded the synthetic nation in {load_seconds:,.1f} s")
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    runs = []
    loads = []
    for _ in range(args.repeat):
        before = os.getloadavg()[0]
        started = time.perf_counter()
        computed = compute_year(factory, YEAR, today=dt.date(2026, 6, 1))
        runs.append((time.perf_counter() - started, computed))
        loads.append(f"{before:.1f}→{os.getloadavg()[0]:.1f}")
        print(
            f"computed {computed.results:,} results for {computed.institutions} institutions "
            f"and {computed.cube_rows:,} cube rows in {runs[-1][0]:.1f} s "
            f"(load {loads[-1]}): "
            + ", ".join(f"{k} {v:.1f} s" for k, v in computed.seconds.items())
        )
    engine.dispose()
    with psycopg.connect(conninfo(args.pg_url, args.db)) as conn:
        learners = int(conn.execute("SELECT count(*) FROM learner").fetchone()[0])  # type: ignore[index]
        pg_version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    best, computed = min(runs, key=lambda r: r[0])
    if not args.no_docs:
        write_docs(best, computed, [r[0] for r in runs], loads, learners, pg_version, args.scale)
    if not args.keep:
        with psycopg.connect(conninfo(args.pg_url, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    return 0


def write_docs(
    best: float,
    computed: object,
    all_runs: list[float],
    loads: list[str],
    learners: int,
    pg_version: str,
    scale: float,
) -> None:
    from hemis.indicators.engine import Computed

    assert isinstance(computed, Computed)
    verdict = "met" if best <= TARGET_SECONDS else "**missed**"
    steps = "\n".join(f"| {k} | {v:.1f} |" for k, v in computed.seconds.items())
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(computed.statuses.items()))
    section = f"""{START}
## Indicators for the whole nation (`hemis indicators compute`)

Every Circular 01/2024 criterion and data-quality component for every institution, plus the
national cube, computed from the registry with one GROUP BY query per family and stored
(replacing the year's rows) in one transaction.

- **Command**: `uv run python bench/bench_indicators.py --keep` (loads `hemis synth --scale
  {scale:g} --seed 1` into a fresh database `hemis_bench_indicators` first; `--reuse` skips that).
- **Date**: {dt.date.today().isoformat()}
- **Machine**: {machine()}; PostgreSQL {pg_version}, default settings, after `VACUUM ANALYZE`.
- **Data**: {computed.institutions} institutions, {learners:,} learners; year {computed.year}.
- **Target**: ≤ {TARGET_SECONDS:.0f} s — {verdict}: best of {len(all_runs)} runs
  **{best:.1f} s** (all runs: {", ".join(f"{r:.1f}" for r in all_runs)} s; 1-minute load
  average before→after each run: {", ".join(loads)}).
- **Output**: {computed.results:,} results ({statuses}); {computed.cube_rows:,} cube rows.

| step (best run) | seconds |
|---|---|
{steps}

Where the time goes: almost all of it is the one pass over learner ⋈ program ⋈ person ⟕ award
(3 million rows, ~15 conditional sums, grouped per institution, program and sex). EXPLAIN
ANALYZE of that pass (2026-11-28, load ≈ 8): scanning and hashing `person` (3.1 million wide
rows, for the sex of each learner) ≈ 7 s, the award and program joins ≈ 4 s, the aggregation
≈ 11 s, and PostgreSQL's JIT compiling the ~100 expressions ≈ 9.5 s — hence `jit = off` for the
transaction (with `work_mem` at 256 MB so no hash spills). The machine was shared with other
jobs (2 cores, load average 6–13 during these runs), so these figures are an upper bound.
{END}"""
    text = DOCS.read_text(encoding="utf-8")
    if START in text and END in text:
        before, rest = text.split(START, 1)
        _, after = rest.split(END, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text, encoding="utf-8")
    print(f"updated {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
