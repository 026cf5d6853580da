"""Admission scores of every wish at once: the integer twin of explain.py and rules.py.

Everything is in hundredths of a point (int64), so the numbers are exactly those of the Decimal
rules: ROUND_HALF_UP of a non-negative fraction a / b is floor((2a + b) / 2b). Each candidate's
combination sums are computed once (numpy); then one compiled pass (numba) over the wishes tries
every option of the wish's offer in explain.py's order, keeping the best value (strictly greater
wins); priority, floor and tie-break values are numpy again. `Tables.convert` is the vectorised
conversion, searching every institution's table at once through one sorted key array.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from hemis.admissions.codes import COMBINATION_METHODS, SUBJECT_INDEX, WISH_RANK, Method
from hemis.admissions.combinations import subjects_of
from hemis.admissions.explain import METHOD_ORDER
from hemis.admissions.rules import RuleSet, to_h

F = TypeVar("F", bound=Callable[..., Any])
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]
METHOD_INDEX = {m.value: i for i, m in enumerate(METHOD_ORDER)}
TEST_METHODS = [m for m in METHOD_ORDER if m not in COMBINATION_METHODS]
NO_CRITERION = -1
WISH_RANK_CRITERION = -2
_KEY_STRIDE = 1 << 24  # larger than any score in hundredths (V-ACT: 120,000)


@dataclass(frozen=True)
class Candidates:
    """Per candidate (rows): exam and transcript scores by subject, tests by method (-1 missing),
    and the normal priority in hundredths (0 when it does not apply)."""

    exam: I64  # (C, n_subjects)
    transcript: I64  # (C, n_subjects)
    tests: I64  # (C, len(TEST_METHODS))
    normal_h: I64  # (C,)


@dataclass(frozen=True)
class Offers:
    """Per offer (rows): accepted methods, combinations with offsets, floor, conversion table id
    per method (-1 none), tie-break criteria (subject index, WISH_RANK_CRITERION or none), and
    the total weight of its combinations (3: the 30-point scale). A weighted combination is its
    own column, keyed by combination_key (e.g. "A00*math2")."""

    methods: Bool  # (P, n_methods)
    combinations: Sequence[str]  # column order of accept/offset: combination keys
    accept: Bool  # (P, K)
    offset_h: I64  # (P, K)
    floor_h: I64  # (P,)
    table: I64  # (P, n_methods): id into Tables, -1 if none
    criteria: I64  # (P, T)
    weight: I64 | None = None  # (P,), None: every offer unweighted


def combination_key(code: str, weights: Mapping[str, int]) -> str:
    """The column of a combination as an offer weights it: the code, then each of its subjects
    weighing more than 1 (sorted), e.g. "A00*math2"."""
    subjects = subjects_of(code) or ()
    heavy = sorted(
        (s.value, int(weights[s.value])) for s in subjects if int(weights.get(s.value, 1)) != 1
    )
    return code + "".join(f"*{name}{w}" for name, w in heavy)


def parse_key(key: str) -> tuple[str, dict[str, int]]:
    code, *parts = key.split("*")
    return code, {
        part.rstrip("0123456789"): int(part[len(part.rstrip("0123456789")) :]) for part in parts
    }


@dataclass(frozen=True)
class Tables:
    """Every conversion table, points concatenated in table order."""

    x: I64
    y: I64
    start: I64  # first point of each table
    end: I64  # one past the last point
    keys: I64  # table id * stride + x: sorted, so one search finds the band in any table

    @classmethod
    def build(cls, tables: Sequence[Sequence[tuple[int, int]]]) -> Tables:
        x = np.array([x for points in tables for x, _ in points], dtype=np.int64)
        y = np.array([y for points in tables for _, y in points], dtype=np.int64)
        sizes = np.array([len(points) for points in tables], dtype=np.int64)
        end = np.cumsum(sizes)
        owner = np.repeat(np.arange(sizes.shape[0], dtype=np.int64), sizes)
        return cls(x, y, end - sizes, end, owner * _KEY_STRIDE + x)

    def convert(self, table: I64, x: I64) -> I64:
        """Converted values of scores `x` by their tables `table` (every table id valid)."""
        pos = np.searchsorted(self.keys, table * _KEY_STRIDE + x, side="right") - 1
        pos = np.clip(pos, self.start[table], self.end[table] - 2)
        x0, x1 = self.x[pos], self.x[pos + 1]
        y0, y1 = self.y[pos], self.y[pos + 1]
        xc = np.clip(x, x0, x1)
        num = (xc - x0) * (y1 - y0)
        den = x1 - x0
        converted: I64 = y0 + (2 * num + den) // (2 * den)
        return converted


@dataclass(frozen=True)
class Scores:
    base_h: I64  # best converted score + offset per wish, -1: no usable result
    score_h: I64  # admission score per wish, -1: not eligible
    method: I64  # index in METHOD_ORDER of the counted option, -1: none
    tiebreaks: I64  # (T, n_wishes)


def jit(func: F) -> F:
    """``numba.njit(cache=True)``, keeping the function's signature for mypy."""
    return cast(F, numba.njit(cache=True)(func))


