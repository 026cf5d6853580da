"""The admission score rules: priority points with the taper, caps, rounding, conversion tables —
worked examples from the regulation, properties, and the vectorised twin agreeing with them."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hemis.admissions.codes import Method
from hemis.admissions.rules import (
    RULES,
    Achievement,
    BonusEntry,
    ConversionTable,
    TableError,
    admission_total,
    area_priority_applies,
    bonus_points,
    exam_step_h,
    from_h,
    normal_priority,
    percentile_points,
    priority_points,
    rules_for,
    to_h,
)
from hemis.admissions.vector import Tables, admission_totals

R2025 = RULES[2025]
D = Decimal


@pytest.mark.parametrize(
    ("total", "expected"),
    [("24", "0.60"), ("27", "0.30"), ("29", "0.10"), ("30", "0.00"), ("22.49", "0.75")],
)
def test_kv1_priority_tapers_from_22_5(total: str, expected: str) -> None:
    kv1 = normal_priority(R2025, "KV1")
    assert kv1 == D("0.75")
    assert priority_points(R2025, D(total), kv1) == D(expected)


def test_area_and_the_highest_category_add_up() -> None:
    assert normal_priority(R2025, "KV2-NT", ["06"]) == D("1.50")
    assert normal_priority(R2025, "KV1", ["06", "01"]) == D("2.75")
    assert normal_priority(R2025, "KV3", [None]) == D(0)
    assert normal_priority(R2025, "KV2", ["04"]) == D("2.25")


def test_area_points_only_in_the_graduation_year_and_the_year_after() -> None:
    # Circular 08/2022 as amended, Art. 7(1): area points count in the graduation year and the
    # year after; the limit is written for area points only.
    assert area_priority_applies(R2025, 2025, 2025)
    assert area_priority_applies(R2025, 2025, 2024)
    assert not area_priority_applies(R2025, 2025, 2023)
    assert not area_priority_applies(R2025, 2025, None)
    # Art. 7(2): category points have no time limit; expired area points drop out alone.
    assert normal_priority(R2025, "KV1", ["01"], area_applies=False) == D("2.00")
    assert normal_priority(R2025, "KV1", [None], area_applies=False) == D(0)


def test_ut1_kv1_graduated_two_years_earlier_keeps_the_category_points() -> None:
    # Art. 7(1)–(2): UT1 + KV1, graduated 2023, admitted 2025: KV1 has expired, UT1 (+2) has
    # not. 20.00 is below the 22.5 taper: 20.00 + 2.00 = 22.00 (not 20.00).
    applies = area_priority_applies(R2025, 2025, 2023)
    normal = normal_priority(R2025, "KV1", ["01"], area_applies=applies)
    assert admission_total(R2025, D("20.00"), normal).total == D("22.00")


def test_ut2_alone_tapers_above_22_5() -> None:
    # Art. 7(2) and 7(4): UT2 (+1) at 23.50: (30 − 23.5) / 7.5 × 1 = 0.8666… → 0.87; 24.37.
    total = admission_total(R2025, D("23.50"), normal_priority(R2025, None, ["06"]))
    assert total.tapered
    assert total.priority == D("0.87")
    assert total.total == D("24.37")


def test_a_kv1_ut1_candidate_near_the_top() -> None:
    # 26.00 before priority: (30 − 26) / 7.5 × 2.75 = 1.4666… → 1.47; total 27.47.
    total = admission_total(R2025, D("26.00"), normal_priority(R2025, "KV1", ["01"]))
    assert total.tapered
    assert total.priority == D("1.47")
    assert total.total == D("27.47")


def test_bonus_and_priority_together_are_capped_at_3_and_the_total_at_30() -> None:
    capped = admission_total(R2025, D("18"), D("2.75"), bonus=D("1.5"))
    assert capped.capped
    assert capped.plus == D(3)
    assert capped.total == D(21)
    top = admission_total(R2025, D("29.9"), D("2.75"), bonus=D("0.5"))
    assert top.total == D(30)


def test_rounding_is_half_up_to_two_decimals() -> None:
    # (30 − 23.1) / 7.5 × 0.25 = 0.23 exactly; (30 − 22.53)/7.5 × 0.75 = 0.747 → 0.75
    assert priority_points(R2025, D("23.10"), D("0.25")) == D("0.23")
    assert priority_points(R2025, D("22.53"), D("0.75")) == D("0.75")
    # 0.005 exactly rounds up: (30 − 29.95) / 7.5 × 0.75 = 0.005
    assert priority_points(R2025, D("29.95"), D("0.75")) == D("0.01")


def test_rules_are_versioned_by_year() -> None:
    assert rules_for(2025).version == 2025
    assert rules_for(2027).version == 2026
    assert rules_for(2026).wish_cap == 15
    assert rules_for(2026).teacher_wish_limit == 5
    assert rules_for(2025).wish_cap is None


scores_h = st.integers(min_value=0, max_value=3000)
normals_h = st.sampled_from([0, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275])
bonuses_h = st.integers(min_value=0, max_value=300)


@given(scores_h, normals_h, bonuses_h)
def test_priority_never_lifts_a_total_above_30_and_plus_stays_within_3(
    base: int, normal: int, bonus: int
) -> None:
    total = admission_total(R2025, from_h(base), from_h(normal), from_h(bonus))
    assert total.total <= 30
    assert total.plus <= 3
    assert total.total >= min(from_h(base), D(30))


@given(scores_h, scores_h, normals_h)
def test_the_admission_score_is_monotone_in_the_raw_score(a: int, b: int, normal: int) -> None:
    low, high = sorted((a, b))
    n = from_h(normal)
    assert (
        admission_total(R2025, from_h(low), n).total
        <= admission_total(R2025, from_h(high), n).total
    )


@given(st.lists(st.tuples(scores_h, normals_h), min_size=1, max_size=50))
def test_the_vectorised_totals_equal_the_decimal_ones(pairs: list[tuple[int, int]]) -> None:
    base = np.array([b for b, _ in pairs], dtype=np.int64)
    normal = np.array([n for _, n in pairs], dtype=np.int64)
    vector = admission_totals(R2025, base, normal)
    scalar = [to_h(admission_total(R2025, from_h(b), from_h(n)).total) for b, n in pairs]
    assert vector.tolist() == scalar


weights = st.integers(3, 9)


@given(st.lists(st.tuples(st.integers(0, 9000), normals_h, bonuses_h, weights), max_size=50))
def test_the_vectorised_totals_equal_the_decimal_ones_on_any_scale(
    rows: list[tuple[int, int, int, int]],
) -> None:
    rows = [(min(b, 1000 * w), n, bonus, w) for b, n, bonus, w in rows]
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    base, normal, bonus, weight = (np.ascontiguousarray(table[:, k]) for k in range(4))
    vector = admission_totals(R2025, base, normal, bonus, weight)
    scalar = [
        to_h(admission_total(R2025, from_h(b), from_h(n), from_h(x), w).total)
        for b, n, x, w in rows
    ]
    assert vector.tolist() == scalar


# --- weighted subjects: the offer's scale ------------------------------------------------------


def test_priority_converted_to_a_40_point_scale() -> None:
    # Mathematics × 2: A00 sums to 40. Priority is set for three unweighted subjects on 30 and
    # converted to the scale used (Art. 7, as amended 2025). 33/40 is 24.75/30, past the 22.5
    # taper: KV1 0.75 → (30 − 24.75) / 7.5 × 0.75 = 0.525 on 30 = 0.70 on 40 → 33.70.
    total = admission_total(R2025, D("33.00"), D("0.75"), weight=4)
    assert total.scale == D(40)
    assert total.tapered
    assert total.priority == D("0.70")
    assert total.total == D("33.70")
    # Below the taper (30/40 = 22.5/30): KV2 0.25 × 40/30 = 0.333… → 0.33; 26.00 → 26.33.
    assert admission_total(R2025, D("26.00"), D("0.25"), weight=4).total == D("26.33")
    # The 3-point cap becomes 4 on 40: bonus 2.50 (on 30) → 3.33, + KV1 1.00 = 4.33 → 4.
    capped = admission_total(R2025, D("25.00"), D("0.75"), bonus=D("2.50"), weight=4)
    assert capped.capped
    assert capped.total == D("29.00")


@given(scores_h, normals_h)
def test_an_unweighted_scale_is_the_30_point_rule(base: int, normal: int) -> None:
    a = admission_total(R2025, from_h(base), from_h(normal))
    b = admission_total(R2025, from_h(base), from_h(normal), weight=3)
    assert a == b


# --- conversion tables ---------------------------------------------------------------------------

HSA = ConversionTable(Method.hsa, ((0, 0), (7500, 1800), (10000, 2400), (15000, 3000)))


def test_conversion_is_linear_inside_a_band() -> None:
    value, band = HSA.convert(to_h(90))
    # 18 + (90 − 75) × (24 − 18) / (100 − 75) = 21.6
    assert value == D("21.60")
    assert (band.x0, band.x1, band.y0, band.y1) == (D(75), D(100), D(18), D(24))
    assert HSA.convert(15000)[0] == D(30)
    assert HSA.convert(0)[0] == D(0)


def test_a_table_must_cover_the_scale_and_rise() -> None:
    HSA.check(15000)
    with pytest.raises(TableError):
        ConversionTable(Method.hsa, ((0, 0), (15000, 3000))).check(10000)
    with pytest.raises(TableError):
        ConversionTable(Method.hsa, ((0, 0), (9000, 2500), (8000, 2600), (15000, 3000))).check(
            15000
        )
    with pytest.raises(TableError):
        ConversionTable(Method.hsa, ((0, 0), (9000, 2500), (12000, 2400), (15000, 3000))).check(
            15000
        )


tables = st.lists(
    st.tuples(st.integers(1, 14999), st.integers(0, 3000)), min_size=0, max_size=8
).map(lambda pts: ((0, 0), *sorted(dict(pts).items(), key=lambda p: p[0]), (15000, 3000)))


@given(tables, st.lists(st.integers(0, 15000), min_size=1, max_size=30))
def test_the_vectorised_conversion_equals_the_decimal_one(
    raw_points: tuple[tuple[int, int], ...], xs: list[int]
) -> None:
    ys = sorted(y for _, y in raw_points)  # make y non-decreasing along x
    points = tuple((x, y) for (x, _), y in zip(raw_points, ys, strict=True))
    table = ConversionTable(Method.hsa, points)
    table.check(15000)
    built = Tables.build([((0, 0), (100, 100)), points])  # the second table, by id
    got = built.convert(np.ones(len(xs), dtype=np.int64), np.array(xs, dtype=np.int64))
    assert got.tolist() == [to_h(table.convert(x)[0]) for x in xs]


def test_percentile_bands_map_the_top_of_one_distribution_onto_the_other() -> None:
    source = list(range(0, 15001, 10))  # an even spread of HSA scores
    target = [x * 2 for x in range(0, 1501)]  # an even spread of 0–30
    points = percentile_points(source, target, 15000, R2025.percentiles)
    table = ConversionTable(Method.hsa, points)
    table.check(15000)
    # the top 10% of HSA (≥ 135) maps onto the top 10% of the target (≥ 27)
    assert table.convert(13500)[0] == D(27)


# --- exam score steps by exam year ---------------------------------------------------------------


def test_exam_steps_by_exam_year() -> None:
    # 2025 on: true/false items of 0.1 / 0.25 / 0.5 / 1 → multiples of 0.05 (7.35 is a score).
    assert exam_step_h(2025, "math") == 5
    assert exam_step_h(2026, "literature") == 5
    assert 735 % exam_step_h(2025, "physics") == 0
    # 2017–2024 (source uncertain, see rules.py): Mathematics and languages 50 items × 0.2,
    # the other papers 40 items × 0.25, Literature 0.25.
    assert exam_step_h(2024, "math") == 20
    assert exam_step_h(2024, "english") == 20
    assert exam_step_h(2024, "physics") == 25
    assert exam_step_h(2024, "literature") == 25
    assert 820 % exam_step_h(2024, "math") == 0
    assert 820 % exam_step_h(2024, "physics") != 0


@given(st.integers(0, 200), st.sampled_from(["math", "physics", "literature", "english"]))
def test_every_multiple_of_0_05_is_a_2025_score(k: int, subject: str) -> None:
    step = exam_step_h(2025, subject)
    assert (5 * k) % step == 0
    assert (5 * k + 1) % step != 0  # and nothing finer


# --- bonus points ------------------------------------------------------------------------------

IELTS = [
    BonusEntry("language", "ielts", 550, 75),
    BonusEntry("language", "ielts", 650, 125),
    BonusEntry("language", "ielts", 700, 150),
]
AWARDS = [BonusEntry("award", "national_3", 0, 100), BonusEntry("award", "national_1", 0, 200)]


def test_bonus_by_the_institutions_table_and_the_cap_with_priority() -> None:
    # An institution's published table (Circular 08/2022 as amended 2025 lets it award bonus
    # points; bonus + priority ≤ 10% of the scale, 3 on 30): IELTS 6.5 → 1.25, a national third
    # prize → 1.00: 2.25. With KV1 (0.75) at 20.00: 20 + 2.25 + 0.75 = 23.00 (exactly the cap).
    held = [Achievement("language", "ielts", 650), Achievement("award", "national_3", None)]
    bonus = bonus_points(IELTS + AWARDS, held)
    assert bonus == D("2.25")
    assert admission_total(R2025, D(20), D("0.75"), bonus).total == D("23.00")
    # KV1 + UT1 (2.75): 2.25 + 2.75 = 5.00, capped at 3 → 23.00 again.
    capped = admission_total(R2025, D(20), D("2.75"), bonus)
    assert capped.capped
    assert capped.total == D("23.00")
    # IELTS 6.0: only the 5.5 row → 0.75; a certificate below every row earns nothing.
    assert bonus_points(IELTS, [Achievement("language", "ielts", 600)]) == D("0.75")
    assert bonus_points(IELTS, [Achievement("language", "ielts", 500)]) == D(0)
    # a certificate the table does not list earns nothing either
    assert bonus_points(IELTS, [Achievement("language", "toefl_ibt", 11000)]) == D(0)


@given(st.integers(0, 900), st.integers(0, 900))
def test_bonus_never_falls_with_a_better_certificate(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert bonus_points(IELTS, [Achievement("language", "ielts", low)]) <= bonus_points(
        IELTS, [Achievement("language", "ielts", high)]
    )


@given(
    st.lists(st.sampled_from(["national_1", "national_3", "provincial_1"]), max_size=3),
    st.integers(0, 900),
)
def test_bonus_stays_within_3(awards: list[str], ielts: int) -> None:
    held = [Achievement("award", a, None) for a in awards] + [
        Achievement("language", "ielts", ielts)
    ]
    assert D(0) <= bonus_points(IELTS + AWARDS, held) <= D(3)


def test_2026_regroups_the_priority_categories() -> None:
    # Circular 06/2026, Art. 7(2) and Appendix II: UT1 = 01–03 (+2), UT2 = 04–06 (+1); 2025
    # (Circular 08/2022 as amended): UT1 = 01–04, UT2 = 05–07.
    r2026 = RULES[2026]
    assert normal_priority(R2025, None, ["04"]) == D(2)
    assert normal_priority(r2026, None, ["04"]) == D(1)
    assert normal_priority(r2026, None, ["03"]) == D(2)
    assert normal_priority(r2026, "KV1", ["06"]) == D("1.75")
    assert "07" in R2025.category_points
    assert "07" not in r2026.category_points  # six categories
    assert normal_priority(r2026, None, ["07"]) == D(0)
