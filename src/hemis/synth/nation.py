"""The whole synthetic nation as a stream of chunks of batches, parents before children.

Generation touches no database: a batch's frame has no `id` column and its reference columns hold
indexes into the latest id block of the referenced table (institution 3 = the fourth institution,
person 0 = the first person of this chunk). The loader allocates the blocks and turns indexes into
ids (`resolve`), so ids come from hemis.db.ids like every other write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from hemis.common.crypto import IdCipher
from hemis.synth.campuses import generate_campuses, generate_resources
from hemis.synth.common import FloatArray
from hemis.synth.finance import generate_assets, generate_finance
from hemis.synth.institutions import InstitutionPlan, plan_institutions
from hemis.synth.learners import CHUNK, LearnerGenerator
from hemis.synth.persons import SerialPool
from hemis.synth.programs import ProgramPlan, plan_programs
from hemis.synth.staff import generate_staff

NATION = {"institutions": 470, "programs": 25_000, "staff": 100_000, "learners": 3_000_000}
MAX_SCALE = 2.0


@dataclass(frozen=True)
class Counts:
    institutions: int
    programs: int
    staff: int
    learners: int

    @classmethod
    def for_scale(cls, scale: float) -> Counts:
        if not 0 < scale <= MAX_SCALE:
            raise ValueError(f"scale must be in (0, {MAX_SCALE}]")
        n = {k: max(1, round(v * scale)) for k, v in NATION.items()}
        return cls(n["institutions"], n["programs"], n["staff"], n["learners"])


@dataclass(frozen=True)
class Reference:
    """What the generator reads from the target database's reference tables."""

    disciplines: pl.DataFrame  # code, name_vi, field_code
    ethnicities: tuple[str, ...]


@dataclass(frozen=True)
class Batch:
    table: str
    frame: pl.DataFrame
    refs: Mapping[str, str] = field(default_factory=dict)  # column -> referenced table


_INST = {"institution_id": "institution"}


class Nation:
    def __init__(
        self,
        seed: int,
        scale: float,
        reference: Reference,
        cipher: IdCipher,
        chunk_size: int = CHUNK,
    ) -> None:
        self.seed = seed
        self.counts = Counts.for_scale(scale)
        self.reference = reference
        self.cipher = cipher
        self.serials = SerialPool()
        self.institutions: InstitutionPlan = plan_institutions(seed, self.counts.institutions)
        self.programs: ProgramPlan = plan_programs(
            seed,
            self.institutions,
            reference.disciplines,
            self.counts.programs,
            self.counts.learners,
        )
        self.learners = LearnerGenerator(
            seed,
            self.institutions,
            self.programs,
            self.serials,
            cipher,
            reference.ethnicities,
            chunk_size,
        )

    def expected(self) -> dict[str, int]:
        """Row counts known before generation (the others depend on the draws)."""
        return {
            "institution": self.counts.institutions,
            "program": len(self.programs),
            "staff": self.counts.staff,
            "person": self.counts.staff + self.learners.total,
            "learner": self.learners.total,
            "term_result": self.learners.total,
        }

    def students(self) -> FloatArray:
        """Learners currently studying at each institution (an estimate from the plan)."""
        p = self.programs
        span = 2025 - p.first_cohort + 1
        current = p.learners * np.minimum(1.0, (p.duration + 0.5) / span)
        counts = np.bincount(p.inst, weights=current, minlength=len(self.institutions))
        return np.asarray(counts, dtype=np.float64)

    def chunks(self) -> Iterator[list[Batch]]:
        seed, inst = self.seed, self.institutions
        students = self.students()
        campuses = generate_campuses(seed, inst, students)
        yield [
            Batch("institution", inst.frame),
            Batch("campus", campuses.campuses, _INST),
            Batch("facility", campuses.facilities, {**_INST, "campus_id": "campus"}),
            Batch("program", self.programs.frame.rename({"inst": "institution_id"}), _INST),
        ]
        staff = generate_staff(
            seed, inst, self.counts.staff, self.serials, self.cipher, self.reference.ethnicities
        )
        yield [
            Batch("person", staff.persons),
            Batch(
                "staff",
                staff.staff.rename({"inst": "institution_id"}),
                {**_INST, "person_id": "person"},
            ),
        ]
        revenue, expenditure = generate_finance(seed, inst, students)
        yield [
            Batch(
                "resource_summary", generate_resources(seed, inst, students, staff.lecturers), _INST
            ),
            Batch("revenue", revenue, _INST),
            Batch("expenditure", expenditure, _INST),
            Batch("asset", generate_assets(seed, inst, campuses), _INST),
        ]
        learner_refs = {**_INST, "person_id": "person", "program_id": "program"}
        child_refs = {**_INST, "learner_id": "learner"}
        for chunk in self.learners.chunks():
            yield [
                Batch("person", chunk.persons),
                Batch("learner", chunk.learners, learner_refs),
                Batch("learner_status_event", chunk.events, child_refs),
                Batch("term_result", chunk.terms, child_refs),
                Batch("award", chunk.awards, child_refs),
            ]
