"""The demo cohort, drawn from seeded numpy streams (pure: no Session); the offers and the wishes
are drawn in offers.py.

What is drawn here becomes rows only through the admissions and payments services (setup.py,
steps.py): the applicants' identities and registrations, the results files, who pays and who
confirms. One seed always gives the same plans; later phases read what the database holds
(registrations, results, offers) and draw from it, so a registration the candidate changed is
scored as it now stands.
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
    ForeignLanguage,
    Method,
    Subject,
    TechnologyTrack,
)
from hemis.demo.rules import DEMO_YEAR
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
    """`n` candidates born 18 years before the demo year (most, graduating in it), 19 (a year
    earlier) or 20 (two years earlier, sitting the exam again)."""
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
    # six categories from 2026 (Circular 06/2026, the demo's rules): 07 becomes 06 (same draws)
    category = np.where(category == 7, 6, category)
    language = np.where(r.random(n) < 0.92, 1, r.choice([3, 4, 6, 7], size=n))
    track = r.random(n) < 0.7
    school = r.integers(1, SCHOOLS_PER_SITE + 1, size=n)
    # A few sit the exam again two years after graduating: their area points have expired,
    # their category points have not (Circular 08/2022 as amended, Art. 7(1)–(2)). Drawn last,
    # so every other draw stays as it was.
    again = r.random(n) < 0.03
    birth_year = np.where(again, DEMO_YEAR - 20, birth_year)
    category = np.where(again & (category == 0) & (r.random(n) < 0.5), 6, category)
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

# A candidate who registered in the portal sits the simulated exam as a good student: this many
# standard deviations above the cohort's mean (the cohort is drawn around 0), so the year a
# newcomer walks can end in an admission to a program their scores fit.
SELF_SERVED_ABILITY = (1.5, 2.0)


def self_served_scores(seed: int, sitting: Sitting) -> dict[str, int]:
    """Exam scores (hundredths, multiples of 0.25) of a candidate who registered in the portal,
    drawn from their own stream (the seed and their candidate number): the same whenever the
    results are imported again, whoever else has registered since."""
    r = np.random.Generator(
        np.random.PCG64(
            np.random.SeedSequence([seed, int(Stream.results), int(sitting.candidate_number)])
        )
    )
    ability = r.uniform(*SELF_SERVED_ABILITY)
    noise = np.clip(r.normal(0.0, 0.4, size=len(sitting.subjects)), -0.6, 0.6)  # never a bad day
    return {
        subject: round(min(max(SUBJECT_MEAN.get(subject, 6.5) + 1.5 * ability + e, 0.0), 10.0) * 4)
        * 25
        for subject, e in zip(sitting.subjects, noise.tolist(), strict=True)
    }


def plan_results(
    seed: int, sittings: Sequence[Sitting], fixed: Mapping[str, Mapping[str, int]]
) -> ResultFiles:
    """Exam scores for every subject each candidate sits (multiples of 0.05, as the exam scores
    them from 2025: rules.exam_step_h), grade-12 averages
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
            row[subject] = _text(round(min(max(value, 0.0), 10.0) * 20) * 5)
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


# --- payments and confirmations -------------------------------------------------------------------


def chosen(seed: int, stream: Stream, keys: Sequence[int], share: float) -> set[int]:
    """A reproducible `share` of `keys` (e.g. the invoices paid, the admissions confirmed)."""
    r = rng(seed, stream)
    ordered = sorted(keys)
    picks = r.random(len(ordered)) < share
    return {k for k, p in zip(ordered, picks.tolist(), strict=True) if p}