def _combination_sums(source: I64, key: str, minimum_h: int | None) -> I64 | None:
    code, weights = parse_key(key)
    subjects = subjects_of(code)
    if subjects is None:
        return None
    cols = source[:, [SUBJECT_INDEX[s.value] for s in subjects]]
    factors = np.array([weights.get(s.value, 1) for s in subjects], dtype=np.int64)
    sums: I64 = (cols * factors).sum(axis=1)
    sums[(cols < 0).any(axis=1)] = -1
    if minimum_h is not None:  # the 2026 minimum is on the unweighted sum
        sums[cols.sum(axis=1) < minimum_h] = -1
    return sums


def _options(offers: Offers) -> tuple[I64, I64]:
    """Per offer its options in the tie order of explain.py, as CSR: offsets, and rows of
    (method index, source column, offset, table id). The source column indexes the stacked
    combination sums (exam, then transcript) or, for a test, the test matrix."""
    order = sorted(range(len(offers.combinations)), key=offers.combinations.__getitem__)
    k = len(offers.combinations)
    rows: list[tuple[int, int, int, int]] = []
    offsets = [0]
    for p in range(offers.methods.shape[0]):
        for method in METHOD_ORDER:
            m = METHOD_INDEX[method.value]
            if not offers.methods[p, m]:
                continue
            table = int(offers.table[p, m])
            if method in COMBINATION_METHODS:
                if method is not Method.exam and table < 0:
                    continue
                base = 0 if method is Method.exam else k
                rows += [
                    (m, base + j, int(offers.offset_h[p, j]), table)
                    for j in order
                    if offers.accept[p, j]
                ]
            elif table >= 0:
                rows.append((m, TEST_METHODS.index(method), 0, table))
        offsets.append(len(rows))
    return np.array(offsets, dtype=np.int64), np.array(rows, dtype=np.int64).reshape(-1, 4)


def _sums(source: I64, codes: Sequence[str], minimum_h: int | None) -> I64:
    """(C, K) sums of each combination's three subjects, -1 when one is missing or (exam, from
    2026) the sum is below the minimum."""
    out = np.full((source.shape[0], len(codes)), -1, dtype=np.int64)
    for j, code in enumerate(codes):
        sums = _combination_sums(source, code, minimum_h)
        if sums is not None:
            out[:, j] = sums
    return out


@jit
def _best_options(
    cand: I64,
    offer: I64,
    sums: I64,
    tests: I64,
    opt_offsets: I64,
    options: I64,
    table_x: I64,
    table_y: I64,
    table_start: I64,
    table_end: I64,
    weight: I64,
) -> tuple[I64, I64]:
    """The best option's value (clipped to 0 – 1000 × the offer's weight) and method of each
    wish; -1 when none. A converted value is brought to the offer's scale with one rounding:
    (y0 + (x − x0)(y1 − y0)/(x1 − x0)) × w / 3, x being a transcript's weighted sum × 3 / w."""
    n = cand.shape[0]
    best = np.full(n, -1, np.int64)
    method = np.full(n, -1, np.int64)
    for w in range(n):
        c, p = cand[w], offer[w]
        for o in range(opt_offsets[p], opt_offsets[p + 1]):
            m, col, offset, table = options[o, 0], options[o, 1], options[o, 2], options[o, 3]
            if m < 2:  # exam or transcript: a combination
                raw = sums[c, col]
                combination = True
            else:
                raw = tests[c, col]
                combination = False
            if raw < 0:
                continue
            value = raw
            w3 = weight[p]
            if m != 0 and table >= 0:  # every method but the exam converts
                # x = raw × xn / xd: a transcript's weighted sum on 30, a test's score as is
                xn, xd = (3, w3) if combination else (1, 1)
                pos = table_start[table]
                for i in range(table_start[table], table_end[table] - 1):
                    if table_x[i] * xd <= raw * xn:
                        pos = i
                x0, x1 = table_x[pos], table_x[pos + 1]
                y0, y1 = table_y[pos], table_y[pos + 1]
                xc = min(max(raw * xn, x0 * xd), x1 * xd)
                num = (xc - x0 * xd) * (y1 - y0)
                den = (x1 - x0) * xd
                a = (y0 * den + num) * w3
                b = 3 * den
                value = (2 * a + b) // (2 * b)
            if combination:
                value += offset
            value = min(max(value, 0), 1000 * w3)
            if value > best[w]:
                best[w] = value
                method[w] = m
    return best, method


