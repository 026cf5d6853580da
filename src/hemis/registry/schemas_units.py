"""Shapes of the registry API for an institution's units: campuses, facilities, resource
summaries and programs (Create, Update, Read, list query)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field, StringConstraints

from hemis.registry.codes import AccreditationStatus, FacilityKind, Level, ProgramStatus, StudyMode
from hemis.registry.schemas import (
    Area,
    Count,
    Id,
    IsoDate,
    Key20,
    Key30,
    ProvinceCode,
    Schema,
    Stamped,
    TenantRead,
    TenantRef,
    Text200,
    Text250,
    Text300,
    UpdateSchema,
    VersionedRead,
    Year,
)
from hemis.web.crud import ListQuery

# --- campuses, facilities, resource summaries ----------------------------------------------


class CampusCreate(TenantRef):
    code: Key20
    name: Text200
    address: Text300
    province_code: ProvinceCode
    is_main: bool = False
    land_area_m2: Area
    floor_area_m2: Area

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "CS1",
                    "name": "Cơ sở chính",
                    "address": "1 Đường Ví Dụ, Hà Nội",
                    "province_code": "01",
                    "is_main": True,
                    "land_area_m2": 50000,
                    "floor_area_m2": 30000,
                }
            ]
        }
    )


class CampusUpdate(UpdateSchema):
    code: Key20 | None = None
    name: Text200 | None = None
    address: Text300 | None = None
    province_code: ProvinceCode | None = None
    is_main: bool | None = None
    land_area_m2: Area | None = None
    floor_area_m2: Area | None = None


class CampusRead(TenantRead, Stamped, VersionedRead):
    code: str
    name: str
    address: str
    province_code: str
    is_main: bool
    land_area_m2: float
    floor_area_m2: float


class CampusQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "code": "code"}

    institution_id: Id | None = None
    code: Key20 | None = None
    province_code: ProvinceCode | None = None
    is_main: bool | None = None


class FacilityCreate(TenantRef):
    campus_id: Id
    kind: FacilityKind
    building_count: Count = 0
    room_count: Count
    floor_area_m2: Area
    seats: Count = 0

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"campus_id": 1, "kind": "laboratory", "room_count": 12, "floor_area_m2": 900}
            ]
        }
    )


class FacilityUpdate(UpdateSchema):
    kind: FacilityKind | None = None
    building_count: Count | None = None
    room_count: Count | None = None
    floor_area_m2: Area | None = None
    seats: Count | None = None


class FacilityRead(TenantRead, Stamped, VersionedRead):
    campus_id: int
    kind: FacilityKind
    building_count: int
    room_count: int
    floor_area_m2: float
    seats: int


class FacilityQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "kind": "kind"}

    institution_id: Id | None = None
    campus_id: Id | None = None
    kind: FacilityKind | None = None


class ResourceSummaryFields(Schema):
    lecturer_workspaces: Count
    library_titles: Count
    library_ebooks: Count
    online_databases: Count = 0
    computers: Count
    bandwidth_mbps: Count


class ResourceSummaryCreate(TenantRef, ResourceSummaryFields):
    year: Year

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "lecturer_workspaces": 300,
                    "library_titles": 40000,
                    "library_ebooks": 12000,
                    "computers": 900,
                    "bandwidth_mbps": 1000,
                }
            ]
        }
    )


class ResourceSummaryUpdate(UpdateSchema):
    year: Year | None = None
    lecturer_workspaces: Count | None = None
    library_titles: Count | None = None
    library_ebooks: Count | None = None
    online_databases: Count | None = None
    computers: Count | None = None
    bandwidth_mbps: Count | None = None


class ResourceSummaryRead(TenantRead, Stamped, VersionedRead):
    year: int
    lecturer_workspaces: int
    library_titles: int
    library_ebooks: int
    online_databases: int
    computers: int
    bandwidth_mbps: int


class ResourceSummaryQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "year": "year"}

    institution_id: Id | None = None
    year: Year | None = None


# --- programs -------------------------------------------------------------------------------

DisciplineCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{7}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
Credits = Annotated[int, Field(ge=1, le=1000)]
Duration = Annotated[float, Field(gt=0, le=10, allow_inf_nan=False, description="Years.")]


class ProgramCreate(TenantRef):
    discipline_code: DisciplineCode
    code: Key30
    name_vi: Text250
    name_en: Text250 | None = None
    level: Level
    mode: StudyMode
    language: Language = "vi"
    credits: Credits
    duration_years: Duration
    accreditation_status: AccreditationStatus = AccreditationStatus.none
    accredited_on: IsoDate | None = None
    opened_on: IsoDate
    annual_quota: Count
    status: ProgramStatus = ProgramStatus.open

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "discipline_code": "7480201",
                    "code": "CNTT",
                    "name_vi": "Công nghệ thông tin",
                    "level": "bachelor",
                    "mode": "full_time",
                    "credits": 130,
                    "duration_years": 4,
                    "opened_on": "2015-09-01",
                    "annual_quota": 200,
                }
            ]
        }
    )


class ProgramUpdate(UpdateSchema):
    nullable = frozenset({"name_en", "accredited_on"})

    discipline_code: DisciplineCode | None = None
    code: Key30 | None = None
    name_vi: Text250 | None = None
    name_en: Text250 | None = None
    level: Level | None = None
    mode: StudyMode | None = None
    language: Language | None = None
    credits: Credits | None = None
    duration_years: Duration | None = None
    accreditation_status: AccreditationStatus | None = None
    accredited_on: IsoDate | None = None
    opened_on: IsoDate | None = None
    annual_quota: Count | None = None
    status: ProgramStatus | None = None


class ProgramRead(TenantRead, Stamped, VersionedRead):
    discipline_code: str
    code: str
    name_vi: str
    name_en: str | None
    level: Level
    mode: StudyMode
    language: str
    credits: int
    duration_years: float
    accreditation_status: AccreditationStatus
    accredited_on: dt.date | None
    opened_on: dt.date
    annual_quota: int
    status: ProgramStatus


class ProgramQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {"id": "id", "code": "code", "opened_on": "opened_on"}

    institution_id: Id | None = None
    code: Key30 | None = None
    discipline_code: DisciplineCode | None = None
    level: Level | None = None
    mode: StudyMode | None = None
    status: ProgramStatus | None = None
    accreditation_status: AccreditationStatus | None = None
