"""REST API of the registry under /api/v1.

Views are thin: parse (Pydantic), call a service, serialize. Every list answers `{items,
next_cursor}` (web/crud.py). Tenancy comes with the `DB` session, scoped to the caller. This module
holds institutions, reporting periods, campuses, facilities, resource summaries and programs;
finance and people are in api_finance.py and api_people.py, included below.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from hemis.db.rows import get_row
from hemis.registry import service, service_units
from hemis.registry.api_finance import router as finance_router
from hemis.registry.api_people import router as people_router
from hemis.registry.models import (
    Campus,
    Facility,
    Institution,
    Program,
    ReportingPeriod,
    ResourceSummary,
)
from hemis.registry.schemas import (
    InstitutionCreate,
    InstitutionQuery,
    InstitutionRead,
    InstitutionUpdate,
    ReportingPeriodCreate,
    ReportingPeriodQuery,
    ReportingPeriodRead,
    ReportingPeriodUpdate,
)
from hemis.registry.schemas_units import (
    CampusCreate,
    CampusQuery,
    CampusRead,
    CampusUpdate,
    FacilityCreate,
    FacilityQuery,
    FacilityRead,
    FacilityUpdate,
    ProgramCreate,
    ProgramQuery,
    ProgramRead,
    ProgramUpdate,
    ResourceSummaryCreate,
    ResourceSummaryQuery,
    ResourceSummaryRead,
    ResourceSummaryUpdate,
)
from hemis.web.api_deps import ERROR_RESPONSES, MinistryAdminOnly, PathId, RegistryAccess
from hemis.web.crud import Page, page_of, paginate
from hemis.web.deps import DB
from hemis.web.versions import (
    VERSIONED_CREATE,
    VERSIONED_READ,
    VERSIONED_WRITE,
    IfMatch,
    tagged,
)

router = APIRouter(prefix="/api/v1", dependencies=[RegistryAccess], responses=ERROR_RESPONSES)
CREATED = status.HTTP_201_CREATED

# --- institutions --------------------------------------------------------------------------------


@router.get("/institutions", tags=["institutions"])
def list_institutions(db: DB, q: Annotated[InstitutionQuery, Query()]) -> Page[InstitutionRead]:
    """Institutions in the caller's scope (an officer sees only their own)."""
    return page_of(*paginate(db, Institution, q), InstitutionRead)


@router.get("/institutions/{institution_id}", tags=["institutions"], responses=VERSIONED_READ)
def read_institution(db: DB, institution_id: PathId, response: Response) -> InstitutionRead:
    return InstitutionRead.model_validate(
        tagged(response, get_row(db, Institution, institution_id))
    )


@router.post(
    "/institutions",
    tags=["institutions"],
    status_code=CREATED,
    dependencies=[MinistryAdminOnly],
    responses=VERSIONED_CREATE,
)
def create_institution(db: DB, body: InstitutionCreate, response: Response) -> InstitutionRead:
    """Register an institution (ministry administrators)."""
    return InstitutionRead.model_validate(tagged(response, service.create_institution(db, body)))


@router.patch("/institutions/{institution_id}", tags=["institutions"], responses=VERSIONED_WRITE)
def update_institution(
    db: DB, institution_id: PathId, body: InstitutionUpdate, if_match: IfMatch, response: Response
) -> InstitutionRead:
    """Officers may change name_en, website and established_on of their own institution."""
    row = service.update_institution(db, institution_id, body, if_match)
    return InstitutionRead.model_validate(tagged(response, row))


# --- reporting periods ---------------------------------------------------------------------------


@router.get("/reporting-periods", tags=["reporting periods"])
def list_reporting_periods(
    db: DB, q: Annotated[ReportingPeriodQuery, Query()]
) -> Page[ReportingPeriodRead]:
    return page_of(*paginate(db, ReportingPeriod, q), ReportingPeriodRead)


@router.get("/reporting-periods/{period_id}", tags=["reporting periods"], responses=VERSIONED_READ)
def read_reporting_period(db: DB, period_id: PathId, response: Response) -> ReportingPeriodRead:
    return ReportingPeriodRead.model_validate(
        tagged(response, get_row(db, ReportingPeriod, period_id))
    )


@router.post(
    "/reporting-periods",
    tags=["reporting periods"],
    status_code=CREATED,
    dependencies=[MinistryAdminOnly],
    responses=VERSIONED_CREATE,
)
def create_reporting_period(
    db: DB, body: ReportingPeriodCreate, response: Response
) -> ReportingPeriodRead:
    row = service.create_reporting_period(db, body)
    return ReportingPeriodRead.model_validate(tagged(response, row))


@router.patch(
    "/reporting-periods/{period_id}",
    tags=["reporting periods"],
    dependencies=[MinistryAdminOnly],
    responses=VERSIONED_WRITE,
)
def update_reporting_period(
    db: DB, period_id: PathId, body: ReportingPeriodUpdate, if_match: IfMatch, response: Response
) -> ReportingPeriodRead:
    row = service.update_reporting_period(db, period_id, body, if_match)
    return ReportingPeriodRead.model_validate(tagged(response, row))


