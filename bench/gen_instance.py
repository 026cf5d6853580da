"""Synthetic admissions instances shared by the matching benchmarks.

Popularity is Zipf-like over programs, each candidate's wishes are distinct programs drawn by
popularity (a fixed count, or geometric with mean 9 once capped at 15), a wish's score is the
candidate's ability plus a per-program term, rounded to 0.01 on the 30-point scale, and quotas
sum to a share of the candidates, more seats where demand is higher.

    uv run python bench/gen_instance.py --candidates 850000 --programs 5000 --out /tmp/inst
writes PROGRAMS.csv and WISHES.csv for `hemis admissions match`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np
import polars as pl

from hemis.matching import Problem


@numba.njit(cache=True)
def _draw_programs(counts, cumulative, n_programs, seed):  # type: ignore[no-untyped-def]
    # Distinct programs per candidate, by popularity: rejection on repeats is cheap at 15 of 5000.
    np.random.seed(seed)
    total = counts.sum()
    out = np.empty(total, np.int32)
    mark = np.full(n_programs, -1, np.int64)
    pos = 0
    for c in range(counts.shape[0]):
        taken = 0
        while taken < counts[c]:
            p = np.searchsorted(cumulative, np.random.random() * cumulative[-1], side="right")
            if p >= n_programs or mark[p] == c:
                continue
            mark[p] = c
            out[pos] = p
            pos += 1
            taken += 1
    return out


def _geometric_p(mean: float, cap: int) -> float:
    """The success probability whose geometric count, capped at ``cap``, has this mean."""
    lo, hi = 1e-6, 1.0
    for _ in range(60):  # the capped mean (1 - (1 - p)^cap) / p falls as p rises
        p = (lo + hi) / 2
        lo, hi = (p, hi) if (1 - (1 - p) ** cap) / p > mean else (lo, p)
    return (lo + hi) / 2


def generate(
    n_candidates: int,
    n_programs: int,
    *,
    wishes: int | None = None,
    mean_wishes: float = 9.0,
    max_wishes: int = 15,
    zipf: float = 0.8,
    quota_share: float = 0.8,
    n_tiebreaks: int = 0,
    seed: int = 2026,
    with_ids: bool = False,
) -> Problem:
    """An instance; ``wishes`` fixes every candidate's wish count, else it is geometric."""
    rng = np.random.default_rng(seed)
    weight = 1.0 / np.arange(1, n_programs + 1) ** zipf
    weight = weight[rng.permutation(n_programs)]  # popular programs are not the first indices
    if wishes is not None:
        counts = np.full(n_candidates, wishes, dtype=np.int64)
    else:
        p = _geometric_p(mean_wishes, max_wishes)
        counts = np.minimum(rng.geometric(p, n_candidates), max_wishes)
    counts = np.minimum(counts, n_programs)
    offsets = np.zeros(n_candidates + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    program = _draw_programs(counts, np.cumsum(weight), n_programs, seed)
    ability = np.repeat(rng.normal(0.0, 1.0, n_candidates), counts)
    combination = rng.normal(0.0, 0.8, len(program))  # the program's subjects suit some better
    score = np.clip(np.round(19.0 + 3.5 * ability + combination, 2), 0.0, 30.0)
    rank = (np.arange(len(program)) - np.repeat(offsets[:-1], counts) + 1).astype(np.int32)
    demand = np.sqrt(weight)
    quota = np.maximum(np.floor(demand / demand.sum() * quota_share * n_candidates), 1)
    tiebreaks = np.round(rng.uniform(0, 10, (n_tiebreaks, len(program))) * 4) / 4
    return Problem(
        offsets=offsets,
        program=program,
        score=score,
        rank=rank,
        quota=quota.astype(np.int64),
        tiebreaks=tiebreaks,
        candidate_ids=np.char.add("TS", np.arange(n_candidates).astype("U8")) if with_ids else None,
        program_ids=np.char.add("P", np.arange(n_programs).astype("U5")) if with_ids else None,
    )


def write_csv(problem: Problem, out: Path) -> tuple[Path, Path]:
    """PROGRAMS.csv and WISHES.csv in the CLI's format."""
    out.mkdir(parents=True, exist_ok=True)
    cands = (
        problem.candidate_ids
        if problem.candidate_ids is not None
        else np.arange(problem.n_candidates).astype(str)
    )
    progs = (
        problem.program_ids
        if problem.program_ids is not None
        else np.arange(problem.n_programs).astype(str)
    )
    programs_csv, wishes_csv = out / "PROGRAMS.csv", out / "WISHES.csv"
    pl.DataFrame({"program_id": progs, "quota": problem.quota}).write_csv(programs_csv)
    counts = np.diff(problem.offsets)
    columns = {
        "candidate_id": pl.Series(cands).gather(np.repeat(np.arange(len(cands)), counts)),
        "rank": problem.rank,
        "program_id": pl.Series(progs).gather(problem.program),
        "score": problem.score,
    }
    for j, row in enumerate(problem.tiebreaks, start=1):
        columns[f"tiebreak{j}"] = row
    pl.DataFrame(columns).write_csv(wishes_csv)
    return programs_csv, wishes_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=850_000)
    parser.add_argument("--programs", type=int, default=5_000)
    parser.add_argument("--wishes", type=int, default=None, help="fixed count (else geometric)")
    parser.add_argument("--tiebreaks", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    problem = generate(
        args.candidates,
        args.programs,
        wishes=args.wishes,
        n_tiebreaks=args.tiebreaks,
        seed=args.seed,
        with_ids=True,
    )
    write_csv(problem, args.out)
    print(
        f"{problem.n_candidates} candidates, {problem.n_wishes} wishes, "
        f"{problem.n_programs} programs, seats {int(problem.quota.sum())} "
        f"-> {args.out} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
