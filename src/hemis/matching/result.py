"""What a solve returns: assignments, per-program cutoffs, and the explanation of one candidate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from hemis.matching.kernels import admitted_summary
from hemis.matching.problem import Problem

TiePolicy = Literal["group", "strict"]
TIE_POLICIES: tuple[TiePolicy, ...] = ("group", "strict")
NO_ORDER = np.empty(0, dtype=np.int64)  # the candidate order is only read under ``strict``


@dataclass(frozen=True, eq=False)
class Result:
    """One candidate's outcome per entry of the candidate arrays, one program's per program.

    ``cutoff`` is the score of the last admitted candidate (NaN if nobody); ``last_admitted`` is
    that candidate's index (-1). ``rounds``/``converged`` are set by :func:`solve_rounds`.
    """

    problem: Problem
    tie_policy: TiePolicy
    assigned_wish: NDArray[np.int64]
    assigned_program: NDArray[np.int32]
    assigned_rank: NDArray[np.int32]
    admitted: NDArray[np.int64]
    cutoff: NDArray[np.float64]
    last_admitted: NDArray[np.int64]
    proposals: int | None = None
    rounds: int | None = None
    converged: bool = True

    @property
    def quota(self) -> NDArray[np.int64]:
        return self.problem.quota

    @property
    def overflow(self) -> NDArray[np.int64]:
        """Seats above quota given to a tie group at the cutoff (``group`` policy), per program."""
        return (self.admitted - self.problem.quota).clip(min=0)

    @property
    def n_assigned(self) -> int:
        return int(np.count_nonzero(self.assigned_wish >= 0))


def candidate_order_for(problem: Problem, tie_policy: TiePolicy) -> NDArray[np.int64]:
    return problem.candidate_order if tie_policy == "strict" else NO_ORDER


def at_wish(values: NDArray[Any], wish: NDArray[np.int64], missing: float) -> NDArray[Any]:
    """``values[wish]`` where ``wish >= 0``, else ``missing``."""
    out = np.full(wish.shape, missing, dtype=np.result_type(values.dtype, type(missing)))
    hit = wish >= 0
    out[hit] = values[wish[hit]]
    return out


def build_result(
    problem: Problem,
    tie_policy: TiePolicy,
    assigned_wish: NDArray[np.int64],
    *,
    proposals: int | None = None,
    rounds: int | None = None,
    converged: bool = True,
) -> Result:
    """Derive the per-candidate and per-program columns from the wish each candidate holds."""
    admitted, last_w, last_c, _ = admitted_summary(
        problem.program,
        problem.score,
        problem.tiebreaks,
        problem.tie_rank,
        candidate_order_for(problem, tie_policy),
        tie_policy == "strict",
        problem.n_programs,
        assigned_wish,
    )
    return Result(
        problem=problem,
        tie_policy=tie_policy,
        assigned_wish=assigned_wish,
        assigned_program=at_wish(problem.program, assigned_wish, -1).astype(np.int32),
        assigned_rank=at_wish(problem.rank, assigned_wish, -1).astype(np.int32),
        admitted=admitted,
        cutoff=at_wish(problem.score, last_w, np.nan),
        last_admitted=last_c,
        proposals=proposals,
        rounds=rounds,
        converged=converged,
    )


Outcome = Literal[
    "admitted",
    "below_cutoff",
    "lost_on_tiebreak",
    "lost_on_rank",
    "lost_on_id",
    "no_seats",
    "not_rejected",
]


@dataclass(frozen=True)
class ExplanationRow:
    """One wish of a candidate: the program's cutoff next to the candidate's score there.

    ``outcome`` says why a higher wish was not kept: ``below_cutoff`` (lower score),
    ``lost_on_tiebreak`` / ``lost_on_rank`` / ``lost_on_id`` (equal score, lost on a tie-break
    column / the wish rank / the id under ``strict``), ``no_seats`` (quota 0). ``not_rejected``
    means the result does not explain the refusal (never for a stable result).
    """

    rank: int
    program: int
    program_id: str
    score: float
    cutoff: float | None
    quota: int
    admitted: int
    outcome: Outcome


def explain(result: Result, candidate_index: int) -> list[ExplanationRow]:
    """Every wish ranked above the candidate's outcome, then the admitted wish if any."""
    problem = result.problem
    c = int(candidate_index)
    if not 0 <= c < problem.n_candidates:
        raise IndexError(f"candidate index {c} out of range")
    start, end = int(problem.offsets[c]), int(problem.offsets[c + 1])
    held = int(result.assigned_wish[c])
    rows = []
    for w in range(start, end if held < 0 else held + 1):
        p = int(problem.program[w])
        cutoff = float(result.cutoff[p])
        rows.append(
            ExplanationRow(
                rank=int(problem.rank[w]),
                program=p,
                program_id=problem.program_label(p),
                score=float(problem.score[w]),
                cutoff=None if np.isnan(cutoff) else cutoff,
                quota=int(problem.quota[p]),
                admitted=int(result.admitted[p]),
                outcome="admitted" if w == held else _why_not(result, c, w, p),
            )
        )
    return rows


def _why_not(result: Result, c: int, w: int, p: int) -> Outcome:
    problem = result.problem
    if problem.quota[p] == 0:
        return "no_seats"
    last = int(result.last_admitted[p])
    if last < 0 or result.admitted[p] < problem.quota[p]:
        return "not_rejected"
    lw = int(result.assigned_wish[last])
    mine, theirs = problem.score[w], problem.score[lw]
    if mine != theirs:
        return "below_cutoff" if mine < theirs else "not_rejected"
    for row in problem.tiebreaks:
        if row[w] != row[lw]:
            return "lost_on_tiebreak" if row[w] < row[lw] else "not_rejected"
    if problem.rank_breaks_ties and problem.rank[w] != problem.rank[lw]:
        return "lost_on_rank" if problem.rank[w] > problem.rank[lw] else "not_rejected"
    if result.tie_policy == "strict":
        order = problem.candidate_order
        return "lost_on_id" if order[c] > order[last] else "not_rejected"
    return "not_rejected"
