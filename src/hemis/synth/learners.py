"""Learners, in chunks: enrolments with persons, status histories, latest term results, awards.

Learners are laid out program by program (so institution by institution); chunk k holds learners
[k × size, (k + 1) × size) and draws from its own random stream, with counters (student codes,
diploma numbers, CCCD serials) carried from chunk to chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from hemis.common.crypto import IdCipher
from hemis.synth.common import (
    AS_OF_DAY,
    Counters,
    FloatArray,
    IntArray,
    Stream,
    as_dates,
    pick,
    rng,
    stamps,
    weighted,
    years_of,
)
from hemis.synth.histories import (
    ENROLLED,
    GRADUATED,
    REASONS,
    STATUSES,
    SUSPENDED,
    WITHDRAWN,
    latest_term,
    simulate,
)
from hemis.synth.institutions import PLACES, InstitutionPlan
from hemis.synth.persons import (
    PersonDraw,
    SerialPool,
    build_persons,
    province_index,
    province_weights,
)
from hemis.synth.programs import MODES, ProgramPlan

CHUNK = 200_000
FUNDING = ("state_budget", "self_funded", "scholarship", "employer", "other")
CLASSIFICATIONS = ("excellent", "very_good", "good", "average")
# Funding mix by (private?, level).
_FUNDING_MIX = np.array(
    [
        [
            [0.18, 0.72, 0.06, 0.02, 0.02],
            [0.10, 0.78, 0.04, 0.06, 0.02],
            [0.40, 0.45, 0.10, 0.03, 0.02],
        ],
        [
            [0.00, 0.90, 0.07, 0.01, 0.02],
            [0.00, 0.92, 0.03, 0.03, 0.02],
            [0.00, 0.90, 0.05, 0.03, 0.02],
        ],
    ]
)
_FEMALE = np.array([0.55, 0.56, 0.42])
_BACHELOR_AGE = np.arange(18, 36)
_BACHELOR_AGE_P = np.r_[[0.62, 0.16, 0.07, 0.04, 0.03, 0.02, 0.015, 0.015], np.full(10, 0.003)]
_FIRST_YEAR = 2010
_YEARS = np.arange(_FIRST_YEAR, 2026)
_COHORT_CUM = np.cumsum(1.04 ** (_YEARS - 2015))


@dataclass(frozen=True)
class LearnerChunk:
    persons: pl.DataFrame
    learners: pl.DataFrame  # institution_id, program_id: plan indices; person_id: chunk index
    events: pl.DataFrame  # learner_id: chunk index
    terms: pl.DataFrame
    awards: pl.DataFrame


def _cohorts(g: np.random.Generator, first: IntArray) -> IntArray:
    """Cohort years in [first, 2025], later cohorts a little larger (4% a year)."""
    before = np.where(first > _FIRST_YEAR, _COHORT_CUM[np.maximum(first - _FIRST_YEAR - 1, 0)], 0.0)
    target = before + g.random(len(first)) * (_COHORT_CUM[-1] - before)
    return np.asarray(_YEARS[np.searchsorted(_COHORT_CUM, target, side="right")], dtype=np.int64)


def _september_5(years: IntArray) -> IntArray:
    months = ((years - 1970) * 12 + 8).astype("datetime64[M]")
    return np.asarray(months.astype("datetime64[D]").astype(np.int64) + 4)


def _ages(g: np.random.Generator, level: IntArray) -> IntArray:
    n = len(level)
    bachelor = _BACHELOR_AGE[weighted(g, _BACHELOR_AGE_P, n)]
    master = 22 + np.minimum(np.floor(g.gamma(2.0, 3.0, n)), 28).astype(np.int64)
    doctor = 25 + np.minimum(np.floor(g.gamma(2.5, 3.5, n)), 30).astype(np.int64)
    return np.asarray(np.choose(level, [bachelor, master, doctor]), dtype=np.int64)


def _categorical(g: np.random.Generator, mix: FloatArray) -> IntArray:
    """One draw per row of a (n, k) matrix of probabilities."""
    u = g.random(len(mix))
    return np.asarray((u[:, None] > np.cumsum(mix, axis=1)[:, :-1]).sum(axis=1), dtype=np.int64)


class LearnerGenerator:
    def __init__(
        self,
        seed: int,
        institutions: InstitutionPlan,
        programs: ProgramPlan,
        serials: SerialPool,
        cipher: IdCipher,
        ethnicities: tuple[str, ...],
        chunk_size: int = CHUNK,
    ) -> None:
        self.seed = seed
        self.inst = institutions
        self.prog = programs
        self.serials = serials
        self.cipher = cipher
        self.ethnicities = ethnicities
        self.chunk_size = chunk_size
        self.program_of = np.repeat(np.arange(len(programs), dtype=np.int64), programs.learners)
        self.student_codes = Counters(len(institutions) * 200)
        self.diplomas = Counters(len(institutions))
        home = [province_index(p.code_63) for p in PLACES]
        self.home = np.asarray(home, dtype=np.int64)[institutions.place]

    @property
    def total(self) -> int:
        return len(self.program_of)

    def chunks(self) -> Iterator[LearnerChunk]:
        for k, start in enumerate(range(0, self.total, self.chunk_size)):
            yield self.chunk(k, self.program_of[start : start + self.chunk_size])

    def chunk(self, k: int, program: IntArray) -> LearnerChunk:
        g = rng(self.seed, Stream.learners, k)
        n = len(program)
        inst = self.prog.inst[program]
        level = self.prog.level[program]
        cohort = _cohorts(g, self.prog.first_cohort[program])
        admitted = _september_5(cohort) + np.clip(np.round(g.normal(0, 12, n)), -26, 40).astype(
            np.int64
        )
        female = g.random(n) < _FEMALE[level]
        birth_year = cohort - _ages(g, level)
        province = np.where(g.random(n) < 0.45, self.home[inst], weighted(g, province_weights(), n))
        persons = build_persons(
            rng(self.seed, Stream.learner_persons, k),
            PersonDraw(female=female, birth_year=birth_year, province=province),
            self.serials,
            self.cipher,
            self.ethnicities,
        )
        mode = np.where(g.random(n) < 0.9, self.prog.mode[program], 0)
        private = (self.inst.ownership[inst] > 0).astype(np.int64)
        funding = _categorical(g, _FUNDING_MIX[private, level])
        serial = self.student_codes.take(inst * 200 + (cohort - 1950)) + 1
        student_code = pl.Series((cohort % 100) * 10_000_000 + serial).cast(pl.String).str.zfill(9)
        hist = simulate(g, admitted, self.prog.duration[program], level)
        learners = stamps(
            pl.DataFrame(
                {
                    "institution_id": inst,
                    "person_id": np.arange(n, dtype=np.int64),
                    "program_id": program,
                    "student_code": student_code,
                    "cohort_year": cohort,
                    "study_mode": pick(MODES, mode),
                    "funding_source": pick(FUNDING, funding),
                    "admitted_on": as_dates(admitted),
                    "status": pick(STATUSES, hist.final_status),
                    "status_date": as_dates(hist.final_day),
                }
            )
        )
        events = pl.DataFrame(
            {
                "institution_id": inst[hist.learner],
                "learner_id": hist.learner,
                "status": pick(STATUSES, hist.status),
                "effective_on": as_dates(hist.day),
                "reason": pick(REASONS, hist.reason),
            }
        )
        terms, ability = self._terms(g, inst, hist.final_status, hist.final_day)
        awards = self._awards(inst, hist.final_status, hist.final_day, ability)
        return LearnerChunk(persons, learners, events, terms, awards)

    def _terms(
        self, g: np.random.Generator, inst: IntArray, status: IntArray, day: IntArray
    ) -> tuple[pl.DataFrame, FloatArray]:
        n = len(inst)
        ability = np.clip(g.normal(2.9, 0.45, n), 1.0, 4.0)
        ability = np.where(status == WITHDRAWN, np.clip(ability - 0.7, 0.0, 4.0), ability)
        ability = np.where(status == GRADUATED, np.maximum(ability, 2.0), ability)
        gpa = np.round(np.clip(ability + g.normal(0, 0.2, n), 0.0, 4.0), 2)
        active = np.isin(status, [ENROLLED, GRADUATED])
        credits = np.where(
            active,
            np.minimum(12 + g.poisson(6, n), 30),
            np.where(status == SUSPENDED, g.poisson(8, n), g.poisson(5, n)),
        )
        reference = np.where(status == ENROLLED, AS_OF_DAY, day - 1)
        academic_year, term = latest_term(reference)
        frame = pl.DataFrame(
            {
                "institution_id": inst,
                "learner_id": np.arange(n, dtype=np.int64),
                "academic_year": academic_year,
                "term": term,
                "gpa": gpa,
                "credits_earned": credits.astype(np.int64),
            }
        )
        return frame, np.asarray(ability, dtype=np.float64)

    def _awards(
        self, inst: IntArray, status: IntArray, day: IntArray, ability: FloatArray
    ) -> pl.DataFrame:
        who = np.flatnonzero(status == GRADUATED)
        serial = self.diplomas.take(inst[who]) + 1
        year = years_of(day[who])
        number = (
            "VB"
            + pl.Series(year).cast(pl.String)
            + "-"
            + pl.Series(serial).cast(pl.String).str.zfill(7)
        )
        a = ability[who]
        classification = np.select([a >= 3.6, a >= 3.2, a >= 2.5], [0, 1, 2], default=3)
        return pl.DataFrame(
            {
                "institution_id": inst[who],
                "learner_id": who.astype(np.int64),
                "diploma_number": number,
                "awarded_on": as_dates(day[who]),
                "classification": pick(CLASSIFICATIONS, classification),
            }
        )
