"""The admission score of one candidate for one offer, with its explanation (pure).

Since 2025 the candidate does not choose a method or a combination: every accepted method and
combination is tried and the best converted result counts. For each option:

- exam: the sum of the three exam subjects of the combination (already on the 30-point scale);
- transcript: the sum of the three grade-12 averages, converted by the institution's table;
- competency tests (HSA, V-ACT, TSA): the total, converted by the institution's table;

then the combination's offset is added (combination methods only) and the value is kept within
0–30. An offer that weights subjects (e.g. Mathematics × 2) scores on its own scale, 10 × the
combination's total weight (40): the exam option is the weighted sum; a transcript's weighted
sum is brought to 30 for the institution's table and the converted value back to the offer's
scale, and a test's converted value likewise, with one rounding at the end (rules.py converts
priority, bonus and the cap to that scale). Ties between options go to the first in the order
exam, transcript, HSA, V-ACT, TSA, and combination codes in alphabetical order. Priority and
bonus are then added (rules.py) and the result is compared with the offer's floor. vector.py
computes the same for millions of wishes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from hemis.admissions.codes import COMBINATION_METHODS, WISH_RANK, Method
from hemis.admissions.combinations import subjects_of
from hemis.admissions.rules import (
    SCALE_MAX,
    UNWEIGHTED,
    ZERO,
    Band,
    ConversionTable,
    RuleSet,
    Total,
    admission_total,
    area_points,
    area_priority_applies,
    category_points,
    combination_weight,
    from_h,
    q2,
    round_half_up,
    scale_max,
)

METHOD_ORDER: tuple[Method, ...] = tuple(Method)


@dataclass(frozen=True)
class CandidateResults:
    """A candidate's results in hundredths: exam and transcript by subject, tests by method."""

    exam: Mapping[str, int] = field(default_factory=dict)
    transcript: Mapping[str, int] = field(default_factory=dict)
    tests: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PriorityProfile:
    area: str | None
    category: str | None
    graduation_year: int | None


@dataclass(frozen=True)
class OfferRules:
    methods: Sequence[str]
    combinations: Mapping[str, int]  # code → offset in hundredths
    floor_h: int = 0
    tiebreaks: Sequence[str] = ()
    weights: Mapping[str, int] = field(default_factory=dict)  # subject → weight (default 1)

    @property
    def weight(self) -> int:
        """The total weight of the offer's combinations (all equal; 3: the 30-point scale)."""
        for code in sorted(self.combinations):
            subjects = subjects_of(code)
            if subjects is not None:
                return combination_weight((s.value for s in subjects), self.weights)
        return UNWEIGHTED


@dataclass(frozen=True)
class Option:
    """One method (and combination) tried for the offer."""

    method: str
    combination: str | None
    subjects: tuple[tuple[str, Decimal], ...]
    raw: Decimal | None
    band: Band | None
    converted: Decimal | None
    offset: Decimal
    value: Decimal | None
    note: str | None  # why it does not count: missing_result, no_table, below_minimum, …


@dataclass(frozen=True)
class ScoreExplanation:
    year: int
    rules_version: int
    options: tuple[Option, ...]
    chosen: int | None  # index into options
    area: str | None
    category: str | None
    area_points: Decimal
    category_points: Decimal
    area_year_ok: bool  # area points still apply (graduation year or the year after)
    total: Total | None
    floor: Decimal
    score: Decimal | None  # None: not eligible
    reason: str | None  # no_result | below_floor
    scale: Decimal = SCALE_MAX  # the offer's scale (40 with one subject weighted × 2)
    weights: Mapping[str, int] = field(default_factory=dict)

    @property
    def chosen_option(self) -> Option | None:
        return None if self.chosen is None else self.options[self.chosen]


def _clip(value: Decimal, top: Decimal = SCALE_MAX) -> Decimal:
    return min(top, max(ZERO, value))


