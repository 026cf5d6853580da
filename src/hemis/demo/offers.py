"""The offers of the demo year and the candidates' wishes, drawn from seeded numpy streams
(pure: no Session): which programs every institution opens, with their combinations, methods,
quotas, floors and tie-breaks, and which of them each candidate wishes for, in which order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from hemis.admissions.codes import WISH_RANK, Method, Subject
from hemis.admissions.combinations import subjects_of
from hemis.demo.cohort import FloatArray, IntArray, Stream, rng
from hemis.demo.rules import MAX_WISHES

# --- offers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramRow:
    institution_id: int
    program_id: int
    code: str
    discipline_code: str


@dataclass(frozen=True)
class OfferPlan:
    institution_id: int
    program_id: int
    code: str
    quota: int
    methods: tuple[str, ...]
    method_quotas: dict[str, int]
    combinations: dict[str, str]  # code → offset, as the API takes it ("0", "-0.5")
    floor: str
    tiebreaks: tuple[str, ...]
    weights: dict[str, int] = field(default_factory=dict)  # e.g. {"math": 2}: a 40-point scale


# Subject combinations by the field of a discipline (digits 2–3 of its code); the rest: DEFAULT.
COMBINATIONS_BY_FIELD: dict[str, tuple[str, ...]] = {
    "48": ("A00", "A01", "X26", "D07"),
    "51": ("A00", "A01", "D07", "C01"),
    "52": ("A00", "A01", "D07"),
    "44": ("A00", "B00", "D07"),
    "46": ("A00", "A01", "D07"),
    "34": ("A00", "A01", "D01", "C04"),
    "31": ("A00", "D01", "C00", "D14"),
    "38": ("A00", "C00", "D01", "D14"),
    "22": ("D01", "D14", "D15", "C00"),
    "14": ("A00", "C00", "D01", "B00"),
    "72": ("B00", "A00", "D08"),
    "62": ("A00", "B00", "D08"),
    "64": ("A00", "B00", "D08"),
    "58": ("A00", "A01", "D01"),
    "32": ("C00", "D01", "D14"),
    "76": ("C00", "D01", "D14"),
    "81": ("A00", "A01", "D01", "C00"),
}
DEFAULT_COMBINATIONS = ("A00", "A01", "D01", "C00")
OFFERS_PER_INSTITUTION = 8
SEATS_PER_CANDIDATE = 0.6  # seats offered per candidate: enough competition for cutoffs to bite


def plan_offers(seed: int, programs: Sequence[ProgramRow], candidates: int) -> list[OfferPlan]:
    """Up to eight bachelor programs of every institution opened for admission: combinations of
    their field, the exam plus other methods, method quotas, a floor, tie-breaks; one selective
    program per institution (small quota, high floor)."""
    r = rng(seed, Stream.offers)
    by_institution: dict[int, list[ProgramRow]] = {}
    for row in sorted(programs, key=lambda p: (p.institution_id, p.code)):
        by_institution.setdefault(row.institution_id, []).append(row)
    chosen: list[ProgramRow] = []
    for rows in by_institution.values():
        take = min(OFFERS_PER_INSTITUTION, len(rows))
        picked = sorted(r.choice(len(rows), size=take, replace=False).tolist())
        chosen.extend(rows[i] for i in picked)
    if not chosen:
        return []
    seats = max(len(chosen) * 5, round(candidates * SEATS_PER_CANDIDATE))
    weights = r.lognormal(0.0, 0.5, size=len(chosen))
    selective = _first_of_each(chosen)
    weights[selective] *= 0.35
    quotas = _apportion(seats, weights, 5)
    out = []
    for k, program in enumerate(chosen):
        codes = COMBINATIONS_BY_FIELD.get(program.discipline_code[1:3], DEFAULT_COMBINATIONS)
        count = int(r.integers(2, len(codes) + 1))
        combos = dict.fromkeys(codes[:count], "0")
        if count > 2 and r.random() < 0.3:
            combos[codes[count - 1]] = "-0.5"  # the last combination counts half a point less
        methods = [Method.exam.value]
        if r.random() < 0.4:
            methods.append(Method.transcript.value)
        tests = [m.value for m in (Method.hsa, Method.vact, Method.tsa)]
        for method, share in zip(tests, (0.3, 0.15, 0.12), strict=True):
            if r.random() < share:
                methods.append(method)
        quota = int(quotas[k])
        method_quotas = {}
        if Method.transcript.value in methods and r.random() < 0.5 and quota >= 10:
            method_quotas[Method.transcript.value] = quota // 5
        if k in selective:
            floor = f"{22 + int(r.integers(0, 3))}"
        else:
            floor = f"{15 + 0.5 * int(r.integers(0, 7)):.1f}"
        first = subjects_of(codes[0])
        lead = first[0].value if first else Subject.math.value
        tiebreaks = [(lead,), (lead, WISH_RANK), (WISH_RANK,), ()][int(r.integers(0, 4))]
        subject_weights: dict[str, int] = {}
        if k in selective and all(_has_math(code) for code in combos):
            # a selective program doubles Mathematics: its scores and floor are on 40
            subject_weights = {Subject.math.value: 2}
            floor = f"{round(float(floor) * 4 / 3 * 4) / 4:.2f}"
        out.append(
            OfferPlan(
                institution_id=program.institution_id,
                program_id=program.program_id,
                code=program.code,
                quota=quota,
                methods=tuple(methods),
                method_quotas=method_quotas,
                combinations=combos,
                floor=floor,
                tiebreaks=tiebreaks,
                weights=subject_weights,
            )
        )
    return out


def _has_math(code: str) -> bool:
    subjects = subjects_of(code)
    return subjects is not None and Subject.math in subjects


def _first_of_each(rows: Sequence[ProgramRow]) -> list[int]:
    seen: set[int] = set()
    out = []
    for k, row in enumerate(rows):
        if row.institution_id not in seen:
            seen.add(row.institution_id)
            out.append(k)
    return out


def _apportion(total: int, weights: FloatArray, minimum: int) -> IntArray:
    share = weights / weights.sum() * max(total - minimum * len(weights), 0)
    counts = np.floor(share).astype(np.int64) + minimum
    left = total - int(counts.sum())
    if left > 0:
        counts[np.argsort(-(share - np.floor(share)), kind="stable")[:left]] += 1
    return np.asarray(counts, dtype=np.int64)


# --- wishes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferView:
    """An open offer as candidates weigh it."""

    institution_id: int
    offer_id: int
    combinations: Mapping[str, int]  # code → offset in hundredths
    methods: tuple[str, ...]
    floor_h: int
    quota: int
    weights: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Scores:
    """A candidate's results (hundredths): exam subjects, and competency tests by method."""

    person_id: int
    exam: Mapping[str, int]
    tests: Mapping[str, int]


