"""Benchmark: read + validate (tiers a–c) of learner submissions.

    uv run python bench/bench_validate.py                 # 3,000,000-row CSV + 200,000-row xlsx
    uv run python bench/bench_validate.py --csv-rows 300000 --xlsx-rows 20000   # quicker

Generates the files once into var/bench/ (valid synthetic learners with ~1% broken rows), then
times each read + validate in a fresh subprocess so the peak RSS is that of the check alone.
Targets: 3 M CSV rows well under 30 s; 200 k xlsx rows ≤ 10 s (2 cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from hemis.registry.rules import cccd_province_codes

AS_OF = dt.date(2025, 12, 31)
OUT = Path(__file__).resolve().parents[1] / "var" / "bench"
EPOCH = np.datetime64("1970-01-01")
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc", "Thu", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hương",
    "Khánh",
    "Linh",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Việt",
    "Yến",
    "Đạt",
]


def _pick(rng: np.random.Generator, values: list[str], n: int) -> pl.Series:
    return pl.Series(values)[rng.integers(0, len(values), n)]


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("datetime64[D]")).cast(pl.Date).dt.to_string("%Y-%m-%d")


def learners(n: int, seed: int = 7) -> pl.DataFrame:
    """n learner rows as strings; about 1% of them break one rule each."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    female = rng.integers(0, 2, n)
    born = rng.integers(
        (np.datetime64("1980-01-01") - EPOCH).astype(int),
        (np.datetime64("2002-12-31") - EPOCH).astype(int),
        n,
    )
    year = born.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    provinces = sorted(cccd_province_codes())
    digit = (year // 100 - 19) * 2 + female
    admitted = born + 18 * 365 + rng.integers(0, 3 * 365, n)
    status_date = admitted + rng.integers(0, 700, n)
    graduated = rng.random(n) < 0.1
    status = np.where(
        graduated, "graduated", np.where(rng.random(n) < 0.05, "suspended", "enrolled")
    )
    frame = (
        pl.DataFrame(
            {
                "student_code": pl.Series(i).cast(pl.String).str.zfill(9).str.replace(r"^", "SV"),
                "national_id": pl.Series([provinces[k] for k in range(len(provinces))])[i % 63]
                + pl.Series(digit).cast(pl.String)
                + pl.Series(year % 100).cast(pl.String).str.zfill(2)
                + pl.Series(i // 63).cast(pl.String).str.zfill(6),
                "full_name": _pick(rng, FAMILY, n)
                + " "
                + _pick(rng, MIDDLE, n)
                + " "
                + _pick(rng, GIVEN, n),
                "date_of_birth": _dates(born),
                "sex": pl.Series(np.where(female == 1, "female", "male")),
                "nationality": pl.Series(["VN"] * n),
                "ethnicity": _pick(rng, ["01"] * 9 + ["02", "03", "04"], n),
                "program_code": pl.Series(rng.integers(1, 200, n))
                .cast(pl.String)
                .str.zfill(3)
                .str.replace(r"^", "P"),
                "cohort_year": pl.Series(
                    admitted.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
                ).cast(pl.String),
                "admitted_on": _dates(admitted),
                "study_mode": _pick(rng, ["full_time"] * 8 + ["part_time", "distance"], n),
                "funding_source": _pick(
                    rng, ["self_funded"] * 6 + ["state_budget", "scholarship"], n
                ),
                "status": pl.Series(status),
                "status_date": _dates(status_date),
                "gpa": pl.Series(np.round(rng.uniform(2.0, 4.0, n), 2)).cast(pl.String),
                "credits_earned": pl.Series(rng.integers(0, 150, n)).cast(pl.String),
                "_graduated": graduated,
            }
        )
        .with_columns(
            pl.when(pl.col("_graduated")).then(pl.col("status_date")).alias("graduated_on"),
            pl.when(pl.col("_graduated"))
            .then(pl.col("student_code").str.replace("SV", "VB"))
            .alias("diploma_number"),
        )
        .drop("_graduated")
    )
    broken = rng.random(n) < 0.01
    kind = pl.Series(np.where(broken, rng.integers(0, 6, n), -1))
    row = pl.Series([True] * n)
    return frame.with_columns(
        pl.when(row & (kind == 0)).then(pl.lit("4.7")).otherwise(pl.col("gpa")).alias("gpa"),
        pl.when(row & (kind == 1))
        .then(pl.lit("31/02/2020"))
        .otherwise(pl.col("admitted_on"))
        .alias("admitted_on"),
        pl.when(row & (kind == 2))
        .then(pl.lit("SV000000001"))
        .otherwise(pl.col("student_code"))
        .alias("student_code"),
        pl.when(row & (kind == 3))
        .then(pl.lit("fulltime"))
        .otherwise(pl.col("study_mode"))
        .alias("study_mode"),
        pl.when(row & (kind == 4)).then(pl.lit("male")).otherwise(pl.col("sex")).alias("sex"),
        pl.when(row & (kind == 5))
        .then(pl.lit("2031-01-01"))
        .otherwise(pl.col("status_date"))
        .alias("status_date"),
    )


def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("learners")
    ws.write_row(0, 0, frame.columns)
    for r, values in enumerate(frame.iter_rows(), start=1):
        ws.write_row(r, 0, ["" if v is None else v for v in values])
    book.close()


def generate(csv_rows: int, xlsx_rows: int) -> tuple[Path, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = OUT / f"learners_{csv_rows}.csv", OUT / f"learners_{xlsx_rows}.xlsx"
    if not csv_path.exists():
        learners(csv_rows).write_csv(csv_path)
    if not xlsx_path.exists():
        write_xlsx(learners(xlsx_rows, seed=11), xlsx_path)
    return csv_path, xlsx_path


def own_peak_rss_kb() -> int:
    """This process's peak RSS since it started (VmHWM). Not ru_maxrss: Linux carries the
    parent's peak over to a child it spawns, and the parent generated the files."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(path: Path) -> dict[str, object]:
    """Runs inside a fresh process: read, validate, report timings and peak RSS."""
    from hemis.imports import read_table, validate

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    start, cpu_start = time.perf_counter(), cpu()
    table = read_table(path, "learners")
    read = time.perf_counter()
    report = validate(
        "learners", table.frame, findings=table.findings, header_row=table.header_row, as_of=AS_OF
    )
    done = time.perf_counter()
    return {
        "file": path.name,
        "rows": report.rows,
        "errors": report.errors,
        "warnings": report.warnings,
        "rules_hit": report.summary().height,
        "read_s": round(read - start, 2),
        "validate_s": round(done - read, 2),
        "total_s": round(done - start, 2),
        "cpu_s": round(cpu() - cpu_start, 2),
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "peak_rss_mb": round(own_peak_rss_kb() / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv-rows", type=int, default=3_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    for path in generate(args.csv_rows, args.xlsx_rows):
        size = path.stat().st_size / 1e6
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(json.dumps({**json.loads(out), "size_mb": round(size, 1)}))


if __name__ == "__main__":
    main()
