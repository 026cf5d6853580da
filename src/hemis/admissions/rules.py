"""Pure rules of the admission score: priority points, conversion tables, rule sets by year.

No Session, no HTTP. Money-like exactness: every score is a Decimal with two decimals, rounded
ROUND_HALF_UP; the vectorised twin in vector.py computes the same numbers in integer hundredths
(tests/admissions check that the two agree).

Priority points (Regulation with Circular 08/2022, amended by Circular 06/2025):

- area (Art. 7(1)): KV1 0.75, KV2-NT 0.50, KV2 0.25, KV3 0 — only in the year of graduation
  from upper secondary school and the year after;
- category (Art. 7(2)): 01–04 (UT1) 2.0, 05–07 (UT2) 1.0, the highest category only, with no
  time limit (the graduation-year limit is written for area points alone);
- area and category add up to the *normal* priority;
- from a score of 22.5 on (before priority, bonus included) the priority tapers:
  ((30 − score) / 7.5) × normal priority;
- bonus + priority ≤ 3 (10% of the 30-point scale); no total above 30.

Conversion tables map a method's score onto the 30-point scale by percentile bands: a list of
points (x, y), increasing in x, non-decreasing in y, linear between two points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise

from hemis.admissions.codes import Area, Method

CENT = Decimal("0.01")
ZERO = Decimal(0)
SCALE_MAX = Decimal(30)


def q2(value: Decimal) -> Decimal:
    """Two decimals, half up (the rounding of every published score)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_h(value: Decimal | int | float | str) -> int:
    """Hundredths of a point (exact for values with at most two decimals)."""
    return int(q2(Decimal(str(value))) * 100)


def from_h(hundredths: int) -> Decimal:
    return (Decimal(hundredths) / 100).quantize(CENT)


@dataclass(frozen=True)
class RuleSet:
    """The admission rules of one version (the first admission year they apply to)."""

    version: int
    source: str
    area_points: Mapping[str, Decimal]
    category_points: Mapping[str, Decimal]
    taper_from: Decimal = Decimal("22.5")
    taper_span: Decimal = Decimal("7.5")
    plus_cap: Decimal = Decimal(3)
    years_after_graduation: int = 1
    min_exam_combination: Decimal | None = None  # 2026: three-subject sum ≥ 15 to count
    wish_cap: int | None = None  # None: unlimited
    teacher_wish_limit: int | None = None  # teacher training only considered up to this rank
    teacher_group: str = "71402"  # discipline group "Đào tạo giáo viên"
    # Whether wishes without a paid fee enter a round (the year's setting starts from this).
    # MOET's yearly guidance: a candidate who does not pay the wish fee in the payment window is
    # not considered (as reported by the press in 2024–2025; the guidance's text was not read
    # here, uncertain).
    unpaid_wishes_count: bool = False
    percentiles: tuple[Decimal, ...] = field(
        default=tuple(
            Decimal(p) for p in ("0.5", "1", "3", "5", "10", "20", "30", "50", "70", "100")
        )
    )


_AREA = {
    Area.kv1.value: Decimal("0.75"),
    Area.kv2_nt.value: Decimal("0.50"),
    Area.kv2.value: Decimal("0.25"),
    Area.kv3.value: ZERO,
}
# Categories (đối tượng ưu tiên) and their groups by version. 2022–2025 (Circular 08/2022 as
# amended, Art. 7(2) and Appendix II): 01–04 group UT1 (+2), 05–07 group UT2 (+1). 2026 (Circular
# 06/2026/TT-BGDĐT, Art. 7(2) and Appendix II, as quoted by vietnamnet.vn on 2026-03-01 and by
# institutions' 2026 regulations): 01–03 UT1 (+2), 04–06 UT2 (+1) — six categories. Which 2025
# category became which 2026 one was not established here (uncertain): a code is read against
# the list of the year's own rules, and 07 no longer exists from 2026.
_CATEGORY_2022 = {
    c: Decimal(2) if c <= "04" else Decimal(1) for c in (f"0{k}" for k in range(1, 8))
}
_CATEGORY_2026 = {
    c: Decimal(2) if c <= "03" else Decimal(1) for c in (f"0{k}" for k in range(1, 7))
}

