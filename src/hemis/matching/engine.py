"""The two solvers: deferred acceptance, and the round-by-round filtering that audits it."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hemis.matching.kernels import deferred_acceptance
from hemis.matching.problem import InvalidProblem, Problem, ensure_valid, scan
from hemis.matching.result import (
    TIE_POLICIES,
    Result,
    TiePolicy,
    build_result,
    candidate_order_for,
)
from hemis.matching.rounds import filtering_rounds

# Each program buffers up to quota + max(quota / 2, 8) held candidates before compacting (see
# ``kernels``). A tie group that fills a whole buffer triggers one rerun with room for every
# applicant.
SLACK_MIN = 8
SLACK_SHIFT = 1


def solve(problem: Problem, tie_policy: TiePolicy = "group") -> Result:
    """Candidate-proposing deferred acceptance: the candidate-optimal stable assignment.

    Raises :class:`InvalidProblem` first if :func:`check_inputs` finds issues (ids are checked
    for uniqueness only under ``strict``, where they decide ties).
    """
    strict = _strict(tie_policy)
    issues, applicants = scan(problem, check_ids=strict)
    if issues:
        raise InvalidProblem(issues)
    quota = problem.quota
    room = np.minimum(applicants, quota + np.maximum(quota >> SLACK_SHIFT, SLACK_MIN))
    assigned, proposals, overflow = _run(problem, tie_policy, room)
    if overflow >= 0:
        assigned, proposals, overflow = _run(problem, tie_policy, applicants)
        if overflow >= 0:  # cannot happen: a program never holds more than its applicants
            raise RuntimeError(f"buffer overflow at program {overflow}")
    return build_result(problem, tie_policy, assigned, proposals=proposals)


def solve_rounds(
    problem: Problem, max_rounds: int | None = None, tie_policy: TiePolicy = "group"
) -> Result:
    """Virtual filtering round by round, as the ministry runs it, to a fixpoint.

    Each round every program recomputes its admitted list (best up to quota, under the tie
    policy) from the candidates whose highest wish not yet refused is that program; everyone left
    out loses that wish for good, since cutoffs only rise. When a round changes nothing the lists
    are final and equal :func:`solve`'s. ``rounds`` counts the rounds computed, the last
    unchanged one included; with ``max_rounds`` the run may stop early (``converged`` false, the
    candidates refused in the last round then unassigned). Why from below, and not from every
    program's top picks down: see ``hemis.matching.rounds``.
    """
    strict = _strict(tie_policy)
    if max_rounds is not None and max_rounds < 1:
        raise ValueError("max_rounds must be at least 1")
    ensure_valid(problem, check_ids=strict)
    assigned, rounds, converged = filtering_rounds(
        problem.offsets,
        problem.program,
        problem.score,
        problem.tiebreaks,
        problem.tie_rank,
        candidate_order_for(problem, tie_policy),
        strict,
        problem.quota,
        max_rounds or 0,
    )
    return build_result(problem, tie_policy, assigned, rounds=rounds, converged=converged)


def _run(
    problem: Problem, tie_policy: TiePolicy, room: NDArray[np.int64]
) -> tuple[NDArray[np.int64], int, int]:
    room_offsets = np.zeros(problem.n_programs + 1, dtype=np.int64)
    np.cumsum(room, out=room_offsets[1:])
    return deferred_acceptance(
        problem.offsets,
        problem.program,
        problem.score,
        problem.tiebreaks,
        problem.tie_rank,
        candidate_order_for(problem, tie_policy),
        tie_policy == "strict",
        problem.quota,
        room_offsets,
    )


def _strict(tie_policy: str) -> bool:
    if tie_policy not in TIE_POLICIES:
        raise ValueError(f"tie_policy must be one of {TIE_POLICIES}, not {tie_policy!r}")
    return tie_policy == "strict"
