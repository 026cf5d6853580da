"""Shapes of the competency API (Pydantic v2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class LevelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    level: int
    code: str
    code_inferred: bool
    tier_code: str
    tier_name_vi: str
    tier_name_en: str
    description_vi: str
    description_en: str


class CompetencyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    position: int
    name_vi: str
    name_en: str
    digcomp_equivalent: str


class DomainRead(BaseModel):
    code: str
    name_vi: str
    name_en: str
    competencies: list[CompetencyRead]


class FrameworkRead(BaseModel):
    version: str
    title_vi: str
    title_en: str
    legal_basis: str
    signed_on: dt.date
    in_force_from: dt.date
    current: bool
    domains: list[DomainRead]
    levels: list[LevelRead]


class FrameworkVersion(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: str
    title_vi: str
    legal_basis: str
    in_force_from: dt.date


class ProgramTargetsRead(BaseModel):
    program_id: int
    code: str
    name: str
    level: str
    status: str
    targets: dict[str, int]


class CoverageRowRead(BaseModel):
    key: str
    name: str
    programs: int
    programs_with_targets: int
    counts: dict[str, int]
    uncovered: list[str]


class AssessedRead(BaseModel):
    level: int
    level_code: str
    assessed_on: dt.date
    method: str
    evidence_ref: str
    framework_version: str


class CompetencyStateRead(BaseModel):
    code: str
    domain_code: str
    name_vi: str
    name_en: str
    target: int | None
    latest: AssessedRead | None
    met: bool | None
    gap: int | None
    history: list[AssessedRead]


class ProfileRead(BaseModel):
    learner_id: int
    institution_id: int
    student_code: str
    program_code: str
    framework_version: str
    items: list[CompetencyStateRead]

    @classmethod
    def of(cls, profile: Any) -> ProfileRead:
        def assessed(a: Any) -> AssessedRead:
            return AssessedRead.model_validate(a, from_attributes=True)

        return cls(
            learner_id=profile.learner_id,
            institution_id=profile.institution_id,
            student_code=profile.student_code,
            program_code=profile.program_code,
            framework_version=profile.framework.version,
            items=[
                CompetencyStateRead(
                    code=s.competency.code,
                    domain_code=s.competency.domain_code,
                    name_vi=s.competency.name_vi,
                    name_en=s.competency.name_en,
                    target=s.target,
                    latest=assessed(s.latest) if s.latest else None,
                    met=s.met,
                    gap=s.gap,
                    history=[assessed(h) for h in s.history],
                )
                for s in profile.items
            ],
        )