RULES: dict[int, RuleSet] = {
    2025: RuleSet(
        version=2025,
        source="Circular 08/2022/TT-BGDĐT as amended by Circular 06/2025/TT-BGDĐT",
        area_points=_AREA,
        category_points=_CATEGORY_2022,
        unpaid_wishes_count=False,
    ),
    2026: RuleSet(
        version=2026,
        source="Circular 06/2026/TT-BGDĐT",
        area_points=_AREA,
        category_points=_CATEGORY_2026,
        min_exam_combination=Decimal(15),
        wish_cap=15,
        teacher_wish_limit=5,
        unpaid_wishes_count=False,
    ),
}


def rules_for(year: int) -> RuleSet:
    """The rule set in force for an admission year (the latest version not after it)."""
    versions = [v for v in RULES if v <= year]
    return RULES[max(versions)] if versions else RULES[min(RULES)]


# --- exam score steps by exam year ----------------------------------------------------------------

# The smallest step of a subject's exam score, in hundredths, by the year of the exam (not the
# admission rules' version: a results file is checked against the exam that produced it).
#
# From 2025 the exam's true/false items score 0.1 / 0.25 / 0.5 / 1 per question beside 0.25 (and
# 0.5 short-answer) items, so a subject score is a multiple of 0.05 (e.g. 7.35) — MOET's 2025
# answer-sheet guidance as reported by vietnam.vn and laodong.vn (2025); the exam regulation's
# text was not read here. Literature is scored by examiners (0.25 steps in practice); it is held
# to 0.05 like the rest rather than refusing a result the guidance might allow.
#
# 2017–2024 (uncertain: from the exam format as widely published, not a circular's text):
# Mathematics and the foreign languages had 50 items of 0.2; the combined science and social
# science papers 40 items of 0.25 per subject; Literature 0.25.
EXAM_STEP_FROM_2025_H = 5
EXAM_STEPS_UNTIL_2024_H: Mapping[str, int] = {
    "math": 20,
    "english": 20,
    "russian": 20,
    "french": 20,
    "chinese": 20,
    "german": 20,
    "japanese": 20,
    "korean": 20,
}
EXAM_STEP_UNTIL_2024_H = 25


def exam_step_h(exam_year: int, subject: str) -> int:
    """The step (hundredths) an exam score of `subject` in `exam_year` is a multiple of."""
    if exam_year >= 2025:
        return EXAM_STEP_FROM_2025_H
    return EXAM_STEPS_UNTIL_2024_H.get(subject, EXAM_STEP_UNTIL_2024_H)


# --- priority points ------------------------------------------------------------------------------


def area_points(rules: RuleSet, area: str | None, area_applies: bool = True) -> Decimal:
    """The area's points, or 0 once they have expired (Art. 7(1))."""
    return rules.area_points.get(area or "", ZERO) if area_applies else ZERO


def category_points(rules: RuleSet, categories: Iterable[str | None] = ()) -> Decimal:
    """The highest category's points (Art. 7(2)); category points never expire."""
    return max((rules.category_points.get(c or "", ZERO) for c in categories), default=ZERO)


def normal_priority(
    rules: RuleSet,
    area: str | None,
    categories: Iterable[str | None] = (),
    area_applies: bool = True,
) -> Decimal:
    """Area points (while they apply) plus the highest category's points, before the taper."""
    return area_points(rules, area, area_applies) + category_points(rules, categories)


def area_priority_applies(rules: RuleSet, admission_year: int, graduation_year: int | None) -> bool:
    """Area points count only in the graduation year and the year after (Art. 7(1), from 2023).
    The limit is written for area points only: category points (Art. 7(2)) carry no such limit.
    A candidate without a known graduation year gets no area points."""
    if graduation_year is None:
        return False
    return 0 <= admission_year - graduation_year <= rules.years_after_graduation


# --- the offer's scale ----------------------------------------------------------------------------

# An offer may weight subjects of its combinations (e.g. Mathematics × 2): the combination then
# sums to 10 × its total weight (40 for one doubled subject) and the offer's scores, floor and
# cutoff are on that scale. Priority points are set for three subjects on the 30-point scale
# without weights and are converted to the scale used (Art. 7, as amended 2025: "tương ứng với
# tổng điểm 3 môn theo thang điểm 10 đối với từng môn (không nhân hệ số)"; the clause number is
# not certain here), as are the taper threshold and the 3-point cap on bonus + priority.
UNWEIGHTED = 3  # three subjects of weight 1: the 30-point scale
MAX_WEIGHT = 3  # the most a subject may weigh in a combination


def combination_weight(subjects: Iterable[str], weights: Mapping[str, int]) -> int:
    """The total weight of a combination's subjects (3 without weights)."""
    return sum(int(weights.get(s, 1)) for s in subjects)


