"""Shapes of the competency API (Pydantic v2)."""

from __future__ import annotations

import datetime as dt

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
