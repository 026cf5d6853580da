"""The self-assessment questionnaire and its scoring (selfcheck.py): hand-computed bands and the
properties every band keeps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hemis.competency.framework import framework
from hemis.competency.selfcheck import band, statements
from hemis.errors import ValidationFailed

ANSWERS = st.lists(st.sampled_from((0, 1, 2)), min_size=4, max_size=4)


def test_every_competency_has_four_statements_one_per_tier() -> None:
    for code in framework().codes:
        items = statements(code)
        assert [s.tier for s in items] == [1, 2, 3, 4]
        assert all(s.text_vi and s.text_en and s.text_vi != s.text_en for s in items)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # nothing reached: the lowest band
        ((0, 0, 0, 0), (0, 1, 1)),
        # tier 1 "sometimes": estimate 1 (CB1), band 1–1
        ((1, 0, 0, 0), (1, 1, 1)),
        # tier 1 "yes": estimate 2 (CB2), band CB1–CB2
        ((2, 0, 0, 0), (2, 1, 2)),
        # tiers 1–2 "yes", tier 3 "sometimes": estimate 2·2+1 = 5 (NC1), band TC2–NC1
        ((2, 2, 1, 0), (5, 4, 5)),
        # a higher tier above a tier left at 0 does not count: tier 1 only, estimate 2
        ((2, 0, 2, 2), (6, 1, 2)),
        # everything "yes": estimate 8 (CS2), band CS1–CS2
        ((2, 2, 2, 2), (8, 7, 8)),
        # tier 4 reached "sometimes": estimate 2·3+1 = 7, band NC2–CS1
        ((1, 1, 1, 1), (4, 6, 7)),
    ],
)
def test_hand_computed_bands(answers: tuple[int, ...], expected: tuple[int, int, int]) -> None:
    got = band(answers)
    assert (got.score, got.low, got.high) == expected


@given(ANSWERS)
def test_a_band_is_two_adjacent_levels_at_most_within_1_to_8(answers: list[int]) -> None:
    got = band(answers)
    assert 1 <= got.low <= got.high <= 8
    assert got.high - got.low <= 1


@given(ANSWERS, st.integers(0, 3))
def test_raising_an_answer_never_lowers_the_band(answers: list[int], at: int) -> None:
    before = band(answers)
    raised = list(answers)
    raised[at] = min(2, raised[at] + 1)
    after = band(raised)
    assert (after.low, after.high) >= (before.low, before.high)


@pytest.mark.parametrize("answers", [(2, 2, 2), (0, 1, 2, 3), (0, 0, 0, 0, 0)])
def test_malformed_answers_are_refused(answers: tuple[int, ...]) -> None:
    with pytest.raises(ValidationFailed):
        band(answers)
