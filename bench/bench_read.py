"""Benchmark: the read step of an import alone — a learner CSV read in this process
(`read_table`) and through the reader process with its limits (`read_sandboxed`, what
`hemis import`, `hemis validate` and the web job runner use). Each read runs in a fresh process,
as it does in `hemis import`; wall time and CPU seconds (the process and its children).

    uv run python bench/bench_read.py                  # 300,000 rows, 3 rounds
    uv run python bench/bench_read.py --rows 3000000
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_apply import write_learners

ONE_READ = """
import resource, sys, time
from pathlib import Path
if sys.argv[1] == "in-process":
    from hemis.imports.readers import read_table as read
else:
    from hemis.imports.sandbox import read_sandboxed as read
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
c0, t0 = cpu(), time.perf_counter()
table = read(Path(sys.argv[2]), "learners")
print(time.perf_counter() - t0, cpu() - c0, table.frame.height)
"""


def one(mode: str, path: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", ONE_READ, mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}")
    with tempfile.TemporaryDirectory(prefix="hemis-bench-") as tmp:
        path = Path(tmp) / "learners.csv"
        write_learners(path, args.rows, 200)
        print(f"file: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB")
        results: dict[str, list[tuple[float, float]]] = {"in-process": [], "reader process": []}
        for _ in range(args.rounds):  # interleaved, so that both see the same machine
            for mode in results:
                results[mode].append(one(mode, path))
    for mode, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"{mode:15s} wall {wall:.2f} s, CPU {cpu:.2f} s (median of {len(runs)})")
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