# --- campuses ------------------------------------------------------------------------------------


@router.get("/campuses", tags=["campuses"])
def list_campuses(db: DB, q: Annotated[CampusQuery, Query()]) -> Page[CampusRead]:
    return page_of(*paginate(db, Campus, q), CampusRead)


@router.get("/campuses/{campus_id}", tags=["campuses"], responses=VERSIONED_READ)
def read_campus(db: DB, campus_id: PathId, response: Response) -> CampusRead:
    return CampusRead.model_validate(tagged(response, get_row(db, Campus, campus_id)))


@router.post("/campuses", tags=["campuses"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_campus(db: DB, body: CampusCreate, response: Response) -> CampusRead:
    return CampusRead.model_validate(tagged(response, service_units.create_campus(db, body)))


@router.patch("/campuses/{campus_id}", tags=["campuses"], responses=VERSIONED_WRITE)
def update_campus(
    db: DB, campus_id: PathId, body: CampusUpdate, if_match: IfMatch, response: Response
) -> CampusRead:
    row = service_units.update_campus(db, campus_id, body, if_match)
    return CampusRead.model_validate(tagged(response, row))


# --- facilities ----------------------------------------------------------------------------------


@router.get("/facilities", tags=["facilities"])
def list_facilities(db: DB, q: Annotated[FacilityQuery, Query()]) -> Page[FacilityRead]:
    return page_of(*paginate(db, Facility, q), FacilityRead)


@router.get("/facilities/{facility_id}", tags=["facilities"], responses=VERSIONED_READ)
def read_facility(db: DB, facility_id: PathId, response: Response) -> FacilityRead:
    return FacilityRead.model_validate(tagged(response, get_row(db, Facility, facility_id)))


@router.post("/facilities", tags=["facilities"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_facility(db: DB, body: FacilityCreate, response: Response) -> FacilityRead:
    return FacilityRead.model_validate(tagged(response, service_units.create_facility(db, body)))


@router.patch("/facilities/{facility_id}", tags=["facilities"], responses=VERSIONED_WRITE)
def update_facility(
    db: DB, facility_id: PathId, body: FacilityUpdate, if_match: IfMatch, response: Response
) -> FacilityRead:
    row = service_units.update_facility(db, facility_id, body, if_match)
    return FacilityRead.model_validate(tagged(response, row))


# --- resource summaries --------------------------------------------------------------------------


@router.get("/resource-summaries", tags=["resource summaries"])
def list_resource_summaries(
    db: DB, q: Annotated[ResourceSummaryQuery, Query()]
) -> Page[ResourceSummaryRead]:
    return page_of(*paginate(db, ResourceSummary, q), ResourceSummaryRead)


@router.get(
    "/resource-summaries/{summary_id}", tags=["resource summaries"], responses=VERSIONED_READ
)
def read_resource_summary(db: DB, summary_id: PathId, response: Response) -> ResourceSummaryRead:
    return ResourceSummaryRead.model_validate(
        tagged(response, get_row(db, ResourceSummary, summary_id))
    )


@router.post(
    "/resource-summaries",
    tags=["resource summaries"],
    status_code=CREATED,
    responses=VERSIONED_CREATE,
)
def create_resource_summary(
    db: DB, body: ResourceSummaryCreate, response: Response
) -> ResourceSummaryRead:
    return ResourceSummaryRead.model_validate(
        tagged(response, service_units.create_resource_summary(db, body))
    )


@router.patch(
    "/resource-summaries/{summary_id}", tags=["resource summaries"], responses=VERSIONED_WRITE
)
def update_resource_summary(
    db: DB, summary_id: PathId, body: ResourceSummaryUpdate, if_match: IfMatch, response: Response
) -> ResourceSummaryRead:
    row = service_units.update_resource_summary(db, summary_id, body, if_match)
    return ResourceSummaryRead.model_validate(tagged(response, row))


# --- programs ------------------------------------------------------------------------------------


@router.get("/programs", tags=["programs"])
def list_programs(db: DB, q: Annotated[ProgramQuery, Query()]) -> Page[ProgramRead]:
    return page_of(*paginate(db, Program, q), ProgramRead)


@router.get("/programs/{program_id}", tags=["programs"], responses=VERSIONED_READ)
def read_program(db: DB, program_id: PathId, response: Response) -> ProgramRead:
    return ProgramRead.model_validate(tagged(response, get_row(db, Program, program_id)))


@router.post("/programs", tags=["programs"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_program(db: DB, body: ProgramCreate, response: Response) -> ProgramRead:
    return ProgramRead.model_validate(tagged(response, service_units.create_program(db, body)))


@router.patch("/programs/{program_id}", tags=["programs"], responses=VERSIONED_WRITE)
def update_program(
    db: DB, program_id: PathId, body: ProgramUpdate, if_match: IfMatch, response: Response
) -> ProgramRead:
    row = service_units.update_program(db, program_id, body, if_match)
    return ProgramRead.model_validate(tagged(response, row))


router.include_router(finance_router)
router.include_router(people_router)
