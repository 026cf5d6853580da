"""REST API of persons (ministry only), learners and staff.

National IDs travel only in request bodies (never in URLs, so never in access logs) and come back
masked. Included by registry/api.py, which adds the /api/v1 prefix and the access check.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from hemis.db.rows import get_row
from hemis.registry import service_learners, service_people
from hemis.registry.models import (
    Learner,
    LearnerStatusEvent,
    Person,
    Staff,
    StaffChange,
    TermResult,
)
from hemis.registry.schemas_people import (
    AwardCreate,
    AwardRead,
    AwardUpdate,
    LearnerCreate,
    LearnerQuery,
    LearnerRead,
    LearnerUpdate,
    NestedQuery,
    PersonCreate,
    PersonLookup,
    PersonQuery,
    PersonRead,
    PersonUpdate,
    StaffChangeRead,
    StaffCreate,
    StaffQuery,
    StaffRead,
    StaffUpdate,
    StatusEventCreate,
    StatusEventRead,
    TermResultCreate,
    TermResultRead,
)
from hemis.web.api_deps import MinistryOnly, PathId, reads_only
from hemis.web.crud import Page, page_of, paginate
from hemis.web.deps import DB, CipherDep
from hemis.web.versions import (
    VERSIONED_CREATE,
    VERSIONED_READ,
    VERSIONED_WRITE,
    IfMatch,
    tagged,
)

router = APIRouter()
persons = APIRouter(dependencies=[MinistryOnly], tags=["persons"])
CREATED = status.HTTP_201_CREATED

# --- persons (ministry) --------------------------------------------------------------------------


@persons.get("/persons")
def list_persons(db: DB, cipher: CipherDep, q: Annotated[PersonQuery, Query()]) -> Page[PersonRead]:
    rows, next_cursor = paginate(db, Person, q)
    items = [service_people.person_read(p, cipher) for p in rows]
    return Page[PersonRead](items=items, next_cursor=next_cursor)


@persons.get("/persons/{person_id}", responses=VERSIONED_READ)
def read_person(db: DB, cipher: CipherDep, person_id: PathId, response: Response) -> PersonRead:
    person = tagged(response, get_row(db, Person, person_id))
    return service_people.person_read(person, cipher)


@persons.post("/persons/lookup")
@reads_only
def lookup_person(db: DB, cipher: CipherDep, body: PersonLookup) -> PersonRead:
    """Find a person by national ID (sent in the body so that it stays out of URLs and logs)."""
    person = service_people.lookup_person(db, cipher, body.national_id)
    return service_people.person_read(person, cipher)


@persons.post("/persons", status_code=CREATED, responses=VERSIONED_CREATE)
def create_person(db: DB, cipher: CipherDep, body: PersonCreate, response: Response) -> PersonRead:
    person = tagged(response, service_people.create_person(db, cipher, body))
    return service_people.person_read(person, cipher)


@persons.patch("/persons/{person_id}", responses=VERSIONED_WRITE)
def update_person(
    db: DB,
    cipher: CipherDep,
    person_id: PathId,
    body: PersonUpdate,
    if_match: IfMatch,
    response: Response,
) -> PersonRead:
    person = service_people.update_person(db, cipher, person_id, body, if_match)
    return service_people.person_read(tagged(response, person), cipher)


router.include_router(persons)

# --- learners ------------------------------------------------------------------------------------


@router.get("/learners", tags=["learners"])
def list_learners(
    db: DB, cipher: CipherDep, q: Annotated[LearnerQuery, Query()]
) -> Page[LearnerRead]:
    rows, next_cursor = paginate(db, Learner, q)
    items = service_learners.learner_reads(db, cipher, rows)
    return Page[LearnerRead](items=items, next_cursor=next_cursor)


@router.get("/learners/{learner_id}", tags=["learners"], responses=VERSIONED_READ)
def read_learner(db: DB, cipher: CipherDep, learner_id: PathId, response: Response) -> LearnerRead:
    learner = tagged(response, get_row(db, Learner, learner_id))
    return service_learners.learner_reads(db, cipher, [learner])[0]


@router.post("/learners", tags=["learners"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_learner(
    db: DB, cipher: CipherDep, body: LearnerCreate, response: Response
) -> LearnerRead:
    """Enrol a learner; the person is found by national ID or created. If the ID is registered
    with other details to a person your institution does not enrol or employ, the learner is
    enrolled with the details you sent, exactly as for a new person, and the ministry reviews
    the difference (409 only when the person is already yours and the details differ)."""
    learner = tagged(response, service_learners.create_learner(db, cipher, body))
    return service_learners.learner_reads(db, cipher, [learner])[0]


@router.patch("/learners/{learner_id}", tags=["learners"], responses=VERSIONED_WRITE)
def update_learner(
    db: DB,
    cipher: CipherDep,
    learner_id: PathId,
    body: LearnerUpdate,
    if_match: IfMatch,
    response: Response,
) -> LearnerRead:
    """Status changes go through status events, not here."""
    learner = service_learners.update_learner(db, learner_id, body, if_match)
    return service_learners.learner_reads(db, cipher, [tagged(response, learner)])[0]


@router.get("/learners/{learner_id}/status-events", tags=["learners"])
def list_status_events(
    db: DB, learner_id: PathId, q: Annotated[NestedQuery, Query()]
) -> Page[StatusEventRead]:
    learner = get_row(db, Learner, learner_id)
    stmt = select(LearnerStatusEvent).where(
        LearnerStatusEvent.institution_id == learner.institution_id,
        LearnerStatusEvent.learner_id == learner.id,
    )
    return page_of(*paginate(db, LearnerStatusEvent, q, stmt), StatusEventRead)


@router.post("/learners/{learner_id}/status-events", tags=["learners"], status_code=CREATED)
def add_status_event(db: DB, learner_id: PathId, body: StatusEventCreate) -> StatusEventRead:
    """Record a status change; the learner's status follows the latest event."""
    event = service_learners.add_status_event(db, learner_id, body)
    return StatusEventRead.model_validate(event)


