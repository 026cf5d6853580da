"""Shapes of the people-bearing registry API: persons, learners (with their status events, term
results and award) and staff (with their history).

A national ID is accepted in request bodies only, and every Read shape shows it masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, StringConstraints

from hemis.registry.codes import (
    AcademicTitle,
    Classification,
    ContractType,
    Degree,
    FundingSource,
    LearnerStatus,
    Position,
    Sex,
    StudyMode,
)
from hemis.registry.schemas import (
    Id,
    IsoDate,
    Key20,
    Key30,
    Key40,
    ReadSchema,
    Schema,
    Stamped,
    TenantRead,
    TenantRef,
    Text150,
    Text2000,
    UpdateSchema,
    VersionedRead,
    Year,
)
from hemis.web.crud import ListQuery

# Checked by hemis.registry.rules in the service (so the problems carry stable codes); the
# length bound here only keeps absurd input out.
NationalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=32),
    Field(description="CCCD, 12 digits. Accepted in bodies only, never shown in full."),
]
EthnicityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Fte = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
Gpa = Annotated[float, Field(ge=0, le=4, allow_inf_nan=False)]
SmallCount = Annotated[int, Field(ge=0, le=1000)]

# Structurally valid but fictitious (Hà Nội, female born 2001); for the OpenAPI examples only.
_EXAMPLE_ID = "001301000001"
_PERSON_EXAMPLE: dict[str, Any] = {
    "national_id": _EXAMPLE_ID,
    "full_name": "Nguyễn Thị Ví Dụ",
    "date_of_birth": "2001-04-12",
    "sex": "female",
}


class PersonFields(Schema):
    full_name: Text150
    date_of_birth: IsoDate
    sex: Sex
    ethnicity_code: EthnicityCode = "01"
    nationality: CountryCode = "VN"


class PersonIdentity(PersonFields):
    national_id: NationalId


class PersonCreate(PersonIdentity):
    model_config = ConfigDict(json_schema_extra={"examples": [_PERSON_EXAMPLE]})


class PersonLookup(Schema):
    national_id: NationalId


class PersonUpdate(UpdateSchema):
    full_name: Text150 | None = None
    date_of_birth: IsoDate | None = None
    sex: Sex | None = None
    ethnicity_code: EthnicityCode | None = None
    nationality: CountryCode | None = None


class PersonRead(ReadSchema):
    id: int
    full_name: str
    date_of_birth: dt.date
    sex: Sex
    ethnicity_code: str
    nationality: str
    national_id_masked: str = Field(description="Only the last three digits are shown.")


class PersonQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {
        "id": "id",
        "name": "name_folded",
        "date_of_birth": "date_of_birth",
    }

    sex: Sex | None = None
    ethnicity_code: EthnicityCode | None = None
    nationality: CountryCode | None = None
    date_of_birth: IsoDate | None = None


# --- learners --------------------------------------------------------------------------------

CohortYear = Annotated[int, Field(ge=1950, le=2100)]


class LearnerCreate(TenantRef, PersonIdentity):
    program_id: Id
    student_code: Key30
    cohort_year: CohortYear
    study_mode: StudyMode
    funding_source: FundingSource
    admitted_on: IsoDate

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PERSON_EXAMPLE,
                    "program_id": 1,
                    "student_code": "SV2025001",
                    "cohort_year": 2025,
                    "study_mode": "full_time",
                    "funding_source": "self_funded",
                    "admitted_on": "2025-09-05",
                }
            ]
        }
    )


class LearnerUpdate(UpdateSchema):
    program_id: Id | None = None
    student_code: Key30 | None = None
    cohort_year: CohortYear | None = None
    study_mode: StudyMode | None = None
    funding_source: FundingSource | None = None
    admitted_on: IsoDate | None = None


class LearnerRead(TenantRead, Stamped, VersionedRead):
    person_id: int
    program_id: int
    student_code: str
    cohort_year: int
    study_mode: StudyMode
    funding_source: FundingSource
    admitted_on: dt.date
    status: LearnerStatus
    status_date: dt.date
    gpa: float | None = None
    credits_earned: int | None = None
    graduated_on: dt.date | None = None
    diploma_number: str | None = None
    person: PersonRead


class LearnerQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {
        "id": "id",
        "student_code": "student_code",
        "cohort_year": "cohort_year",
        "admitted_on": "admitted_on",
        "status_date": "status_date",
    }

    institution_id: Id | None = None
    program_id: Id | None = None
    person_id: Id | None = None
    student_code: Key30 | None = None
    cohort_year: CohortYear | None = None
    study_mode: StudyMode | None = None
    funding_source: FundingSource | None = None
    status: LearnerStatus | None = None


class StatusEventCreate(Schema):
    status: LearnerStatus
    effective_on: IsoDate
    reason: Text2000 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "suspended", "effective_on": "2026-02-01", "reason": "Bảo lưu"}]
        }
    )


class StatusEventRead(TenantRead):
    learner_id: int
    status: LearnerStatus
    effective_on: dt.date
    reason: str | None


class NestedQuery(ListQuery):
    """Lists under one parent (status events, term results, staff history): no filters."""


class TermResultCreate(Schema):
    academic_year: Year
    term: Annotated[int, Field(ge=1, le=3)]
    gpa: Gpa
    credits_earned: SmallCount

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"academic_year": 2025, "term": 1, "gpa": 3.2, "credits_earned": 18}]
        }
    )


class TermResultRead(TenantRead):
    learner_id: int
    academic_year: int
    term: int
    gpa: float
    credits_earned: int


class AwardCreate(Schema):
    diploma_number: Key40
    awarded_on: IsoDate
    classification: Classification

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "diploma_number": "VB-2029-000123",
                    "awarded_on": "2029-07-01",
                    "classification": "good",
                }
            ]
        }
    )


class AwardUpdate(UpdateSchema):
    diploma_number: Key40 | None = None
    awarded_on: IsoDate | None = None
    classification: Classification | None = None


class AwardRead(TenantRead, VersionedRead):
    learner_id: int
    diploma_number: str
    awarded_on: dt.date
    classification: Classification


# --- staff -----------------------------------------------------------------------------------


class StaffFields(Schema):
    staff_code: Key30
    unit: Text150
    position: Position
    contract_type: ContractType
    full_time: bool
    permanent: bool
    fte: Fte
    highest_degree: Degree
    degree_country: CountryCode | None = None
    degree_year: Year | None = None
    academic_title: AcademicTitle = AcademicTitle.none
    civil_servant_id: Key20 | None = None
    hired_on: IsoDate | None = None


class StaffCreate(TenantRef, PersonIdentity, StaffFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PERSON_EXAMPLE,
                    "staff_code": "GV0001",
                    "unit": "Khoa Công nghệ thông tin",
                    "position": "lecturer",
                    "contract_type": "indefinite",
                    "full_time": True,
                    "permanent": True,
                    "fte": 1.0,
                    "highest_degree": "doctor",
                }
            ]
        }
    )


class StaffUpdate(UpdateSchema):
    nullable = frozenset(
        {"degree_country", "degree_year", "civil_servant_id", "hired_on", "effective_on"}
    )

    staff_code: Key30 | None = None
    unit: Text150 | None = None
    position: Position | None = None
    contract_type: ContractType | None = None
    full_time: bool | None = None
    permanent: bool | None = None
    fte: Fte | None = None
    highest_degree: Degree | None = None
    degree_country: CountryCode | None = None
    degree_year: Year | None = None
    academic_title: AcademicTitle | None = None
    civil_servant_id: Key20 | None = None
    hired_on: IsoDate | None = None
    effective_on: IsoDate | None = Field(
        None, description="Date the change takes effect (default: today); kept in the history."
    )


class StaffRead(TenantRead, Stamped, VersionedRead):
    person_id: int
    staff_code: str
    unit: str
    position: Position
    contract_type: ContractType
    full_time: bool
    permanent: bool
    fte: float
    highest_degree: Degree
    degree_country: str | None
    degree_year: int | None
    academic_title: AcademicTitle
    civil_servant_id: str | None
    hired_on: dt.date | None
    person: PersonRead


class StaffQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "staff_code": "staff_code"}

    institution_id: Id | None = None
    person_id: Id | None = None
    staff_code: Key30 | None = None
    position: Position | None = None
    contract_type: ContractType | None = None
    highest_degree: Degree | None = None
    academic_title: AcademicTitle | None = None
    full_time: bool | None = None
    permanent: bool | None = None


class StaffChangeRead(TenantRead):
    staff_id: int
    effective_on: dt.date
    before: dict[str, Any]
    after: dict[str, Any]
