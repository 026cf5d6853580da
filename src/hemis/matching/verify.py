"""Independent checks of a result: validity (a feasible assignment) and stability (no blocking
pair). They recompute everything from the assignment itself and trust no derived column."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hemis.matching.kernels import F64, I32, I64, admitted_summary, compare, jit
from hemis.matching.problem import Issue, Problem
from hemis.matching.result import Result, at_wish, candidate_order_for


@dataclass(frozen=True)
class BlockingPair:
    """A candidate who prefers ``program`` to her outcome, and whom that program would take."""

    candidate: int
    program: int
    candidate_id: str
    program_id: str


def check_validity(problem: Problem, result: Result) -> list[Issue]:
    """Issues that make ``result`` infeasible for ``problem`` (empty when valid).

    Valid: every admission is one of the candidate's own wishes (so at most one per candidate and
    only wished programs); the per-program columns match the admissions; no program is above
    quota, except under ``group`` by one tie group at the cutoff that the quota alone would split
    (reported in ``result.overflow``).
    """
    issues: list[Issue] = []
    held = np.asarray(result.assigned_wish)
    if held.shape != (problem.n_candidates,):
        return [Issue("shape", "assigned_wish must have one entry per candidate")]
    starts, ends = problem.offsets[:-1], problem.offsets[1:]
    foreign = (held != -1) & ((held < starts) | (held >= ends))
    if _count(issues, "not_a_wish", foreign, "candidates are admitted outside their own wishes"):
        return issues  # the remaining checks index wishes through the assignment
    _count(
        issues,
        "assigned_program",
        np.asarray(result.assigned_program) != at_wish(problem.program, held, -1),
        "candidates have an assigned_program that is not their admitted wish's",
    )
    _count(
        issues,
        "assigned_rank",
        np.asarray(result.assigned_rank) != at_wish(problem.rank, held, -1),
        "candidates have an assigned_rank that is not their admitted wish's",
    )
    admitted, last_w, last_c, group = _summary(problem, result, held)
    _count(
        issues,
        "admitted_count",
        np.asarray(result.admitted) != admitted,
        "programs report an admitted count that differs from their admissions",
    )
    over = admitted > problem.quota
    if result.tie_policy == "group":
        # Overflow is allowed only when dropping the tie group at the cutoff would leave seats.
        over &= admitted - group >= problem.quota
    _count(issues, "over_quota", over, "programs admit more than their quota allows")
    cutoff = at_wish(problem.score, last_w, np.nan)
    _count(
        issues,
        "cutoff",
        ~np.isclose(np.asarray(result.cutoff), cutoff, rtol=0, atol=0, equal_nan=True),
        "programs report a cutoff that is not the score of their last admitted candidate",
    )
    _count(
        issues,
        "last_admitted",
        np.asarray(result.last_admitted) != last_c,
        "programs report a last admitted candidate that is not the lowest-ranked one",
    )
    return issues


def check_stability(problem: Problem, result: Result, limit: int = 1000) -> list[BlockingPair]:
    """Blocking pairs of ``result`` (empty when stable), at most ``limit`` of them.

    ``(c, p)`` blocks when ``c`` prefers ``p`` to her outcome and ``p`` has a free seat or would
    rank ``c`` above its last admitted candidate; under ``group`` also when ``c`` ties with the
    last admitted, since a tie group at the cutoff is never split. Expects a valid result.
    """
    held = np.asarray(result.assigned_wish)
    if check_validity(problem, result):
        raise ValueError("check_stability needs a valid result; run check_validity first")
    admitted, last_w, last_c, _ = _summary(problem, result, held)
    _, pairs = blocking_pairs(
        problem.offsets,
        problem.program,
        problem.score,
        problem.tiebreaks,
        problem.tie_rank,
        candidate_order_for(problem, result.tie_policy),
        result.tie_policy == "strict",
        problem.quota,
        held,
        admitted,
        last_w,
        last_c,
        limit,
    )
    return [
        BlockingPair(int(c), int(p), problem.candidate_label(int(c)), problem.program_label(int(p)))
        for c, p in pairs
    ]


def _summary(
    problem: Problem, result: Result, held: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    return admitted_summary(
        problem.program,
        problem.score,
        problem.tiebreaks,
        problem.tie_rank,
        candidate_order_for(problem, result.tie_policy),
        result.tie_policy == "strict",
        problem.n_programs,
        np.ascontiguousarray(held, dtype=np.int64),
    )


def _count(issues: list[Issue], code: str, bad: NDArray[np.bool_], what: str) -> bool:
    hits = np.flatnonzero(bad)
    if hits.size:
        first = int(hits[0])
        issues.append(Issue(code, f"{hits.size} {what} (first: index {first})", first, hits.size))
    return bool(hits.size)


@jit
def blocking_pairs(
    offsets: I64,
    program: I32,
    score: F64,
    tiebreaks: F64,
    rank: I32,
    cand_order: I64,
    strict: bool,
    quota: I64,
    assigned: I64,
    admitted: I64,
    last_w: I64,
    last_c: I64,
    limit: int,
) -> tuple[int, I64]:
    """Count (candidate, program) pairs where the candidate prefers the program to her outcome
    and the program would take her; return the count and the first ``limit`` pairs."""
    out = np.empty((limit, 2), np.int64)
    found = 0
    for c in range(offsets.shape[0] - 1):
        stop = assigned[c] if assigned[c] >= 0 else offsets[c + 1]
        for w in range(offsets[c], stop):
            p = program[w]
            if admitted[p] < quota[p]:
                blocking = True
            elif last_w[p] < 0:
                blocking = False
            else:
                lw = last_w[p]
                r = compare(
                    score[w],
                    rank[w],
                    w,
                    c,
                    score[lw],
                    rank[lw],
                    lw,
                    last_c[p],
                    tiebreaks,
                    cand_order,
                    strict,
                )
                blocking = r < 0 or (r == 0 and not strict)  # a tie group is never split
            if blocking:
                if found < limit:
                    out[found, 0], out[found, 1] = c, p
                found += 1
    return found, out[: min(found, limit)]