def scale_max(weight: int) -> Decimal:
    """The highest score on the scale of a combination of total `weight` (30, 40, …)."""
    return Decimal(10 * weight)


def round_half_up(value: Fraction) -> Decimal:
    """An exact value rounded half up to two decimals (the one rounding of a scaled score)."""
    hundredths = value * 100
    whole = (2 * hundredths.numerator + hundredths.denominator) // (2 * hundredths.denominator)
    return from_h(int(whole))


def scaled(value: Decimal, weight: int) -> Decimal:
    """A value set on the 30-point scale, on the scale of total `weight` (two decimals)."""
    return round_half_up(Fraction(value) * weight / UNWEIGHTED)


@dataclass(frozen=True)
class Total:
    """How a score before priority becomes the admission score (on the offer's scale)."""

    base: Decimal  # best converted score + offset
    bonus: Decimal  # bonus points on the offer's scale
    normal_priority: Decimal  # on the 30-point scale, as the regulation sets it
    tapered: bool  # base + bonus reached the taper threshold
    priority: Decimal  # on the offer's scale
    plus: Decimal  # bonus + priority after the cap
    capped: bool  # the cap (3 on the 30-point scale) cut bonus + priority
    total: Decimal
    scale: Decimal = SCALE_MAX


def priority_points(
    rules: RuleSet, score: Decimal, normal: Decimal, weight: int = UNWEIGHTED
) -> Decimal:
    """The priority a candidate with `normal` priority (30-point scale) gets at `score` (before
    priority, on the scale of total `weight`).

    Art. 7(4): from 22.5/30 on, priority = ((30 − score) / 7.5) × normal. On a scale S = 30 × w/3
    the score converts to 30 × score / S and the result back × S / 30, which is
    (S − score) × normal / 7.5 — one rounding, at the end."""
    top = scale_max(weight)
    if score < rules.taper_from * weight / UNWEIGHTED:
        return scaled(normal, weight)
    return round_half_up(
        max(Fraction(0), Fraction(top - score) * Fraction(normal) / Fraction(rules.taper_span))
    )


def admission_total(
    rules: RuleSet,
    base: Decimal,
    normal: Decimal,
    bonus: Decimal = ZERO,
    weight: int = UNWEIGHTED,
) -> Total:
    """The admission score: base + min(bonus + priority, 3), never above 30, two decimals — on
    the scale of total `weight` (bonus and the cap converted to it; `bonus` is given on the
    30-point scale, as institutions publish it)."""
    top = scale_max(weight)
    bonus_s = scaled(bonus, weight)
    cap = rules.plus_cap * weight / UNWEIGHTED
    pre = min(top, base + bonus_s)
    priority = priority_points(rules, pre, normal, weight)
    plus = min(bonus_s + priority, cap)
    total = q2(min(top, base + plus))
    return Total(
        base=base,
        bonus=bonus_s,
        normal_priority=normal,
        tapered=pre >= rules.taper_from * weight / UNWEIGHTED,
        priority=priority,
        plus=plus,
        capped=bonus_s + priority > cap,
        total=total,
        scale=top,
    )


# --- bonus points (điểm cộng) ---------------------------------------------------------------------

# Bonus points reward a language certificate (converted by the institution's published table) or
# an excellence award (points by the institution's table). Circular 08/2022 as amended by
# 06/2025 lets institutions award them and caps bonus + priority at 10% of the scale's maximum
# (3 on 30; the article number is not certain here, the cap is applied in admission_total). How
# kinds combine is the institution's to publish; HEMIS takes, per kind, the best row a candidate
# qualifies for and adds the kinds (as institutions commonly publish it; uncertain as a national
# rule).
MAX_BONUS = Decimal(3)


@dataclass(frozen=True)
class BonusEntry:
    """One row of an institution's table: `code` (a certificate or an award) at or above
    `minimum_h` (the certificate's own scale; 0 for awards) earns `points_h` (30-point scale)."""

    kind: str
    code: str
    minimum_h: int
    points_h: int


@dataclass(frozen=True)
class Achievement:
    kind: str
    code: str
    score_h: int | None  # a certificate's score; None for an award


def bonus_by_kind(
    entries: Iterable[BonusEntry], achievements: Iterable[Achievement]
) -> dict[str, int]:
    """Per kind, the best points (hundredths) a candidate's achievements earn in the table."""
    best: dict[str, int] = {}
    held = list(achievements)
    for entry in entries:
        for a in held:
            if a.kind != entry.kind or a.code != entry.code:
                continue
            if a.score_h is not None and a.score_h < entry.minimum_h:
                continue
            best[entry.kind] = max(best.get(entry.kind, 0), entry.points_h)
    return best


