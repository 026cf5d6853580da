"""An import killed mid-way (SIGKILL, no chance to clean up) leaves the database as it was: the
whole import is one transaction. `hemis import` runs in a subprocess on ~100,000 learners and is
killed once it reports writing learners — persons are written by then, in the same transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from sqlalchemy import text

from hemis.db.session import make_engine
from tests.conftest import TestDB
from tests.submissions.world import World

ROWS = 100_000
TABLES = ("person", "learner", "learner_status_event", "submission", "submission_job")


def big_file(path: Path, rows: int) -> Path:
    """Clean learners: unique student codes and structurally valid national IDs."""
    i = pl.int_range(0, rows, eager=True)
    female = i % 2 == 1
    year = 2000 + (i // 2) % 5
    pl.DataFrame({"i": i, "female": female, "year": year}).select(
        student_code=pl.format("K{}", pl.col("i").cast(pl.String).str.zfill(7)),
        national_id=pl.concat_str(
            pl.lit("001"),
            (2 + pl.col("female").cast(pl.Int64)).cast(pl.String),
            (pl.col("year") % 100).cast(pl.String).str.zfill(2),
            (pl.col("i") // 10).cast(pl.String).str.zfill(6),
        ),
        full_name=pl.lit("Nguyễn Văn Thử"),
        date_of_birth=pl.format("{}-02-03", pl.col("year")),
        sex=pl.when(pl.col("female")).then(pl.lit("female")).otherwise(pl.lit("male")),
        program_code=pl.lit("P1"),
        cohort_year=(pl.col("year") + 18).cast(pl.String),
        admitted_on=pl.format("{}-09-05", pl.col("year") + 18),
        study_mode=pl.lit("full_time"),
        funding_source=pl.lit("self_funded"),
        status=pl.lit("enrolled"),
        status_date=pl.format("{}-09-05", pl.col("year") + 18),
    ).write_csv(path)
    return path


def state(db: TestDB) -> dict[str, object]:
    engine = make_engine(db.owner_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
            out: dict[str, object] = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
            }
            out["audit_head"] = conn.execute(
                text("SELECT last_seq, last_hash FROM audit_head")
            ).all()
            out["id_allocator"] = conn.execute(
                text("SELECT name, next_id FROM id_allocator ORDER BY name")
            ).all()
            return out
    finally:
        engine.dispose()


def test_sigkill_mid_import_leaves_the_database_unchanged(
    db: TestDB, scene: World, tmp_path: Path
) -> None:
    path = big_file(tmp_path / "big.csv", ROWS)
    before = state(db)
    env = os.environ | {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": db.url,
        "HEMIS_MIGRATION_DATABASE_URL": db.owner_url,
    }
    command = [sys.executable, "-m", "hemis", "import", "learners", str(path)]
    command += ["--institution", "SUB01", "--as-of", "2025-12-31"]
    seen: list[str] = []
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        deadline = time.monotonic() + 120
        for line in proc.stderr:
            seen.append(line)
            if "writing learner" in line:
                proc.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, seen
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert not any("done" in line for line in seen)
    assert any("persons: 100,000/100,000" in line for line in seen), seen
    assert state(db) == before
