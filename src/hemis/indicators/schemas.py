"""Pydantic shapes of the indicators API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hemis.indicators.definitions import Definition


class ThresholdRead(BaseModel):
    value: float
    from_year: int
    applies_to: str


class RuleRead(BaseModel):
    id: str
    text_vi: str
    text_en: str
    source: str
    verified: bool = Field(description="False: the source could not be checked against the text")


class DefinitionRead(BaseModel):
    id: str
    version: int
    family: str = Field(description="criterion (Circular 01/2024) or quality")
    standard: int
    name_vi: str
    name_en: str
    formula: str
    numerator_vi: str
    numerator_en: str
    denominator_vi: str
    denominator_en: str
    unit: str
    direction: str = Field(description="max: value ≤ threshold; min: value ≥ threshold")
    thresholds: list[ThresholdRead]
    threshold_verified: bool = Field(
        description="False: the threshold could not be checked against the Circular's text"
    )
    note_vi: str
    note_en: str
    source: str = Field(description="Where the criterion and its threshold are set")
    share: bool = Field(description="A share of its denominator: the value cannot exceed 1")
    rules: list[RuleRead] = Field(description="Every rule the count follows, with its source")
    drill_parts: list[str]

    @classmethod
    def of(cls, d: Definition, parts: list[str]) -> DefinitionRead:
        values: dict[str, Any] = {k: getattr(d, k) for k in cls.model_fields if hasattr(d, k)}
        values["thresholds"] = [ThresholdRead(**vars(t)) for t in d.thresholds]
        values["rules"] = [RuleRead(**vars(r)) for r in d.all_rules()]
        values["drill_parts"] = parts
        return cls(**values)


class ResultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    institution_id: int
    indicator_id: str
    definition_version: int
    year: int
    numerator: float | None
    denominator: float | None
    value: float | None
    threshold: float | None
    status: str = Field(description="pass, fail, unknown (with a reason), na, info")
    reason_vi: str | None
    reason_en: str | None
    threshold_verified: bool
    computed_at: dt.datetime


class InstitutionResults(BaseModel):
    institution_id: int
    moet_code: str
    name_vi: str
    year: int
    items: list[ResultRead]


class DrillRead(BaseModel):
    indicator_id: str
    part: str
    family: str
    columns: list[str]
    items: list[dict[str, Any]]
    total: int
    page: int
    pages: int
