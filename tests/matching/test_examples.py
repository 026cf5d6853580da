"""Worked examples, small enough to check by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hemis.matching import (
    InvalidProblem,
    Problem,
    check_inputs,
    check_stability,
    check_validity,
    explain,
    solve,
    solve_rounds,
)
from hemis.matching.result import build_result


def assigned(problem: Problem, policy: str = "group") -> dict[str, str | None]:
    result = solve(problem, policy)  # type: ignore[arg-type]
    assert check_validity(problem, result) == []
    assert check_stability(problem, result) == []
    return {
        problem.candidate_label(c): (None if p < 0 else problem.program_label(p))
        for c, p in enumerate(result.assigned_program.tolist())
    }


# Program A has 2 seats; Binh and Chi tie at 26.5 behind An.
TIE_AT_CUTOFF = Problem.from_records(
    {"A": 2, "B": 5},
    [
        ("an", 1, "A", 27.0),
        ("chi", 1, "A", 26.5),
        ("binh", 1, "A", 26.5),
        ("binh", 2, "B", 20.0),
        ("chi", 2, "B", 20.0),
    ],
)


def test_group_admits_the_whole_tie_group_at_the_cutoff() -> None:
    result = solve(TIE_AT_CUTOFF, "group")
    assert assigned(TIE_AT_CUTOFF, "group") == {"an": "A", "chi": "A", "binh": "A"}
    assert result.admitted.tolist() == [3, 0]
    assert result.overflow.tolist() == [1, 0]
    assert result.cutoff[0] == 26.5
    assert np.isnan(result.cutoff[1])


def test_strict_breaks_the_tie_by_candidate_id() -> None:
    result = solve(TIE_AT_CUTOFF, "strict")
    assert assigned(TIE_AT_CUTOFF, "strict") == {"an": "A", "chi": "B", "binh": "A"}
    assert result.admitted.tolist() == [2, 1]
    assert result.overflow.tolist() == [0, 0]
    assert explain(result, 1)[0].outcome == "lost_on_id"


def test_ids_compare_as_strings() -> None:
    problem = Problem.from_records({"A": 1}, [("9", 1, "A", 20.0), ("10", 1, "A", 20.0)])
    assert assigned(problem, "strict") == {"9": None, "10": "A"}  # "10" < "9"


def test_tiebreak_columns_decide_equal_scores_in_order() -> None:
    # Equal scores; the first tie-break (say Math) decides, then the second.
    problem = Problem.from_records(
        {"A": 1, "B": 1},
        [
            ("x", 1, "A", 25.0, 8.0, 1.0),
            ("y", 1, "A", 25.0, 9.0, 0.0),
            ("z", 1, "B", 24.0, 7.0, 5.0),
            ("w", 1, "B", 24.0, 7.0, 6.0),
        ],
    )
    assert assigned(problem) == {"x": None, "y": "A", "z": None, "w": "B"}
    result = solve(problem)
    assert explain(result, 0)[0].outcome == "lost_on_tiebreak"


def test_wish_rank_breaks_remaining_ties() -> None:
    # Same score at A; An put A first, Binh second: An wins the single seat.
    problem = Problem.from_records(
        {"A": 1, "B": 1},
        [
            ("an", 1, "A", 22.0),
            ("binh", 1, "B", 18.0),
            ("binh", 2, "A", 22.0),
            ("cuong", 1, "B", 23.0),
        ],
    )
    assert assigned(problem) == {"an": "A", "binh": None, "cuong": "B"}
    rows = explain(solve(problem), 1)
    assert [(r.program_id, r.outcome) for r in rows] == [
        ("B", "below_cutoff"),
        ("A", "lost_on_rank"),
    ]


def test_deferred_acceptance_is_candidate_optimal_when_priorities_cycle() -> None:
    # X prefers Binh, Y prefers An (different subject combinations), each candidate prefers the
    # program that prefers the other. Both stable assignments exist; DA gives each her first
    # wish. Filtering that starts from every program's top picks would give each her second.
    problem = Problem.from_records(
        {"X": 1, "Y": 1},
        [
            ("an", 1, "X", 20.0),
            ("an", 2, "Y", 26.0),
            ("binh", 1, "Y", 21.0),
            ("binh", 2, "X", 25.0),
        ],
    )
    assert assigned(problem) == {"an": "X", "binh": "Y"}
    rounds = solve_rounds(problem)
    assert rounds.assigned_program.tolist() == [0, 1]
    assert rounds.rounds == 1


def test_a_displacement_cascades_and_explain_shows_each_cutoff() -> None:
    problem = Problem.from_records(
        {"A": 1, "B": 1, "C": 1},
        [
            ("c1", 1, "B", 20.0),
            ("c1", 2, "C", 20.0),
            ("c2", 1, "A", 20.0),
            ("c2", 2, "B", 21.0),
            ("c3", 1, "A", 22.0),
        ],
    )
    # c3 takes A from c2, who takes B from c1, who falls to C.
    assert assigned(problem) == {"c1": "C", "c2": "B", "c3": "A"}
    result = solve(problem)
    rows = explain(result, 0)
    assert [(r.rank, r.program_id, r.score, r.cutoff, r.outcome) for r in rows] == [
        (1, "B", 20.0, 21.0, "below_cutoff"),
        (2, "C", 20.0, 20.0, "admitted"),
    ]
    rounds = solve_rounds(problem)
    assert rounds.rounds == 3  # c2 refused by A, then c1 by B, then nothing changes
    partial = solve_rounds(problem, max_rounds=1)
    assert not partial.converged
    assert partial.assigned_program.tolist() == [1, -1, 0]  # c2 was just refused by A


def test_no_seats_and_no_wishes() -> None:
    problem = Problem.from_arrays(
        candidate=[0, 0],
        rank=[1, 2],
        program=[0, 1],
        score=[25.0, 15.0],
        quota=[0, 1],
        n_candidates=2,
        candidate_ids=["a", "b"],
        program_ids=["CLOSED", "OPEN"],
    )
    result = solve(problem)
    assert result.assigned_program.tolist() == [1, -1]
    assert [r.outcome for r in explain(result, 0)] == ["no_seats", "admitted"]
    assert explain(result, 1) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quota": np.array([-1, 1])}, "quota_negative"),
        ({"program": np.array([0, 2, 1], dtype=np.int32)}, "program_out_of_range"),
        ({"score": np.array([1.0, np.nan, 2.0])}, "score_not_finite"),
        ({"tiebreaks": np.array([[0.0, np.inf, 1.0]])}, "tiebreak_not_finite"),
        ({"rank": np.array([2, 2, 1], dtype=np.int32)}, "rank_not_increasing"),
        ({"program": np.array([1, 1, 0], dtype=np.int32)}, "duplicate_program"),
        ({"candidate_ids": np.array(["a", "a"])}, "duplicate_candidate_id"),
        ({"offsets": np.array([0, 1, 2])}, "offsets"),
        ({"score": np.array([1.0, 2.0])}, "shape"),
    ],
)
def test_check_inputs_names_each_broken_rule(change: dict[str, object], code: str) -> None:
    base = Problem(
        offsets=np.array([0, 2, 3]),
        program=np.array([0, 1, 1], dtype=np.int32),
        score=np.array([20.0, 21.0, 22.0]),
        rank=np.array([1, 2, 1], dtype=np.int32),
        quota=np.array([1, 1]),
        candidate_ids=np.array(["a", "b"]),
    )
    assert check_inputs(base) == []
    broken = dataclasses.replace(base, **change)  # type: ignore[arg-type]
    assert code in {issue.code for issue in check_inputs(broken)}
    with pytest.raises(InvalidProblem) as raised:
        solve(broken, "strict")
    assert code in {issue.code for issue in raised.value.issues}


def test_the_checks_catch_a_tampered_result() -> None:
    result = solve(TIE_AT_CUTOFF, "strict")
    # Moving Chi to A puts A over quota and claims a wrong count.
    wish = result.assigned_wish.copy()
    wish[1] = TIE_AT_CUTOFF.offsets[1]
    tampered = dataclasses.replace(result, assigned_wish=wish)
    codes = {issue.code for issue in check_validity(TIE_AT_CUTOFF, tampered)}
    assert {"assigned_program", "admitted_count", "over_quota"} <= codes
    # Admitting Chi to a program she never wished for is refused outright.
    wish[1] = 0
    assert [i.code for i in check_validity(TIE_AT_CUTOFF, tampered)] == ["not_a_wish"]
    # Dropping Binh, then re-deriving the columns: valid, but A now has a free seat that Chi
    # (in B) and Binh (unassigned) both prefer, and B one that Binh prefers to nothing.
    wish = result.assigned_wish.copy()
    wish[2] = -1
    unfair = build_result(TIE_AT_CUTOFF, "strict", wish)
    assert check_validity(TIE_AT_CUTOFF, unfair) == []
    blocking = check_stability(TIE_AT_CUTOFF, unfair)
    assert [(b.candidate_id, b.program_id) for b in blocking] == [
        ("chi", "A"),
        ("binh", "A"),
        ("binh", "B"),
    ]


def test_without_rank_ties_the_wish_rank_separates_nobody() -> None:
    # One seat at A; An (A as wish 1) and Binh (A as wish 2) both score 24 there. With the rank
    # as a tie-break An wins; without it (admissions, Circular 08/2022 Art. 20(3): wish order
    # only where the offer chose it) `group` admits both (one seat over) and `strict` lets the
    # candidate id decide.
    def problem(rank_breaks_ties: bool) -> Problem:
        return Problem.from_arrays(
            candidate=[0, 1, 1],
            rank=[1, 1, 2],
            program=[0, 1, 0],
            score=[24.0, 10.0, 24.0],
            quota=[1, 0],
            candidate_ids=["an", "binh"],
            program_ids=["A", "B"],
            rank_breaks_ties=rank_breaks_ties,
        )

    assert solve(problem(True), "group").assigned_program.tolist() == [0, -1]
    assert [r.outcome for r in explain(solve(problem(True), "group"), 1)] == [
        "no_seats",
        "lost_on_rank",
    ]
    both = solve(problem(False), "group")
    assert both.assigned_program.tolist() == [0, 0]
    assert both.overflow.tolist() == [1, 0]
    ids = dataclasses.replace(problem(False), candidate_ids=np.array(["z", "binh"]))
    assert solve(ids, "strict").assigned_program.tolist() == [-1, 0]
    assert check_stability(ids, solve(ids, "strict")) == []
