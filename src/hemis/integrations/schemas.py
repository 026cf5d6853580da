"""What goes over the wire to and from the registries (shared by clients and simulators)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 1000


class IdentityQuery(BaseModel):
    """A record as HEMIS holds it: the reference is ours (the record id), never a national ID."""

    model_config = ConfigDict(extra="forbid")

    ref: str = Field(max_length=30)
    national_id: str = Field(min_length=9, max_length=12)
    full_name: str = Field(max_length=150)
    date_of_birth: dt.date
    sex: Literal["male", "female"]


class GraduateQuery(IdentityQuery):
    graduated_on: dt.date


class StaffQuery(IdentityQuery):
    employer_code: str = Field(max_length=20)
    civil_servant_id: str | None = Field(None, max_length=20)


class Answer(BaseModel):
    """found = the registry holds this national ID; differences = the registry's value of each
    identity field that differs from ours."""

    ref: str
    found: bool
    differences: dict[str, str | None] = Field(default_factory=dict)


class IdentityAnswer(Answer):
    pass


class InsuranceAnswer(Answer):
    insured: bool = False
    employer_tax_code: str | None = None
    sector: str | None = None
    start_date: dt.date | None = None


class CivilServantAnswer(Answer):
    civil_servant_id: str | None = None
    position: str | None = None
    employer_code: str | None = None
    employer_name: str | None = None


class RosterRecord(BaseModel):
    """A civil-servant record for linkage: its own key, and a national ID only when the
    registry holds a current 12-digit one (old records carry none or a 9-digit CMND)."""

    registry_key: str
    national_id: str | None
    full_name: str
    date_of_birth: dt.date | None
    sex: Literal["male", "female"] | None
    province_code: str | None


class RosterPage(BaseModel):
    records: list[RosterRecord]
    next_after: str | None


class IdentityReply(BaseModel):
    results: list[IdentityAnswer]


class InsuranceReply(BaseModel):
    results: list[InsuranceAnswer]


class CivilServiceReply(BaseModel):
    results: list[CivilServantAnswer]
