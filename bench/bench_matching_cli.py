"""The audit CLI end to end: `hemis admissions match` on 850,000 candidates / ~7.6M wishes,
reading and writing the CSV files, in a fresh process each run (as an auditor would run it).

    uv run python bench/bench_matching_cli.py [--candidates 850000] [--runs 3]

The first run uses an empty numba cache (it compiles); the others reuse the cache it filled.
This script only drives subprocesses (the instance is written by gen_instance.py), so that each
child's peak RSS (``wait4``) is its own: Linux carries a parent's peak across fork and exec.
Results and commands are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stderr) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    stderr = child.stderr.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"failed ({child.returncode}):\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024, stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=850_000)
    parser.add_argument("--programs", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tie-policy", default="group")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"NUMBA_CACHE_DIR": str(Path(tmp) / "numba-cache")}
        generate = [sys.executable, str(HERE / "gen_instance.py"), "--out", tmp]
        generate += ["--candidates", str(args.candidates), "--programs", str(args.programs)]
        generate += ["--seed", str(args.seed)]
        _, _, stderr = run(generate, dict(os.environ))
        size = (Path(tmp) / "WISHES.csv").stat().st_size / 2**20
        print(stderr.strip(), f"(WISHES.csv {size:.0f} MiB)")
        command = [sys.executable, "-m", "hemis", "admissions", "match"]
        command += ["--programs", str(Path(tmp) / "PROGRAMS.csv")]
        command += ["--wishes", str(Path(tmp) / "WISHES.csv")]
        command += ["--out", str(Path(tmp) / "out"), "--tie-policy", args.tie_policy]
        print("$", " ".join(command))
        times, peaks = [], []
        for attempt in range(args.runs):
            elapsed, peak, stderr = run(command, env)
            times.append(elapsed)
            peaks.append(peak)
            label = "empty numba cache" if attempt == 0 else "numba cache filled"
            print(f"run {attempt + 1} ({label}): {elapsed:.2f} s, peak RSS {peak:.0f} MB")
            if attempt == args.runs - 1:
                print(stderr)
        with (Path(tmp) / "out" / "assignments.csv").open() as assignments:
            rows = sum(1 for _ in assignments) - 1
        warm = times[1:] or times
        print(
            f"end to end: cold {times[0]:.2f} s; cached min {min(warm):.2f} s, "
            f"median {statistics.median(warm):.2f} s; peak RSS {max(peaks):.0f} MB; "
            f"assignments.csv rows {rows:,}"
        )


if __name__ == "__main__":
    main()
