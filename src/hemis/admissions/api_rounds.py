"""REST API of rounds and national statistics (/api/v1/admissions/rounds, /statistics).

The ministry creates, snapshots, runs and publishes rounds; everyone else sees published rounds
only, and an officer only their institution's results in them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import select

from hemis.admissions import access, queries_public, round_verify, rounds
from hemis.admissions.api_deps import CREATED, make_router
from hemis.admissions.codes import RoundStatus
from hemis.admissions.models import AdmissionRound
from hemis.admissions.rules import from_h
from hemis.admissions.schemas import (
    AdmissionYearNumber,
    OfferResultQuery,
    OfferResultRead,
    RoundCreate,
    RoundQuery,
    RoundRead,
    Verification,
)
from hemis.errors import NotFound
from hemis.web.api_deps import MinistryAdminOnly, MinistryOnly, PathId
from hemis.web.crud import Page, page_of, paginate
from hemis.web.deps import DB

router = make_router()


def _visible(db: DB, round_id: int) -> AdmissionRound:
    """A round the caller may see: the ministry any, others only published ones."""
    round_ = rounds.get_round(db, round_id)
    if not access.is_ministry(db) and round_.status != RoundStatus.published.value:
        raise NotFound("admission_round", round_id)
    return round_


@router.get("/rounds")
def list_rounds(db: DB, q: Annotated[RoundQuery, Query()]) -> Page[RoundRead]:
    stmt = None
    if not access.is_ministry(db):
        stmt = select(AdmissionRound).where(AdmissionRound.status == RoundStatus.published.value)
    return page_of(*paginate(db, AdmissionRound, q, stmt), RoundRead)


@router.post("/rounds", status_code=CREATED, dependencies=[MinistryAdminOnly])
def create_round(db: DB, body: RoundCreate) -> RoundRead:
    return RoundRead.model_validate(rounds.create_round(db, body))


@router.get("/rounds/{round_id}")
def read_round(db: DB, round_id: PathId) -> RoundRead:
    return RoundRead.model_validate(_visible(db, round_id))


@router.post("/rounds/{round_id}/snapshot", dependencies=[MinistryAdminOnly])
def snapshot_round(db: DB, round_id: PathId) -> RoundRead:
    """Compute every wish's admission score and store the hashed, immutable snapshot."""
    return RoundRead.model_validate(rounds.take_snapshot(db, round_id))


@router.post("/rounds/{round_id}/run", dependencies=[MinistryAdminOnly])
def run_round(db: DB, round_id: PathId) -> RoundRead:
    """Match from the stored snapshot (deferred acceptance) and write the results."""
    return RoundRead.model_validate(rounds.run_round(db, round_id))


@router.post("/rounds/{round_id}/publish", dependencies=[MinistryAdminOnly])
def publish_round(db: DB, round_id: PathId) -> RoundRead:
    """Publish the results to institutions and candidates."""
    return RoundRead.model_validate(rounds.publish_round(db, round_id))


@router.get("/rounds/{round_id}/verification", dependencies=[MinistryOnly])
def verify_round(db: DB, round_id: PathId) -> Verification:
    """Re-run from the snapshot alone and compare with the stored results."""
    return round_verify.verify_round(db, round_id)


@router.get("/rounds/{round_id}/results")
def round_results(
    db: DB, round_id: PathId, q: Annotated[OfferResultQuery, Query()]
) -> dict[str, Any]:
    """Per offer (and method bucket): quota, applicants, admitted and the cutoff."""
    round_ = _visible(db, round_id)
    items = []
    for result, offer in queries_public.offer_results(db, round_.id):
        if q.offer_id is not None and result.offer_id != q.offer_id:
            continue
        if q.institution_id is not None and result.institution_id != q.institution_id:
            continue
        read = OfferResultRead(
            id=result.id,
            institution_id=result.institution_id,
            round_id=result.round_id,
            offer_id=result.offer_id,
            bucket=result.bucket,
            quota=result.quota,
            applicants=result.applicants,
            admitted=result.admitted,
            cutoff=None if result.cutoff_h is None else from_h(result.cutoff_h),
        )
        items.append(read.model_dump(mode="json") | {"offer_code": offer.code})
    return {"items": items[: q.limit], "next_cursor": None}


@router.get("/statistics", dependencies=[MinistryOnly])
def national_statistics(db: DB, year: Annotated[AdmissionYearNumber, Query()]) -> dict[str, Any]:
    """Registrations, wishes, offers, seats, confirmations and every round's figures."""
    return queries_public.statistics(db, year)
