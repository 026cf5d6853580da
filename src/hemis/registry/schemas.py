"""Shapes of the registry API (Pydantic v2): Create, Update and Read per entity, and list queries.

Field bounds mirror the column types, so an oversized value is a 422 here rather than a database
error (PostgreSQL refuses an overlong varchar or an out-of-range smallint; SQLite would not).
Units and programs are in schemas_units.py, finance in schemas_finance.py, people-bearing
shapes (persons, learners, staff) in schemas_people.py.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from hemis.common.bodies import NoBooleanNumbers
from hemis.common.text import clean
from hemis.registry.codes import (
    InstitutionStatus,
    InstitutionType,
    Ownership,
)
from hemis.web.crud import BIGINT_MAX, ListQuery

INT_MAX = 2**31 - 1

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _text(value: Any) -> Any:
    """NFC, trimmed, inner whitespace collapsed; control characters refused (PostgreSQL refuses
    NUL in text, and no registry field has a use for them)."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("control characters are not allowed")
    return value


def _iso_date(value: Any) -> Any:
    """Dates only as ISO YYYY-MM-DD (Pydantic would also take a Unix timestamp)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be an ISO date YYYY-MM-DD")


# Free text cleaned to NFC, and codes; the number is the column's length.
Text100 = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1, max_length=100)]
Text150 = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1, max_length=150)]
Text200 = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1, max_length=200)]
Text250 = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1, max_length=250)]
Text300 = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1, max_length=300)]
Text2000 = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1, max_length=2000)]
_KEY = r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$"
Key10 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10, pattern=_KEY)]
Key20 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20, pattern=_KEY)]
Key30 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30, pattern=_KEY)]
Key40 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=_KEY)]


Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
Count = Annotated[int, Field(ge=0, le=INT_MAX)]
Money = Annotated[int, Field(ge=0, le=BIGINT_MAX, description="Amount in đồng (integer).")]
Year = Annotated[int, Field(ge=1900, le=2100)]
Area = Annotated[float, Field(ge=0, lt=1e12, allow_inf_nan=False, description="Square metres.")]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
ProvinceCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,3}$")]
MoetCode = Key10


class Schema(NoBooleanNumbers):
    """Input shape: unknown fields are refused so a misspelt field is not silently dropped, and
    true/false is no number (common/bodies.py)."""

    model_config = ConfigDict(extra="forbid")


class UpdateSchema(Schema):
    """PATCH body: only the fields sent are changed; null only where the column allows it."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> UpdateSchema:
        bad = sorted(
            name
            for name in self.model_fields_set
            if getattr(self, name) is None and name not in self.nullable
        )
        if bad:
            raise ValueError(f"may not be null: {', '.join(bad)}")
        return self


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TenantRef(Schema):
    """Which institution a new row belongs to. Officers' rows always belong to their own
    institution (these fields may be left out); ministry administrators must name one."""

    institution_id: Id | None = Field(None, description="Ministry only: the owning institution.")
    institution_code: MoetCode | None = Field(None, description="Or its MOET code.")


class VersionedRead(ReadSchema):
    row_version: int = Field(
        description='The record\'s version, also its ETag: send it as `If-Match: "<row_version>"` '
        "to update the record."
    )


class TenantRead(ReadSchema):
    id: int
    institution_id: int


class Stamped(ReadSchema):
    created_at: dt.datetime
    updated_at: dt.datetime


# --- institutions -------------------------------------------------------------------------


class InstitutionFields(Schema):
    name_vi: Text200
    name_en: Text200 | None = None
    type: InstitutionType
    ownership: Ownership
    governing_body: Text200
    province_code: ProvinceCode
    province_code_63: ProvinceCode | None = None
    status: InstitutionStatus = InstitutionStatus.active
    trains_doctorates: bool = False
    specialised: bool = False
    established_on: IsoDate | None = None
    website: Text200 | None = None


class InstitutionCreate(InstitutionFields):
    moet_code: MoetCode

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "moet_code": "QHX",
                    "name_vi": "Trường Đại học Ví dụ",
                    "type": "university",
                    "ownership": "public",
                    "governing_body": "Bộ Giáo dục và Đào tạo",
                    "province_code": "01",
                }
            ]
        }
    )


class InstitutionUpdate(UpdateSchema):
    nullable = frozenset({"name_en", "province_code_63", "established_on", "website"})

    moet_code: MoetCode | None = None
    name_vi: Text200 | None = None
    name_en: Text200 | None = None
    type: InstitutionType | None = None
    ownership: Ownership | None = None
    governing_body: Text200 | None = None
    province_code: ProvinceCode | None = None
    province_code_63: ProvinceCode | None = None
    status: InstitutionStatus | None = None
    trains_doctorates: bool | None = None
    specialised: bool | None = None
    established_on: IsoDate | None = None
    website: Text200 | None = None


# What an institution officer may change on their own institution; the rest is the ministry's.
OFFICER_INSTITUTION_FIELDS = frozenset({"name_en", "website", "established_on"})


class InstitutionRead(Stamped, VersionedRead):
    id: int
    moet_code: str
    name_vi: str
    name_en: str | None
    type: InstitutionType
    ownership: Ownership
    governing_body: str
    province_code: str
    province_code_63: str | None
    status: InstitutionStatus
    trains_doctorates: bool
    specialised: bool
    established_on: dt.date | None
    website: str | None


class InstitutionQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {
        "id": "id",
        "moet_code": "moet_code",
        "name": "name_folded",
    }

    moet_code: MoetCode | None = None
    type: InstitutionType | None = None
    ownership: Ownership | None = None
    status: InstitutionStatus | None = None
    province_code: ProvinceCode | None = None


# --- reporting periods (national) -------------------------------------------------------------


class ReportingPeriodCreate(Schema):
    year: Year
    name: Text100
    cutoff_on: IsoDate
    finance_cutoff_on: IsoDate
    opens_on: IsoDate
    closes_on: IsoDate

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "name": "Kỳ báo cáo 2025",
                    "cutoff_on": "2025-12-31",
                    "finance_cutoff_on": "2025-12-31",
                    "opens_on": "2026-01-05",
                    "closes_on": "2026-03-31",
                }
            ]
        }
    )


class ReportingPeriodUpdate(UpdateSchema):
    year: Year | None = None
    name: Text100 | None = None
    cutoff_on: IsoDate | None = None
    finance_cutoff_on: IsoDate | None = None
    opens_on: IsoDate | None = None
    closes_on: IsoDate | None = None


class ReportingPeriodRead(Stamped, VersionedRead):
    id: int
    year: int
    name: str
    cutoff_on: dt.date
    finance_cutoff_on: dt.date
    opens_on: dt.date
    closes_on: dt.date


class ReportingPeriodQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "year": "year"}

    year: Year | None = None
