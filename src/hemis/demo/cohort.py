"""The demo cohort and its offers, drawn from seeded numpy streams (pure: no Session).

What is drawn here becomes rows only through the admissions and payments services (setup.py,
steps.py): the applicants' identities and registrations, the offers of every institution, the
results files, each candidate's wishes, who pays and who confirms. One seed always gives the same
plans; later phases read what the database holds (registrations, results, offers) and draw from
it, so a registration the candidate changed is scored as it now stands.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from hemis.admissions.codes import (
    LANGUAGE_SUBJECT,
    TECHNOLOGY_SUBJECT,
    WISH_RANK,
    ForeignLanguage,
    Method,
    Subject,
    TechnologyTrack,
)
from hemis.admissions.combinations import subjects_of
from hemis.demo.rules import DEMO_YEAR, MAX_WISHES
from hemis.registry.rules import make_national_id
from hemis.synth.names import sample_names
from hemis.synth.persons import cccd_provinces, province_weights

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Stream(IntEnum):
    """One numpy stream per draw (the second word of the SeedSequence)."""

    applicants = 101
    offers = 102
    results = 103
    wishes = 104
    payments = 105
    confirmations = 106
    early = 107


def rng(seed: int, stream: Stream) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, int(stream)])))


# --- applicants -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """One candidate of the cohort: identity and exam registration."""

    national_id: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    school_code: str
    school_name: str
    area: str
    category: str | None
    graduation_year: int
    electives: tuple[str, str]
    foreign_language: str | None
    technology_track: str | None
    exam_site: str


# Elective pairs as candidates choose them (the blocks schools teach towards), with weights.
ELECTIVE_PAIRS: tuple[tuple[tuple[str, str], float], ...] = (
    (("physics", "chemistry"), 0.20),
    (("physics", "foreign_language"), 0.17),
    (("chemistry", "biology"), 0.11),
    (("history", "geography"), 0.15),
    (("foreign_language", "history"), 0.07),
    (("foreign_language", "geography"), 0.07),
    (("informatics", "foreign_language"), 0.06),
    (("economics_law", "geography"), 0.06),
    (("chemistry", "foreign_language"), 0.06),
    (("technology", "physics"), 0.05),
)
AREAS = (("KV1", 0.18), ("KV2-NT", 0.34), ("KV2", 0.26), ("KV3", 0.22))
SCHOOLS_PER_SITE = 12


def plan_applicants(seed: int, n: int) -> list[Applicant]:
    """`n` candidates born 2008 (most, graduating in the demo year) or 2007 (a year earlier)."""
    r = rng(seed, Stream.applicants)
    female = r.random(n) < 0.55
    names = sample_names(r, female)[0].to_list()
    provinces = cccd_provinces()
    weights = province_weights()
    province = r.choice(len(provinces), size=n, p=weights / weights.sum())
    late = r.random(n) < 0.1
    birth_year = np.where(late, DEMO_YEAR - 19, DEMO_YEAR - 18)
    day = r.integers(0, 365, size=n)
    pair = r.choice(len(ELECTIVE_PAIRS), size=n, p=_weights(ELECTIVE_PAIRS))
    area = r.choice(len(AREAS), size=n, p=_weights(AREAS))
    category = np.where(r.random(n) < 0.04, r.integers(1, 8, size=n), 0)
    language = np.where(r.random(n) < 0.92, 1, r.choice([3, 4, 6, 7], size=n))
    track = r.random(n) < 0.7
    school = r.integers(1, SCHOOLS_PER_SITE + 1, size=n)
    out = []
    for i in range(n):
        code3 = provinces[int(province[i])]
        sex = "female" if female[i] else "male"
        year = int(birth_year[i])
        electives = ELECTIVE_PAIRS[int(pair[i])][0]
        site = f"{int(code3) % 100:02d}"
        out.append(
            Applicant(
                # serial i spread over the range: unique within the cohort by construction
                national_id=make_national_id(code3, sex, year, (i * 7_919 + 400_000) % 1_000_000),
                full_name=str(names[i]),
                date_of_birth=dt.date(year, 1, 1) + dt.timedelta(days=int(day[i])),
                sex=sex,
                school_code=f"{site}{int(school[i]):03d}",
                school_name=f"THPT số {int(school[i])} ({site})",
                area=AREAS[int(area[i])][0],
                category=f"{int(category[i]):02d}" if category[i] else None,
                graduation_year=year + 18,
                electives=electives,
                foreign_language=(
                    f"N{int(language[i])}" if "foreign_language" in electives else None
                ),
                technology_track=(
                    ("industry" if track[i] else "agriculture")
                    if "technology" in electives
                    else None
                ),
                exam_site=site,
            )
        )
    return out


def _weights(pairs: Sequence[tuple[object, float]]) -> FloatArray:
    p = np.array([w for _, w in pairs], dtype=np.float64)
    return np.asarray(p / p.sum(), dtype=np.float64)


def exam_subjects(
    electives: Sequence[str], foreign_language: str | None, technology_track: str | None
) -> tuple[str, ...]:
    """The scored subjects a registration sits (admissions.eligibility.registered_subjects)."""
    out = [Subject.math.value, Subject.literature.value]
    for elective in electives:
        if elective == "foreign_language" and foreign_language:
            out.append(LANGUAGE_SUBJECT[ForeignLanguage(foreign_language)].value)
        elif elective == "technology" and technology_track:
            out.append(TECHNOLOGY_SUBJECT[TechnologyTrack(technology_track)].value)
        else:
            out.append(elective)
    return tuple(out)


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
            )
        )
    return out


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


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sitting:
    """A registered candidate as the results step sees it."""

    person_id: int
    candidate_number: str
    subjects: tuple[str, ...]  # the exam subjects sat


@dataclass(frozen=True)
class ResultFiles:
    """The results files of the year, as the exam council and test centres send them (CSV)."""

    exam: bytes
    transcript: bytes
    tests: dict[Method, bytes]


# Mean exam score per subject, roughly the national averages of 2025.
SUBJECT_MEAN: dict[str, float] = {
    "math": 4.8,
    "literature": 7.0,
    "english": 5.4,
    "physics": 6.9,
    "chemistry": 6.1,
    "biology": 5.8,
    "history": 6.5,
    "geography": 6.6,
    "economics_law": 7.7,
    "informatics": 6.8,
    "technology_industry": 6.9,
    "technology_agriculture": 7.3,
}
TRANSCRIPT_SUBJECTS = (
    "math", "literature", "english", "physics", "chemistry", "biology", "history", "geography",
)  # fmt: skip


def plan_results(
    seed: int, sittings: Sequence[Sitting], fixed: Mapping[str, Mapping[str, int]]
) -> ResultFiles:
    """Exam scores for every subject each candidate sits (multiples of 0.25), grade-12 averages
    for some, competency tests for a few; `fixed` gives some candidates' exam scores (hundredths)
    by candidate number, and their test scores under the method's name."""
    r = rng(seed, Stream.results)
    ordered = sorted(sittings, key=lambda s: s.candidate_number)
    n = len(ordered)
    ability = r.normal(0.0, 1.0, size=n)
    noise = r.normal(0.0, 1.0, size=(n, len(SUBJECT_MEAN) + 8))
    exam_rows: list[dict[str, str]] = []
    for i, sitting in enumerate(ordered):
        given = fixed.get(sitting.candidate_number, {})
        row = {}
        for j, subject in enumerate(sitting.subjects):
            if subject in given:
                row[subject] = _text(given[subject])
                continue
            mean = SUBJECT_MEAN.get(subject, 6.5)
            value = mean + 1.5 * ability[i] + 1.0 * noise[i, j]
            row[subject] = _text(round(min(max(value, 0.0), 10.0) * 4) * 25)
        exam_rows.append(row)
    has_transcript = r.random(n) < 0.4
    transcript_rows: dict[int, dict[str, str]] = {}
    for i in np.flatnonzero(has_transcript).tolist():
        if ordered[i].candidate_number in fixed:
            continue
        values = 7.5 + 0.7 * ability[i] + 0.4 * noise[i, -8:]
        transcript_rows[i] = {
            subject: _text(round(min(max(v, 5.0), 10.0) * 10) * 10)
            for subject, v in zip(TRANSCRIPT_SUBJECTS, values.tolist(), strict=True)
        }
    tests: dict[Method, bytes] = {}
    for method, share, mean, spread, top, step in (
        (Method.hsa, 0.15, 80.0, 16.0, 150, 100),
        (Method.vact, 0.08, 720.0, 140.0, 1200, 100),
        (Method.tsa, 0.08, 56.0, 12.0, 100, 1),
    ):
        takes = r.random(n) < share
        draws = mean + spread * (0.8 * ability + 0.6 * r.normal(0.0, 1.0, size=n))
        rows: list[tuple[str, str]] = []
        for i, sitting in enumerate(ordered):
            given = fixed.get(sitting.candidate_number, {})
            if method.value in given:
                rows.append((sitting.candidate_number, _text(given[method.value])))
            elif takes[i] and sitting.candidate_number not in fixed:
                hundredths = round(min(max(float(draws[i]), 0.0), top) * 100 / step) * step
                rows.append((sitting.candidate_number, _text(hundredths)))
        tests[method] = _csv(["score"], [(number, {"score": s}) for number, s in rows])
    numbers = [s.candidate_number for s in ordered]
    return ResultFiles(
        exam=_csv(
            sorted(SUBJECT_MEAN.keys() | {s for row in exam_rows for s in row}),
            list(zip(numbers, exam_rows, strict=True)),
        ),
        transcript=_csv(
            list(TRANSCRIPT_SUBJECTS),
            [(numbers[i], row) for i, row in sorted(transcript_rows.items())],
        ),
        tests=tests,
    )


