"""REST API of admissions under /api/v1/admissions: for institutions' systems and the ministry.

Candidates use the portal pages (admissions/pages.py), not the API: every route here answers them
403. Read-only roles may only read. Officers see and change only their institution's offers,
tables and results (the `DB` session is scoped to them); registrations, results imports and
rounds are the ministry's. Rounds are in api_rounds.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Query, Response, UploadFile
from sqlalchemy import select

from hemis.admissions import queries_public, results_import, service, service_offers
from hemis.admissions.api_deps import CREATED, YearPath, make_router
from hemis.admissions.codes import Method
from hemis.admissions.models import AdmissionOffer, AdmissionYear, ConversionTable, ExamRegistration
from hemis.admissions.rules import from_h
from hemis.admissions.schemas import (
    AdmissionYearCreate,
    AdmissionYearNumber,
    AdmissionYearRead,
    AdmissionYearUpdate,
    ApplicantRead,
    ConversionTableCreate,
    ConversionTableRead,
    OfferCreate,
    OfferQuery,
    OfferRead,
    OfferUpdate,
    RegistrationCreate,
    RegistrationQuery,
    RegistrationRead,
)
from hemis.web.api_deps import MinistryAdminOnly, MinistryOnly, PathId
from hemis.web.crud import Page, page_of, paginate
from hemis.web.deps import DB, CipherDep
from hemis.web.versions import (
    VERSIONED_CREATE,
    VERSIONED_READ,
    VERSIONED_WRITE,
    IfMatch,
    tagged,
)

router = make_router()


# --- admission years ------------------------------------------------------------------------------


@router.get("/years")
def list_years(db: DB) -> Page[AdmissionYearRead]:
    rows = db.scalars(select(AdmissionYear).order_by(AdmissionYear.year.desc()))
    return page_of(list(rows), None, AdmissionYearRead)


@router.post(
    "/years", status_code=CREATED, dependencies=[MinistryAdminOnly], responses=VERSIONED_CREATE
)
def create_year(db: DB, body: AdmissionYearCreate, response: Response) -> AdmissionYearRead:
    """Open an admission year: its calendar (UTC) and rules (wish cap, teacher-training limit)."""
    return AdmissionYearRead.model_validate(tagged(response, service.create_year(db, body)))


@router.get("/years/{year}", responses=VERSIONED_READ)
def read_year(db: DB, year: YearPath, response: Response) -> AdmissionYearRead:
    return AdmissionYearRead.model_validate(tagged(response, service.get_year(db, year)))


@router.patch("/years/{year}", dependencies=[MinistryAdminOnly], responses=VERSIONED_WRITE)
def update_year(
    db: DB, year: YearPath, body: AdmissionYearUpdate, if_match: IfMatch, response: Response
) -> AdmissionYearRead:
    row = service.update_year(db, year, body, if_match)
    return AdmissionYearRead.model_validate(tagged(response, row))


# --- registrations (ministry) ---------------------------------------------------------------------


@router.get("/registrations", dependencies=[MinistryOnly])
def list_registrations(db: DB, q: Annotated[RegistrationQuery, Query()]) -> Page[RegistrationRead]:
    return page_of(*paginate(db, ExamRegistration, q), RegistrationRead)


@router.post("/registrations", status_code=CREATED, dependencies=[MinistryAdminOnly])
def register_candidate(db: DB, cipher: CipherDep, body: RegistrationCreate) -> RegistrationRead:
    """Register a candidate for the exam: the person is found by national ID (or added) and
    optionally linked to a candidate account."""
    return RegistrationRead.model_validate(service.register_candidate(db, cipher, body))


@router.get("/registrations/{registration_id}", dependencies=[MinistryOnly])
def read_registration(db: DB, registration_id: PathId) -> RegistrationRead:
    return RegistrationRead.model_validate(service.get_registration(db, registration_id))


# --- results --------------------------------------------------------------------------------------


@router.post("/results", status_code=CREATED, dependencies=[MinistryAdminOnly])
def import_results(
    db: DB,
    year: Annotated[AdmissionYearNumber, Form()],
    method: Annotated[Method, Form()],
    source: Annotated[str, Form(min_length=1, max_length=200)],
    file: Annotated[UploadFile, File(description="CSV: candidate_number and score columns")],
) -> dict[str, Any]:
    """Import one CSV of results (all or nothing; problems listed as row, field, message)."""
    content = file.file.read(200 * 1024 * 1024)
    report = results_import.import_results(db, year, method, content, source)
    return {
        "batch_id": report.batch_id,
        "method": report.method,
        "rows": report.rows,
        "scores": report.scores,
        "sha256": report.sha256,
    }


# --- offers ---------------------------------------------------------------------------------------


def _offer(row: AdmissionOffer) -> OfferRead:
    return OfferRead.model_validate(service_offers.offer_read_values(row))


@router.get("/offers")
def list_offers(db: DB, q: Annotated[OfferQuery, Query()]) -> Page[OfferRead]:
    """Offers in the caller's scope (an officer sees only their institution's)."""
    rows, cursor = paginate(db, AdmissionOffer, q)
    return Page[OfferRead](items=[_offer(r) for r in rows], next_cursor=cursor)


@router.post("/offers", status_code=CREATED, responses=VERSIONED_CREATE)
def create_offer(db: DB, body: OfferCreate, response: Response) -> OfferRead:
    """Open a program for admission in a year (officers: their own institution)."""
    return _offer(tagged(response, service_offers.create_offer(db, body)))


@router.get("/offers/{offer_id}", responses=VERSIONED_READ)
def read_offer(db: DB, offer_id: PathId, response: Response) -> OfferRead:
    return _offer(tagged(response, service_offers.get_offer(db, offer_id)))


@router.patch("/offers/{offer_id}", responses=VERSIONED_WRITE)
def update_offer(
    db: DB, offer_id: PathId, body: OfferUpdate, if_match: IfMatch, response: Response
) -> OfferRead:
    """Change an offer, quotas included, between rounds (audited)."""
    return _offer(tagged(response, service_offers.update_offer(db, offer_id, body, if_match)))


@router.get("/offers/{offer_id}/applicants")
def list_applicants(
    db: DB, offer_id: PathId, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> dict[str, Any]:
    """Candidates who placed a wish for the offer, with the last published round's outcome."""
    offer = service_offers.get_offer(db, offer_id)
    rows, total = queries_public.applicants(db, offer, page)
    items = [
        ApplicantRead(
            wish_id=r.wish_id,
            rank=r.rank,
            candidate_number=r.candidate_number,
            full_name=r.full_name,
            score=None if r.score_h is None else from_h(r.score_h),
            admitted=r.admitted,
        ).model_dump(mode="json")
        for r in rows
    ]
    return {"items": items, "total": total, "next_cursor": None}