def _combination_option(
    method: Method,
    code: str,
    offset_h: int,
    results: CandidateResults,
    tables: Mapping[str, ConversionTable],
    rules: RuleSet,
    weights: Mapping[str, int],
) -> Option:
    offset = from_h(offset_h)
    subjects = subjects_of(code)
    source = results.exam if method is Method.exam else results.transcript
    if subjects is None:
        return Option(method, code, (), None, None, None, offset, None, "not_scorable")
    scores = tuple((s.value, from_h(source[s.value])) for s in subjects if s.value in source)
    if len(scores) < 3:
        return Option(method, code, scores, None, None, None, offset, None, "missing_result")
    weight = combination_weight((s.value for s in subjects), weights)
    top = scale_max(weight)
    raw_h = sum(source[s.value] * weights.get(s.value, 1) for s in subjects)
    raw = from_h(raw_h)
    if method is Method.exam:
        minimum = rules.min_exam_combination
        plain = from_h(sum(source[s.value] for s in subjects))  # the minimum is unweighted
        if minimum is not None and plain < minimum:
            return Option(method, code, scores, raw, None, None, offset, None, "below_minimum")
        return Option(method, code, scores, raw, None, raw, offset, _clip(raw + offset, top), None)
    table = tables.get(method.value)
    if table is None:
        return Option(method, code, scores, raw, None, None, offset, None, "no_table")
    # the table reads a 30-point sum: a weighted sum is brought to 30 and the result back
    value, band = table.convert_exact(Fraction(raw_h * UNWEIGHTED, weight))
    converted = round_half_up(value * weight / UNWEIGHTED)
    return Option(
        method, code, scores, raw, band, converted, offset, _clip(converted + offset, top), None
    )


def _test_option(
    method: Method,
    results: CandidateResults,
    tables: Mapping[str, ConversionTable],
    weight: int = UNWEIGHTED,
) -> Option:
    if method.value not in results.tests:
        return Option(method, None, (), None, None, None, ZERO, None, "missing_result")
    raw_h = results.tests[method.value]
    raw = from_h(raw_h)
    table = tables.get(method.value)
    if table is None:
        return Option(method, None, (), raw, None, None, ZERO, None, "no_table")
    value, band = table.convert_exact(Fraction(raw_h))
    converted = round_half_up(value * weight / UNWEIGHTED)  # on the offer's scale
    return Option(
        method, None, (), raw, band, converted, ZERO, _clip(converted, scale_max(weight)), None
    )


def options_for(
    offer: OfferRules,
    results: CandidateResults,
    tables: Mapping[str, ConversionTable],
    rules: RuleSet,
) -> list[Option]:
    """Every option the offer accepts, in the tie order."""
    out: list[Option] = []
    accepted = set(offer.methods)
    for method in METHOD_ORDER:
        if method.value not in accepted:
            continue
        if method in COMBINATION_METHODS:
            for code in sorted(offer.combinations):
                offset_h = offer.combinations[code]
                out.append(
                    _combination_option(
                        method, code, offset_h, results, tables, rules, offer.weights
                    )
                )
        else:
            out.append(_test_option(method, results, tables, offer.weight))
    return out


def explain_score(
    year: int,
    rules: RuleSet,
    offer: OfferRules,
    results: CandidateResults,
    profile: PriorityProfile,
    tables: Mapping[str, ConversionTable],
    bonus: Decimal = ZERO,
) -> ScoreExplanation:
    """The admission score of a candidate for an offer, and how it was computed."""
    options = options_for(offer, results, tables, rules)
    chosen: int | None = None
    for i, option in enumerate(options):
        if option.value is None:
            continue
        best = None if chosen is None else options[chosen].value
        if best is None or option.value > best:
            chosen = i
    # Only area points expire (Art. 7(1)); category points count in any year (Art. 7(2)).
    applies = area_priority_applies(rules, year, profile.graduation_year)
    area_pts = area_points(rules, profile.area, applies)
    cat_pts = category_points(rules, [profile.category])
    normal = area_pts + cat_pts
    floor = from_h(offer.floor_h)
    total = None
    score = None
    reason: str | None = "no_result"
    if chosen is not None:
        value = options[chosen].value
        assert value is not None
        total = admission_total(rules, value, normal, bonus, offer.weight)
        if total.total >= floor:
            score, reason = total.total, None
        else:
            reason = "below_floor"
    return ScoreExplanation(
        year=year,
        rules_version=rules.version,
        options=tuple(options),
        chosen=chosen,
        area=profile.area,
        category=profile.category,
        area_points=area_pts,
        category_points=cat_pts,
        area_year_ok=applies,
        total=total,
        floor=floor,
        score=score,
        reason=reason,
        scale=scale_max(offer.weight),
        weights=dict(offer.weights),
    )


def tiebreak_value(criterion: str, results: CandidateResults, rank: int) -> int:
    """The value of one tie-break criterion (higher is better): an exam subject's score in
    hundredths (-1 when missing), or the wish order (-rank)."""
    if criterion == WISH_RANK:
        return -rank
    return int(results.exam.get(criterion, -1))


def as_decimal(value: Decimal | None) -> str:
    """A score as published: two decimals, or an empty string."""
    return "" if value is None else f"{q2(value):.2f}"