def _text(hundredths: int) -> str:
    whole, cents = divmod(hundredths, 100)
    return f"{whole}.{cents:02d}" if cents else f"{whole}"


def _csv(columns: Sequence[str], rows: Sequence[tuple[str, Mapping[str, str]]]) -> bytes:
    out = io.StringIO()
    out.write(",".join(["candidate_number", *columns]) + "\n")
    for number, values in rows:
        out.write(",".join([number, *(values.get(c, "") for c in columns)]) + "\n")
    return out.getvalue().encode()


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
    estimate = np.full((n, m), -1.0)
    for o, offer in enumerate(offers):
        for code, offset in offer.combinations.items():
            subjects = subjects_of(code)
            if subjects is not None:
                total = exam[:, [column[s.value] for s in subjects]].sum(axis=1) + offset / 100
                estimate[:, o] = np.fmax(estimate[:, o], total)
        for t, method in enumerate(TEST_MAX_H):
            if method in offer.methods:
                estimate[:, o] = np.fmax(estimate[:, o], tests[:, t])
    floor = np.array([o.floor_h / 100 for o in offers])
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


# --- payments and confirmations -------------------------------------------------------------------


def chosen(seed: int, stream: Stream, keys: Sequence[int], share: float) -> set[int]:
    """A reproducible `share` of `keys` (e.g. the invoices paid, the admissions confirmed)."""
    r = rng(seed, stream)
    ordered = sorted(keys)
    picks = r.random(len(ordered)) < share
    return {k for k, p in zip(ordered, picks.tolist(), strict=True) if p}
