"""Benchmarks of the matching engine; results and commands are recorded in docs/benchmarks.md.

    uv run python bench/bench_matching.py solve     # 1.2M candidates x 15 wishes, 5,000 programs
    uv run python bench/bench_matching.py compare   # against the `matching` package, 10k and 20k

`solve` runs its measurements in child processes so that each starts clean: one with an empty
numba cache (cold: the first call compiles), one with the cache that run filled (the first call
only loads machine code), both reporting warm times and peak RSS with the input in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from gen_instance import generate

from hemis.matching import Problem, check_stability, check_validity, solve, solve_rounds

ARRAYS = ("offsets", "program", "score", "rank", "quota")
MATCHING_TIMEOUT = 1800  # seconds for one run of the `matching` package (50k took ~391 s)


def status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process. Not ``ru_maxrss``: Linux carries the
    parent's peak across fork and exec, and the parent held the generated instance."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(func: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = func(*args, **kwargs)
    return time.perf_counter() - started, value


def worker(npz: Path, repeats: int, rounds: bool) -> dict[str, Any]:
    """Runs inside a child process: the input is loaded first, then solved."""
    data = np.load(npz)
    problem = Problem(**{name: data[name] for name in ARRAYS})
    out: dict[str, Any] = {"rss_input_mb": status_mb("VmRSS")}
    out["first_call_s"], result = timed(solve, problem, "group")
    for policy in ("group", "strict"):
        times, cpu = [], []
        for _ in range(repeats):
            started = time.process_time()
            times.append(timed(solve, problem, policy)[0])
            cpu.append(time.process_time() - started)
        out[f"warm_{policy}_s"] = {"min": min(times), "median": statistics.median(times)}
        out[f"warm_{policy}_cpu_s"] = min(cpu)  # steadier than wall time on a shared machine
    out["peak_rss_mb"] = status_mb("VmHWM")
    out["proposals"] = result.proposals
    out["assigned"] = result.n_assigned
    out["overflow_seats"] = int(result.overflow.sum())
    out["check_validity_s"], issues = timed(check_validity, problem, result)
    out["check_stability_s"], blocking = timed(check_stability, problem, result)
    out["valid_and_stable"] = not issues and not blocking
    if rounds:
        out["rounds_s"], by_rounds = timed(solve_rounds, problem)
        out["rounds"] = by_rounds.rounds
        out["rounds_equal_da"] = bool(np.array_equal(by_rounds.assigned_wish, result.assigned_wish))
    return out


def run_solve(args: argparse.Namespace) -> None:
    print(f"generating {args.candidates:,} x {args.wishes} over {args.programs:,} programs …")
    problem = generate(args.candidates, args.programs, wishes=args.wishes, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "instance.npz"
        np.savez(npz, **{name: getattr(problem, name) for name in ARRAYS})
        del problem
        cache = Path(tmp) / "numba-cache"  # empty: the first child compiles, the second loads
        env = os.environ | {"NUMBA_CACHE_DIR": str(cache)}
        reports = {}
        for label in ("cold", "cached"):
            command = [sys.executable, __file__, "worker", str(npz), str(args.repeats)]
            command += ["--rounds"] if args.rounds and label == "cached" else []
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            reports[label] = json.loads(done.stdout.splitlines()[-1])
    cold, cached = reports["cold"], reports["cached"]
    warm = cached["warm_group_s"]["min"]
    print(json.dumps(reports, indent=2))
    print(
        f"\nwarm solve (group): {warm:.3f} s (median {cached['warm_group_s']['median']:.3f}, "
        f"CPU {cached['warm_group_cpu_s']:.3f}); strict {cached['warm_strict_s']['min']:.3f} s "
        f"(CPU {cached['warm_strict_cpu_s']:.3f})\n"
        f"first call, empty cache (compile + solve): {cold['first_call_s']:.2f} s "
        f"=> compile ~{cold['first_call_s'] - cold['warm_group_s']['min']:.2f} s\n"
        f"first call, cache filled (load + solve): {cached['first_call_s']:.2f} s\n"
        f"RSS with input loaded {cached['rss_input_mb']:.0f} MB, "
        f"peak {cached['peak_rss_mb']:.0f} MB"
    )


def hospital_resident(problem: Problem) -> tuple[float, float, dict[str, str]]:
    """(seconds to build the game, seconds to solve it, assignment) with the `matching` package."""
    from matching.games import HospitalResident

    cand = np.repeat(np.arange(problem.n_candidates), np.diff(problem.offsets))
    # Hospital preferences = the engine's strict priority: score, wish rank, candidate id.
    order = np.lexsort(
        (problem.candidate_order[cand], problem.rank, -problem.score, problem.program)
    )
    ids, pids = problem.candidate_ids, problem.program_ids
    assert ids is not None
    assert pids is not None
    names, programs = ids.tolist(), pids.tolist()
    wished = np.split(problem.program, problem.offsets[1:-1])
    resident_prefs = {names[c]: [programs[p] for p in wished[c]] for c in range(len(names))}
    hospital_prefs: dict[str, list[str]] = {}
    for w in order.tolist():
        hospital_prefs.setdefault(programs[problem.program[w]], []).append(names[cand[w]])
    capacities = {pid: int(problem.quota[programs.index(pid)]) for pid in hospital_prefs}
    box: dict[str, Any] = {}

    def work() -> None:
        build, game = timed(
            HospitalResident.create_from_dictionaries, resident_prefs, hospital_prefs, capacities
        )
        run, matching = timed(game.solve, optimal="resident")
        box.update(build=build, run=run, matching=matching)

    # Its deepcopy of the player graph recurses past the default limits.
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 29)
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    outcome = {r.name: h.name for h, residents in box["matching"].items() for r in residents}
    return box["build"], box["run"], outcome


def compare_one(n: int, seed: int) -> dict[str, Any]:
    problem = generate(n, n // 100, seed=seed, with_ids=True)
    solve(problem, "strict")  # compile or load from cache outside the timing
    ours = min(timed(solve, problem, "strict")[0] for _ in range(5))
    result = solve(problem, "strict")
    build, run, theirs = hospital_resident(problem)
    mine = {
        problem.candidate_label(c): problem.program_label(p)
        for c, p in enumerate(result.assigned_program.tolist())
        if p >= 0
    }
    return {
        "candidates": n,
        "programs": problem.n_programs,
        "wishes": problem.n_wishes,
        "ours_s": ours,
        "matching_build_s": build,
        "matching_solve_s": run,
        "ratio_total": (build + run) / ours,
        "ratio_solve_only": run / ours,
        "identical": mine == theirs,
        "assigned": len(mine),
    }


def run_compare(args: argparse.Namespace) -> None:
    for n in args.sizes:
        command = [sys.executable, __file__, "compare-one", str(n), str(args.seed)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, check=True, timeout=MATCHING_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            print(f"{n:,} candidates: the matching package did not finish in {MATCHING_TIMEOUT} s")
            continue
        row = json.loads(done.stdout.splitlines()[-1])
        print(
            f"{row['candidates']:,} candidates, {row['wishes']:,} wishes, "
            f"{row['programs']} programs: ours {row['ours_s'] * 1000:.2f} ms; matching "
            f"build {row['matching_build_s']:.1f} s + solve {row['matching_solve_s']:.1f} s; "
            f"x{row['ratio_total']:,.0f} (solve only x{row['ratio_solve_only']:,.0f}); "
            f"identical assignments: {row['identical']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Matching engine benchmarks.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_solve = sub.add_parser("solve")
    p_solve.add_argument("--candidates", type=int, default=1_200_000)
    p_solve.add_argument("--wishes", type=int, default=15)
    p_solve.add_argument("--programs", type=int, default=5_000)
    p_solve.add_argument("--repeats", type=int, default=5)
    p_solve.add_argument("--seed", type=int, default=2026)
    p_solve.add_argument("--rounds", action="store_true", help="also time solve_rounds")
    p_compare = sub.add_parser("compare")
    p_compare.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    p_compare.add_argument("--seed", type=int, default=2026)
    p_worker = sub.add_parser("worker")
    p_worker.add_argument("npz", type=Path)
    p_worker.add_argument("repeats", type=int)
    p_worker.add_argument("--rounds", action="store_true")
    p_one = sub.add_parser("compare-one")
    p_one.add_argument("n", type=int)
    p_one.add_argument("seed", type=int)
    args = parser.parse_args()
    if args.command == "solve":
        run_solve(args)
    elif args.command == "compare":
        run_compare(args)
    elif args.command == "worker":
        print(json.dumps(worker(args.npz, args.repeats, args.rounds)))
    else:
        print(json.dumps(compare_one(args.n, args.seed)))


if __name__ == "__main__":
    main()