# --- conversion tables ----------------------------------------------------------------------------


def _table(row: ConversionTable) -> ConversionTableRead:
    return ConversionTableRead(
        id=row.id,
        institution_id=row.institution_id,
        year=row.year,
        method=row.method,
        points=[(from_h(x), from_h(y)) for x, y in row.points],
        note=row.note,
    )


@router.get("/conversion-tables")
def list_tables(
    db: DB, year: Annotated[AdmissionYearNumber | None, Query()] = None
) -> Page[ConversionTableRead]:
    stmt = select(ConversionTable).order_by(ConversionTable.institution_id, ConversionTable.method)
    if year is not None:
        stmt = stmt.where(ConversionTable.year == year)
    return Page[ConversionTableRead](items=[_table(r) for r in db.scalars(stmt)], next_cursor=None)


@router.post("/conversion-tables", status_code=CREATED)
def publish_table(db: DB, body: ConversionTableCreate) -> ConversionTableRead:
    """Publish (or replace) a percentile conversion table for a method and year."""
    return _table(service_offers.publish_table(db, body))


@router.get("/conversion-tables/suggestion", dependencies=[MinistryOnly])
def suggest_table(
    db: DB,
    year: Annotated[AdmissionYearNumber, Query()],
    method: Annotated[Method, Query()],
    reference: Annotated[str, Query(max_length=3, pattern=r"^[A-Z0-9]{3}$")] = "A00",
) -> dict[str, Any]:
    """Percentile bands of a method's national distribution onto an exam combination's."""
    points = service_offers.suggest_points(db, year, method, reference)
    return {
        "method": method.value,
        "reference": reference,
        "points": [[str(from_h(x)), str(from_h(y))] for x, y in points],
    }
