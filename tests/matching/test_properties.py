"""Random instances: the engine agrees with the reference, and its results are valid and stable."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings

from hemis.matching import (
    Problem,
    TiePolicy,
    check_inputs,
    check_stability,
    check_validity,
    engine,
    solve,
    solve_rounds,
)
from tests.matching.reference import reference_da
from tests.matching.strategies import problems

POLICIES = pytest.mark.parametrize("policy", ["group", "strict"])


@POLICIES
@settings(max_examples=300, deadline=None)
@given(problem=problems())
def test_engine_matches_the_reference(policy: TiePolicy, problem: Problem) -> None:
    assert check_inputs(problem) == []
    result = solve(problem, policy)
    assert result.assigned_wish.tolist() == reference_da(problem, policy)


@POLICIES
@settings(max_examples=200, deadline=None)
@given(problem=problems())
def test_results_are_valid_and_stable(policy: TiePolicy, problem: Problem) -> None:
    result = solve(problem, policy)
    assert check_validity(problem, result) == []
    assert check_stability(problem, result) == []
    if policy == "strict":
        assert (result.admitted <= problem.quota).all()
    assert (result.overflow == np.maximum(result.admitted - problem.quota, 0)).all()


@POLICIES
@settings(max_examples=200, deadline=None)
@given(problem=problems())
def test_rounds_converge_to_deferred_acceptance(policy: TiePolicy, problem: Problem) -> None:
    rounds = solve_rounds(problem, tie_policy=policy)
    assert rounds.converged
    assert rounds.rounds is not None
    assert rounds.rounds >= 1
    assert rounds.assigned_wish.tolist() == solve(problem, policy).assigned_wish.tolist()


@POLICIES
@settings(max_examples=200, deadline=None)
@given(problem=problems())
def test_tight_buffers_and_the_overflow_rerun_give_the_same_result(
    policy: TiePolicy, problem: Problem
) -> None:
    # Room for quota + 1: compactions at almost every proposal, and tie groups that overflow.
    with mock.patch.object(engine, "SLACK_MIN", 1), mock.patch.object(engine, "SLACK_SHIFT", 62):
        result = solve(problem, policy)
    assert result.assigned_wish.tolist() == reference_da(problem, policy)