def bonus_points(entries: Iterable[BonusEntry], achievements: Iterable[Achievement]) -> Decimal:
    """The bonus on the 30-point scale before the cap with priority (admission_total)."""
    return min(MAX_BONUS, from_h(sum(bonus_by_kind(entries, achievements).values())))


# --- conversion tables ----------------------------------------------------------------------------


class TableError(ValueError):
    """A conversion table that breaks a rule (message in English, for the validation layer)."""


@dataclass(frozen=True)
class Band:
    """The band a score fell in: [x0, x1] mapped linearly onto [y0, y1]."""

    x0: Decimal
    x1: Decimal
    y0: Decimal
    y1: Decimal


@dataclass(frozen=True)
class ConversionTable:
    """Points (x, y) in hundredths: x the method's score, y the 30-point score."""

    method: Method
    points: tuple[tuple[int, int], ...]

    def check(self, source_max_h: int) -> None:
        xs = [x for x, _ in self.points]
        ys = [y for _, y in self.points]
        if len(self.points) < 2:
            raise TableError("a table needs at least two points")
        if xs[0] != 0 or xs[-1] != source_max_h:
            raise TableError(f"points must run from 0 to the method's maximum {source_max_h / 100}")
        if any(b <= a for a, b in pairwise(xs)):
            raise TableError("scores (x) must strictly increase")
        if any(b < a for a, b in pairwise(ys)):
            raise TableError("converted scores (y) must not decrease")
        if ys[0] < 0 or ys[-1] > 3000:
            raise TableError("converted scores must lie within 0–30")

    def band_of(self, x_h: int) -> int:
        """Index i of the band [points[i], points[i + 1]] holding x (clamped to the table)."""
        i = 0
        for k in range(len(self.points) - 1):
            if self.points[k][0] <= x_h:
                i = k
        return i

    def convert(self, x_h: int) -> tuple[Decimal, Band]:
        """The 30-point score of x (hundredths in), linear inside its band, two decimals."""
        value, band = self.convert_exact(Fraction(x_h))
        return round_half_up(value), band

    def convert_exact(self, x_h: Fraction) -> tuple[Fraction, Band]:
        """The 30-point score (in points, unrounded) of x in hundredths, exact: for a weighted
        offer, which converts back to its own scale before the one rounding."""
        i = 0
        for k in range(len(self.points) - 1):
            if self.points[k][0] <= x_h:
                i = k
        (x0, y0), (x1, y1) = self.points[i], self.points[i + 1]
        x = min(max(x_h, Fraction(x0)), Fraction(x1))
        value = y0 + (x - x0) * (y1 - y0) / (x1 - x0)
        band = Band(from_h(x0), from_h(x1), from_h(y0), from_h(y1))
        return value / 100, band


def percentile_points(
    source_h: Sequence[int],
    target_h: Sequence[int],
    source_max_h: int,
    tops: Sequence[Decimal],
    target_max_h: int = 3000,
) -> tuple[tuple[int, int], ...]:
    """Percentile bands: the score of the top p% of `source` maps onto the score of the top p% of
    `target` (e.g. an exam combination), for each p in `tops`; linear in between.

    The quantile of the top p% is the lowest score still inside it (sorted descending, position
    ceil(p% × n)). Points that would not increase are dropped, so the table stays valid."""
    if not source_h or not target_h:
        raise TableError("both distributions must be non-empty")
    src = sorted(source_h, reverse=True)
    tgt = sorted(target_h, reverse=True)

    def at_top(scores: list[int], p: Decimal) -> int:
        k = int((p * len(scores) / 100).to_integral_value(rounding=ROUND_CEILING))
        return scores[max(0, k - 1)]

    points: dict[int, int] = {0: 0, source_max_h: target_max_h}
    for p in tops:
        if not ZERO < p < 100:
            continue
        xs, ys = at_top(src, p), at_top(tgt, p)
        if 0 < xs < source_max_h:
            points.setdefault(xs, min(ys, target_max_h))
    ordered = sorted(points.items())
    kept: list[tuple[int, int]] = [ordered[0]]
    for x, y in ordered[1:]:
        if x == source_max_h:
            kept.append((x, max(y, kept[-1][1])))
        elif y >= kept[-1][1]:
            kept.append((x, y))
    return tuple(kept)