def best_scores(
    rules: RuleSet,
    candidates: Candidates,
    offers: Offers,
    tables: Tables,
    cand: I64,
    offer: I64,
    rank: I64,
    bonus_h: I64 | None = None,
) -> Scores:
    """Score, counted method and tie-break values of each wish (candidate index, offer index,
    rank; bonus points per wish on the 30-point scale, none by default), as
    explain.explain_score would compute them one by one: every option of the wish's offer tried
    in one compiled pass over the wishes."""
    minimum_h = None if rules.min_exam_combination is None else to_h(rules.min_exam_combination)
    codes = list(offers.combinations)
    sums = np.hstack(
        [_sums(candidates.exam, codes, minimum_h), _sums(candidates.transcript, codes, None)]
    )
    opt_offsets, options = _options(offers)
    weight = offer_weights(offers)
    best, best_method = _best_options(
        np.ascontiguousarray(cand, dtype=np.int64),
        np.ascontiguousarray(offer, dtype=np.int64),
        np.ascontiguousarray(sums),
        np.ascontiguousarray(candidates.tests, dtype=np.int64),
        opt_offsets,
        np.ascontiguousarray(options),
        tables.x,
        tables.y,
        tables.start,
        tables.end,
        weight,
    )
    total = admission_totals(
        rules, best, candidates.normal_h[cand], bonus_h=bonus_h, weight=weight[offer]
    )
    eligible = (best >= 0) & (total >= offers.floor_h[offer])
    score = np.where(eligible, total, -1)
    return Scores(
        best,
        score,
        np.where(eligible, best_method, -1),
        tiebreak_matrix(candidates, offers, cand, offer, rank),
    )


def offer_weights(offers: Offers) -> I64:
    if offers.weight is None:
        return np.full(offers.methods.shape[0], 3, dtype=np.int64)
    return np.ascontiguousarray(offers.weight, dtype=np.int64)


def _thirds(value_h: I64, weight: I64) -> I64:
    """value × w / 3 rounded half up (a 30-point value on the scale of weight w)."""
    out: I64 = (2 * value_h * weight + 3) // 6
    return out


def admission_totals(
    rules: RuleSet,
    base_h: I64,
    normal_h: I64,
    bonus_h: I64 | None = None,
    weight: I64 | None = None,
) -> I64:
    """rules.admission_total in hundredths, per wish (base -1 stays -1): bonus (30-point scale)
    and the offer's total weight optional (3 when absent)."""
    w = np.full(base_h.shape, 3, dtype=np.int64) if weight is None else weight
    bonus = np.zeros_like(base_h) if bonus_h is None else _thirds(bonus_h, w)
    scale = 1000 * w
    taper = to_h(rules.taper_from) * w // 3
    span, cap = to_h(rules.taper_span), to_h(rules.plus_cap) * w // 3
    pre = np.minimum(base_h + bonus, scale)
    tapered = (2 * (scale - pre) * normal_h + span) // (2 * span)
    priority = np.where(pre < taper, _thirds(normal_h, w), np.maximum(tapered, 0))
    total = np.minimum(scale, base_h + np.minimum(bonus + priority, cap))
    out: I64 = np.where(base_h < 0, -1, total)
    return out


def tiebreak_matrix(
    candidates: Candidates, offers: Offers, cand: I64, offer: I64, rank: I64
) -> I64:
    """Values of each offer's tie-break criteria, one row per position (higher is better)."""
    width = offers.criteria.shape[1]
    out = np.zeros((width, cand.shape[0]), dtype=np.int64)
    for j in range(width):
        criterion = offers.criteria[offer, j]
        subject = np.clip(criterion, 0, None)
        values = candidates.exam[cand, subject]
        values = np.where(criterion == WISH_RANK_CRITERION, -rank, values)
        out[j] = np.where(criterion == NO_CRITERION, 0, values)
    return out


def criterion_code(name: str) -> int:
    if name == WISH_RANK:
        return WISH_RANK_CRITERION
    return SUBJECT_INDEX.get(name, NO_CRITERION)


def subject_matrix(n: int, rows: I64, cols: I64, values: I64, width: int) -> I64:
    """A (n, width) matrix of -1 holding values[i] at (rows[i], cols[i])."""
    out = np.full((n, width), -1, dtype=np.int64)
    out[rows, cols] = values
    return out


def method_columns(methods: Mapping[int, Sequence[str]], n_offers: int) -> Bool:
    out = np.zeros((n_offers, len(METHOD_ORDER)), dtype=np.bool_)
    for p, names in methods.items():
        for name in names:
            out[p, METHOD_INDEX[name]] = True
    return out
