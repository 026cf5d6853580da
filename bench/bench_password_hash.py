"""Benchmark: CPU time of one argon2id hash and one verify, per OWASP equal-strength option.

The OWASP Password Storage Cheat Sheet lists five argon2id settings of equal strength (m in
KiB, t iterations, p lanes); this measures each on this machine, next to argon2-cffi's default
(RFC 9106 low-memory profile: 64 MiB, t=3, p=4) that HEMIS used before ADR 0024. CPU time is the
process's (every thread: p=4 hashes on four threads), so it is what a login costs the server.

    uv run python bench/bench_password_hash.py              # 30 hashes per option
    uv run python bench/bench_password_hash.py --rounds 100
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from argon2 import PasswordHasher

# (memory KiB, iterations, parallelism); the OWASP list, then the previous default.
OPTIONS: list[tuple[str, int, int, int]] = [
    ("OWASP m=46 MiB t=1", 47104, 1, 1),
    ("OWASP m=19 MiB t=2", 19456, 2, 1),
    ("OWASP m=12 MiB t=3", 12288, 3, 1),
    ("OWASP m=9 MiB t=4", 9216, 4, 1),
    ("OWASP m=7 MiB t=5", 7168, 5, 1),
    ("argon2-cffi default 64 MiB t=3 p=4", 65536, 3, 4),
]


def measure(hasher: PasswordHasher, rounds: int) -> tuple[list[float], list[float]]:
    """CPU and wall milliseconds of `rounds` verifies (what a login does)."""
    stored = hasher.hash("correct horse battery staple")
    hasher.verify(stored, "correct horse battery staple")  # warm-up: pages touched once
    cpu, wall = [], []
    for _ in range(rounds):
        c0, w0 = time.process_time(), time.perf_counter()
        hasher.verify(stored, "correct horse battery staple")
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'option':<38} {'CPU ms p50':>10} {'CPU ms min':>10} {'wall ms p50':>11}")
    for label, memory, iterations, lanes in OPTIONS:
        hasher = PasswordHasher(time_cost=iterations, memory_cost=memory, parallelism=lanes)
        cpu, wall = measure(hasher, args.rounds)
        print(
            f"{label:<38} {statistics.median(cpu):10.1f} {min(cpu):10.1f} "
            f"{statistics.median(wall):11.1f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