TEST_MAX_H = {Method.hsa.value: 15000, Method.vact.value: 120000, Method.tsa.value: 10000}


def plan_wishes(
    seed: int, candidates: Sequence[Scores], offers: Sequence[OfferView]
) -> dict[int, list[tuple[int, int]]]:
    """Each candidate's wishes, best first: one to five offers they may reach (their estimated
    score not far under the floor), the selective ones first, with taste as noise."""
    r = rng(seed, Stream.wishes)
    ordered = sorted(candidates, key=lambda c: c.person_id)
    n, m = len(ordered), len(offers)
    if n == 0 or m == 0:
        return {}
    column = {s.value: k for k, s in enumerate(Subject)}
    exam = np.full((n, len(column)), np.nan)
    tests = np.full((n, len(TEST_MAX_H)), np.nan)
    for c, cand in enumerate(ordered):
        for subject, value in cand.exam.items():
            if subject in column:
                exam[c, column[subject]] = value / 100
        for t, method in enumerate(TEST_MAX_H):
            if method in cand.tests:  # rough: the test's share of its maximum, on 30 points
                tests[c, t] = 30.0 * cand.tests[method] / TEST_MAX_H[method] + 2.0
    estimate = np.full((n, m), -1.0)  # on 30 points (a weighted offer's brought to 30)
    unit = np.ones(m)
    for o, offer in enumerate(offers):
        for code, offset in offer.combinations.items():
            subjects = subjects_of(code)
            if subjects is not None:
                factors = np.array([offer.weights.get(s.value, 1) for s in subjects])
                unit[o] = 3.0 / factors.sum()
                cols = exam[:, [column[s.value] for s in subjects]]
                total = ((cols * factors).sum(axis=1) + offset / 100) * unit[o]
                estimate[:, o] = np.fmax(estimate[:, o], total)
        for t, method in enumerate(TEST_MAX_H):
            if method in offer.methods:
                estimate[:, o] = np.fmax(estimate[:, o], tests[:, t])
    floor = np.array([o.floor_h / 100 for o in offers]) * unit
    pull = (floor - 15.0) / 5.0 + 1.0 / np.sqrt(np.array([max(o.quota, 1) for o in offers]))
    taste = pull[None, :] + r.normal(0.0, 0.6, size=(n, m))
    reachable = (estimate >= 0) & (estimate >= floor[None, :] - 1.0)
    taste = np.where(reachable, taste, -np.inf)
    wanted = r.choice(
        np.arange(1, MAX_WISHES + 1), size=n, p=np.array([0.22, 0.3, 0.26, 0.13, 0.09])
    )
    out: dict[int, list[tuple[int, int]]] = {}
    for c, cand in enumerate(ordered):
        order = np.argsort(-taste[c], kind="stable")
        keep = [int(o) for o in order[: int(wanted[c])] if np.isfinite(taste[c, o])]
        if keep:
            out[cand.person_id] = [(offers[o].institution_id, offers[o].offer_id) for o in keep]
    return out
