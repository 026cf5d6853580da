"""REST API of bonus points and admission outside the matching (/api/v1/admissions/...).

Institutions publish their bonus tables and decide direct and priority admissions for their own
offers; the ministry records candidates' certificates and awards with their provenance.
Candidates answer their direct admissions on the portal (pages.py), not here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from sqlalchemy import select

from hemis.admissions import service_paths
from hemis.admissions.api_deps import CREATED, make_router
from hemis.admissions.models import BonusTable, CandidateAchievement, DirectAdmission
from hemis.admissions.schemas import AdmissionYearNumber
from hemis.admissions.schemas_paths import (
    AchievementCreate,
    AchievementRead,
    BonusTableCreate,
    BonusTableRead,
    DirectAdmissionCreate,
    DirectAdmissionRead,
)
from hemis.web.api_deps import MinistryAdminOnly, MinistryOnly
from hemis.web.crud import Page
from hemis.web.deps import DB

router = make_router()


def _table(row: BonusTable) -> BonusTableRead:
    return BonusTableRead(
        id=row.id,
        institution_id=row.institution_id,
        year=row.year,
        kind=row.kind,
        rows=service_paths.bonus_rows(row),
        source=row.source,
    )


@router.get("/bonus-tables")
def list_bonus_tables(
    db: DB, year: Annotated[AdmissionYearNumber | None, Query()] = None
) -> Page[BonusTableRead]:
    stmt = select(BonusTable).order_by(BonusTable.institution_id, BonusTable.kind)
    if year is not None:
        stmt = stmt.where(BonusTable.year == year)
    return Page[BonusTableRead](items=[_table(r) for r in db.scalars(stmt)], next_cursor=None)


@router.post("/bonus-tables", status_code=CREATED)
def publish_bonus_table(db: DB, body: BonusTableCreate) -> BonusTableRead:
    """Publish (or replace) a bonus-point table (language certificates or awards) for a year."""
    return _table(service_paths.publish_bonus_table(db, body))


def _achievement(row: CandidateAchievement) -> AchievementRead:
    return AchievementRead(
        id=row.id,
        year=row.year,
        person_id=row.person_id,
        kind=row.kind,
        code=row.code,
        score=service_paths.score_of(row),
        detail=row.detail,
        source=row.source,
        document=row.document,
        issued_on=row.issued_on,
    )


@router.post("/achievements", status_code=CREATED, dependencies=[MinistryAdminOnly])
def record_achievement(db: DB, body: AchievementCreate) -> AchievementRead:
    """Record (or correct) a candidate's certificate or award, with its provenance."""
    return _achievement(service_paths.record_achievement(db, body))


@router.get("/achievements", dependencies=[MinistryOnly])
def list_achievements(
    db: DB, year: Annotated[AdmissionYearNumber, Query()]
) -> Page[AchievementRead]:
    rows = db.scalars(
        select(CandidateAchievement)
        .where(CandidateAchievement.year == year)
        .order_by(CandidateAchievement.id)
        .limit(1000)
    )
    return Page[AchievementRead](items=[_achievement(r) for r in rows], next_cursor=None)


def _path(row: DirectAdmission) -> DirectAdmissionRead:
    return DirectAdmissionRead.model_validate(row, from_attributes=True)


@router.post("/direct-admissions", status_code=CREATED)
def grant_path(db: DB, body: DirectAdmissionCreate) -> DirectAdmissionRead:
    """Decide a direct or priority admission for one of the institution's offers (Art. 8)."""
    return _path(service_paths.grant_path(db, body))


@router.get("/direct-admissions")
def list_paths(db: DB, year: Annotated[AdmissionYearNumber, Query()]) -> Page[DirectAdmissionRead]:
    """The institution's decisions (the ministry: every institution's) and their answers."""
    return Page[DirectAdmissionRead](
        items=[_path(r) for r in service_paths.institution_paths(db, year)], next_cursor=None
    )