@router.get("/learners/{learner_id}/term-results", tags=["learners"])
def list_term_results(
    db: DB, learner_id: PathId, q: Annotated[NestedQuery, Query()]
) -> Page[TermResultRead]:
    learner = get_row(db, Learner, learner_id)
    stmt = select(TermResult).where(
        TermResult.institution_id == learner.institution_id, TermResult.learner_id == learner.id
    )
    return page_of(*paginate(db, TermResult, q, stmt), TermResultRead)


@router.post("/learners/{learner_id}/term-results", tags=["learners"], status_code=CREATED)
def add_term_result(db: DB, learner_id: PathId, body: TermResultCreate) -> TermResultRead:
    return TermResultRead.model_validate(service_learners.add_term_result(db, learner_id, body))


@router.get("/learners/{learner_id}/award", tags=["learners"], responses=VERSIONED_READ)
def read_award(db: DB, learner_id: PathId, response: Response) -> AwardRead:
    return AwardRead.model_validate(tagged(response, service_learners.get_award(db, learner_id)))


@router.post(
    "/learners/{learner_id}/award",
    tags=["learners"],
    status_code=CREATED,
    responses=VERSIONED_CREATE,
)
def create_award(db: DB, learner_id: PathId, body: AwardCreate, response: Response) -> AwardRead:
    award = service_learners.create_award(db, learner_id, body)
    return AwardRead.model_validate(tagged(response, award))


@router.patch("/learners/{learner_id}/award", tags=["learners"], responses=VERSIONED_WRITE)
def update_award(
    db: DB, learner_id: PathId, body: AwardUpdate, if_match: IfMatch, response: Response
) -> AwardRead:
    award = service_learners.update_award(db, learner_id, body, if_match)
    return AwardRead.model_validate(tagged(response, award))


# --- staff ---------------------------------------------------------------------------------------


@router.get("/staff", tags=["staff"])
def list_staff(db: DB, cipher: CipherDep, q: Annotated[StaffQuery, Query()]) -> Page[StaffRead]:
    rows, next_cursor = paginate(db, Staff, q)
    return Page[StaffRead](
        items=service_people.staff_reads(db, cipher, rows), next_cursor=next_cursor
    )


@router.get("/staff/{staff_id}", tags=["staff"], responses=VERSIONED_READ)
def read_staff(db: DB, cipher: CipherDep, staff_id: PathId, response: Response) -> StaffRead:
    staff = tagged(response, get_row(db, Staff, staff_id))
    return service_people.staff_reads(db, cipher, [staff])[0]


@router.post("/staff", tags=["staff"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_staff(db: DB, cipher: CipherDep, body: StaffCreate, response: Response) -> StaffRead:
    """Employ a staff member; the person is found by national ID or created (as for learners:
    details that differ from another institution's person go to the ministry's review)."""
    staff = tagged(response, service_people.create_staff(db, cipher, body))
    return service_people.staff_reads(db, cipher, [staff])[0]


@router.patch("/staff/{staff_id}", tags=["staff"], responses=VERSIONED_WRITE)
def update_staff(
    db: DB,
    cipher: CipherDep,
    staff_id: PathId,
    body: StaffUpdate,
    if_match: IfMatch,
    response: Response,
) -> StaffRead:
    """Change a staff record; the changed fields (before and after) are kept in its history."""
    staff = service_people.update_staff(db, staff_id, body, if_match)
    return service_people.staff_reads(db, cipher, [tagged(response, staff)])[0]


@router.get("/staff/{staff_id}/history", tags=["staff"])
def list_staff_history(
    db: DB, staff_id: PathId, q: Annotated[NestedQuery, Query()]
) -> Page[StaffChangeRead]:
    staff = get_row(db, Staff, staff_id)
    stmt = select(StaffChange).where(
        StaffChange.institution_id == staff.institution_id, StaffChange.staff_id == staff.id
    )
    return page_of(*paginate(db, StaffChange, q, stmt), StaffChangeRead)
