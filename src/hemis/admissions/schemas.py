"""Shapes of the admissions API and pages (Pydantic v2).

Scores travel as decimals with two places (e.g. "26.35"); the database keeps hundredths.
Integer fields carry tight bounds, so a wild value is a 422 here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from hemis.admissions.codes import (
    Area,
    Category,
    Elective,
    ForeignLanguage,
    Method,
    OfferStatus,
    RoundKind,
    Subject,
    TechnologyTrack,
    TiePolicy,
)
from hemis.admissions.combinations import subjects_of
from hemis.registry.schemas import (
    Key10,
    Key30,
    ReadSchema,
    Schema,
    TenantRef,
    Text200,
    Text250,
    Text300,
    UpdateSchema,
    VersionedRead,
)
from hemis.registry.schemas_people import PersonIdentity
from hemis.web.crud import ListQuery

AdmissionYearNumber = Annotated[int, Field(ge=2000, le=2100)]
Quota = Annotated[int, Field(ge=0, le=100_000)]
Rank = Annotated[int, Field(ge=1, le=500)]
Points = Annotated[Decimal, Field(ge=-30, le=30, max_digits=5, decimal_places=2)]
Score30 = Annotated[Decimal, Field(ge=0, le=30, max_digits=4, decimal_places=2)]
# A floor on the offer's scale (30, or 10 × the total weight of weighted subjects, at most 90):
# the service checks it against the offer's own scale.
Floor = Annotated[Decimal, Field(ge=0, le=90, max_digits=4, decimal_places=2)]
Weight = Annotated[int, Field(ge=1, le=3)]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("must carry a time zone (e.g. 2025-07-28T17:00:00+07:00)")
    return value


Moment = Annotated[dt.datetime, AfterValidator(_aware)]


# --- admission years ------------------------------------------------------------------------------


class AdmissionYearFields(Schema):
    rules_version: AdmissionYearNumber | None = Field(
        None, description="Version of the rules (default: the year's)."
    )
    wish_cap: Annotated[int, Field(ge=1, le=500)] | None = Field(
        None, description="Most wishes per candidate; null: unlimited."
    )
    teacher_wish_limit: Annotated[int, Field(ge=1, le=500)] | None = Field(
        None, description="Teacher training considered only up to this wish; null: no limit."
    )
    registration_opens_at: Moment | None = None
    registration_closes_at: Moment | None = None
    wishes_open_at: Moment | None = None
    wishes_close_at: Moment | None = None
    confirm_deadline_at: Moment | None = None
    term_starts_on: dt.date | None = Field(
        None, description="First day of the academic year admitted learners start on."
    )
    unpaid_wishes_count: bool | None = Field(
        None,
        description="Whether wishes without a paid fee enter the rounds (default: the rule "
        "set's — they do not).",
    )


class AdmissionYearCreate(AdmissionYearFields):
    year: AdmissionYearNumber

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "registration_opens_at": "2025-04-21T00:00:00+07:00",
                    "registration_closes_at": "2025-04-28T17:00:00+07:00",
                    "wishes_open_at": "2025-07-16T00:00:00+07:00",
                    "wishes_close_at": "2025-07-28T17:00:00+07:00",
                    "confirm_deadline_at": "2025-08-30T17:00:00+07:00",
                }
            ]
        }
    )


class AdmissionYearUpdate(AdmissionYearFields, UpdateSchema):
    nullable = frozenset(AdmissionYearFields.model_fields)


class AdmissionYearRead(VersionedRead):
    year: int
    rules_version: int
    wish_cap: int | None
    teacher_wish_limit: int | None
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    wishes_open_at: dt.datetime | None
    wishes_close_at: dt.datetime | None
    confirm_deadline_at: dt.datetime | None
    term_starts_on: dt.date | None
    unpaid_wishes_count: bool


# --- registrations --------------------------------------------------------------------------------


class RegistrationFields(Schema):
    school_code: Key10
    school_name: Text200
    area: Area
    category: Category | None = None
    graduation_year: AdmissionYearNumber
    electives: list[Elective] = Field(min_length=2, max_length=2)
    foreign_language: ForeignLanguage | None = None
    technology_track: TechnologyTrack | None = None
    exam_site: Key10


class RegistrationCreate(RegistrationFields, PersonIdentity):
    """A candidate registered by the ministry (found or added by national ID)."""

    year: AdmissionYearNumber
    username: Annotated[str, Field(min_length=3, max_length=64)] | None = Field(
        None, description="A candidate account to link to this person."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "national_id": "001207000123",
                    "full_name": "Nguyễn Văn An",
                    "date_of_birth": "2007-05-01",
                    "sex": "male",
                    "school_code": "01001",
                    "school_name": "THPT Chu Văn An",
                    "area": "KV3",
                    "graduation_year": 2025,
                    "electives": ["physics", "foreign_language"],
                    "foreign_language": "N1",
                    "exam_site": "01",
                }
            ]
        }
    )


class RegistrationRead(ReadSchema):
    id: int
    year: int
    person_id: int
    candidate_number: str
    school_code: str
    school_name: str
    area: str
    category: str | None
    graduation_year: int
    elective1: str
    elective2: str
    foreign_language: str | None
    technology_track: str | None
    exam_site: str
    updated_at: dt.datetime


class RegistrationQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "candidate_number": "candidate_number"}

    year: AdmissionYearNumber | None = None
    candidate_number: Annotated[str, Field(max_length=8)] | None = None


# --- offers and conversion tables -----------------------------------------------------------------


def _known_combinations(value: dict[str, Decimal]) -> dict[str, Decimal]:
    unknown = sorted(code for code in value if subjects_of(code) is None)
    if unknown:
        raise ValueError(f"unknown or unscorable combinations: {', '.join(unknown)}")
    return value


Combinations = Annotated[
    dict[Annotated[str, Field(max_length=3)], Points],
    Field(max_length=60),
    AfterValidator(_known_combinations),
]


class OfferFields(Schema):
    quota: Quota
    method_quotas: dict[Method, Quota] = Field(default_factory=dict)
    methods: list[Method] = Field(min_length=1, max_length=5)
    combinations: Combinations = Field(default_factory=dict)
    weights: dict[Subject, Weight] = Field(
        default_factory=dict,
        description='Subject weights of the combinations, e.g. {"math": 2}: the offer then '
        "scores on 10 × the combination's total weight (40).",
    )
    floor: Floor = Decimal(0)
    tiebreaks: list[Annotated[str, Field(max_length=24)]] = Field(
        default_factory=list, max_length=4
    )
    status: OfferStatus = OfferStatus.open

    @field_validator("methods")
    @classmethod
    def _distinct(cls, value: list[Method]) -> list[Method]:
        if len(set(value)) != len(value):
            raise ValueError("methods must not repeat")
        return value


class OfferCreate(OfferFields, TenantRef):
    year: AdmissionYearNumber
    program_id: RowId
    code: Key30
    name_vi: Text250 | None = Field(None, description="Default: the program's name.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "program_id": 1,
                    "code": "7480201",
                    "quota": 120,
                    "methods": ["exam", "transcript"],
                    "combinations": {"A00": "0", "A01": "0", "D01": "-0.5"},
                    "floor": "18",
                    "tiebreaks": ["math", "wish_rank"],
                }
            ]
        }
    )


class OfferUpdate(UpdateSchema):
    name_vi: Text250 | None = None
    quota: Quota | None = None
    method_quotas: dict[Method, Quota] | None = None
    methods: list[Method] | None = None
    combinations: Combinations | None = None
    weights: dict[Subject, Weight] | None = None
    floor: Floor | None = None
    tiebreaks: list[Annotated[str, Field(max_length=24)]] | None = None
    status: OfferStatus | None = None


class OfferRead(VersionedRead):
    id: int
    institution_id: int
    year: int
    program_id: int
    code: str
    name_vi: str
    discipline_code: str
    quota: int
    method_quotas: dict[str, int]
    methods: list[str]
    combinations: dict[str, Decimal]
    weights: dict[str, int]
    scale: Decimal
    floor: Decimal
    tiebreaks: list[str]
    status: str


class OfferQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "code": "code"}

    year: AdmissionYearNumber | None = None
    institution_id: RowId | None = None
    code: Key30 | None = None


class ConversionTableCreate(TenantRef):
    year: AdmissionYearNumber
    method: Method
    points: list[tuple[Decimal, Score30]] = Field(min_length=2, max_length=40)
    note: Text300 | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "method": "hsa",
                    "points": [["0", "0"], ["75", "18"], ["100", "24"], ["150", "30"]],
                }
            ]
        }
    )


class ConversionTableRead(ReadSchema):
    id: int
    institution_id: int
    year: int
    method: str
    points: list[tuple[Decimal, Decimal]]
    note: str


# --- wishes ---------------------------------------------------------------------------------------


class WishCreate(Schema):
    institution_id: RowId
    offer_id: RowId
    rank: Rank | None = Field(None, description="Default: after the last wish.")


class WishOrder(Schema):
    wish_ids: list[RowId] = Field(max_length=500)


class WishRead(ReadSchema):
    id: int
    year: int
    rank: int
    institution_id: int
    offer_id: int


# --- rounds ---------------------------------------------------------------------------------------


class RoundCreate(Schema):
    year: AdmissionYearNumber
    kind: RoundKind = RoundKind.regular
    is_final: bool = False
    tie_policy: TiePolicy = TiePolicy.group
    confirm_deadline_at: Moment | None = Field(
        None,
        description="Supplementary rounds only: the deadline for confirming their admissions "
        "(default: 17:00 Vietnam time a week after publication).",
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"year": 2025, "kind": "regular", "is_final": False}]}
    )


class RoundRead(ReadSchema):
    id: int
    year: int
    number: int
    kind: str
    is_final: bool
    tie_policy: str
    status: str
    snapshot_sha256: str | None
    stats: dict[str, Any]
    created_at: dt.datetime
    run_at: dt.datetime | None
    published_at: dt.datetime | None
    confirm_deadline_at: dt.datetime | None


class RoundQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "number": "number"}

    year: AdmissionYearNumber | None = None


class OfferResultRead(ReadSchema):
    id: int
    institution_id: int
    round_id: int
    offer_id: int
    bucket: str
    quota: int
    applicants: int
    admitted: int
    cutoff: Decimal | None


class OfferResultQuery(ListQuery):
    offer_id: RowId | None = None
    institution_id: RowId | None = None


class Verification(Schema):
    round_id: int
    sha256: str
    hash_ok: bool
    identical: bool
    differences: int  # candidates' outcomes, explanations and programs that differ
    explanation_differences: int = 0  # of which: what candidates are shown (their wishes)
    read_model_differences: int = 0  # of which: published result rows unlike the stored results


class ApplicantRead(Schema):
    wish_id: int
    rank: int
    candidate_number: str | None
    full_name: str
    score: Decimal | None = None
    admitted: bool | None = None
