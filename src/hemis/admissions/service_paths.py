"""Bonus points and admission outside the matching.

- An institution publishes its bonus tables (điểm cộng: language certificates converted by its
  table, excellence awards) for a year; the ministry records candidates' certificates and awards
  with their provenance (issuing body, document number, date), audited.
- An institution decides a direct admission (xét tuyển thẳng) or a priority admission (ưu tiên
  xét tuyển) for a candidate and one of its offers (Circular 08/2022 as amended, Art. 8); the
  candidate accepts or declines it before the wish window closes, at most one accepted. An
  accepted direct admission — and an accepted priority admission whose score reaches the offer's
  floor — takes its seat out of the offer's quota before the round's matching
  (snapshot_paths.py), and the candidate leaves the matching.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions import access
from hemis.admissions.codes import AchievementKind, OfferStatus, PathStatus
from hemis.admissions.models import (
    AdmissionOffer,
    BonusTable,
    CandidateAchievement,
    DirectAdmission,
    ExamRegistration,
)
from hemis.admissions.rules import Achievement, BonusEntry, from_h, to_h
from hemis.admissions.schemas_paths import (
    AchievementCreate,
    BonusRow,
    BonusTableCreate,
    DirectAdmissionCreate,
)
from hemis.admissions.service import get_year, require_window, wish_window
from hemis.admissions.service_offers import round_in_progress
from hemis.db.rows import commit
from hemis.db.tenancy import get_scope
from hemis.db.types import utcnow
from hemis.errors import Conflict, NotFound, invalid
from hemis.registry.service import target_institution

# --- bonus tables ---------------------------------------------------------------------------------


def publish_bonus_table(session: Session, data: BonusTableCreate) -> BonusTable:
    """Publish (or replace) an institution's bonus table of one kind for a year."""
    iid = target_institution(session, data)
    get_year(session, data.year)
    if round_in_progress(session, data.year) is not None:
        raise Conflict(
            "Đang có đợt lọc ảo chưa công bố.", "A round is in progress.", code="round_in_progress"
        )
    entries = [[r.code, to_h(r.minimum), to_h(r.points)] for r in data.rows]
    row = session.scalar(
        select(BonusTable).where(
            BonusTable.institution_id == iid,
            BonusTable.year == data.year,
            BonusTable.kind == data.kind.value,
        )
    )
    if row is None:
        row = BonusTable(institution_id=iid, year=data.year, kind=data.kind.value)
        session.add(row)
    row.entries = entries
    row.source = data.source
    commit(session)
    return row


def bonus_rows(row: BonusTable) -> list[BonusRow]:
    return [
        BonusRow(code=str(code), minimum=from_h(int(low)), points=from_h(int(points)))
        for code, low, points in row.entries
    ]


def bonus_entries(catalogue: Session, institution_id: int, year: int) -> list[BonusEntry]:
    """Every row of an institution's bonus tables of a year (the pure rule's input)."""
    return [
        BonusEntry(t.kind, str(code), int(low), int(points))
        for t in catalogue.scalars(
            select(BonusTable).where(
                BonusTable.institution_id == institution_id, BonusTable.year == year
            )
        )
        for code, low, points in t.entries
    ]


# --- candidates' certificates and awards ----------------------------------------------------------


def _registration(session: Session, year: int, candidate_number: str) -> ExamRegistration:
    found = session.scalar(
        select(ExamRegistration).where(
            ExamRegistration.year == year, ExamRegistration.candidate_number == candidate_number
        )
    )
    if found is None:
        raise invalid(
            "candidate_number",
            "candidate.unknown",
            "Không có số báo danh này trong năm tuyển sinh.",
            "No such candidate number in the year.",
        )
    return found


def record_achievement(session: Session, data: AchievementCreate) -> CandidateAchievement:
    """Record (or correct) a candidate's certificate or award, with its provenance."""
    access.require_ministry(session)
    get_year(session, data.year)
    person_id = _registration(session, data.year, data.candidate_number).person_id
    row = session.scalar(
        select(CandidateAchievement).where(
            CandidateAchievement.year == data.year,
            CandidateAchievement.person_id == person_id,
            CandidateAchievement.kind == data.kind.value,
            CandidateAchievement.code == data.code,
        )
    )
    if row is None:
        row = CandidateAchievement(
            year=data.year, person_id=person_id, kind=data.kind.value, code=data.code
        )
        session.add(row)
    row.score_h = None if data.score is None else to_h(data.score)
    row.detail = data.detail
    row.source = data.source
    row.document = data.document
    row.issued_on = data.issued_on
    commit(session)
    return row


def achievements_of(session: Session, year: int, person_id: int) -> list[CandidateAchievement]:
    access.require_own(session, person_id)
    return list(
        session.scalars(
            select(CandidateAchievement)
            .where(CandidateAchievement.year == year, CandidateAchievement.person_id == person_id)
            .order_by(CandidateAchievement.kind, CandidateAchievement.code)
        )
    )


def as_achievements(rows: list[CandidateAchievement]) -> list[Achievement]:
    return [Achievement(r.kind, r.code, r.score_h) for r in rows]


def score_of(row: CandidateAchievement) -> Decimal | None:
    if row.kind != AchievementKind.language.value or row.score_h is None:
        return None
    return from_h(row.score_h)


# --- direct and priority admission ----------------------------------------------------------------


def grant_path(session: Session, data: DirectAdmissionCreate) -> DirectAdmission:
    """An institution's decision for one of its offers (the ministry's for any)."""
    get_year(session, data.year)
    offer = session.scalar(select(AdmissionOffer).where(AdmissionOffer.id == data.offer_id))
    if offer is None or offer.year != data.year or offer.status != OfferStatus.open.value:
        # an officer's session sees only their institution's offers
        raise invalid("offer_id", "path.offer", "Không có ngành xét tuyển này.", "No such offer.")
    if round_in_progress(session, data.year) is not None:
        raise Conflict(
            "Đang có đợt lọc ảo chưa công bố.", "A round is in progress.", code="round_in_progress"
        )
    person_id = _registration(session, data.year, data.candidate_number).person_id
    taken = session.scalar(
        select(DirectAdmission.id).where(
            DirectAdmission.year == data.year,
            DirectAdmission.person_id == person_id,
            DirectAdmission.institution_id == offer.institution_id,
            DirectAdmission.offer_id == offer.id,
        )
    )
    if taken is not None:
        raise Conflict(
            "Thí sinh đã có quyết định cho ngành này.",
            "The candidate already has a decision for this offer.",
            code="path.duplicate",
        )
    row = DirectAdmission(
        year=data.year,
        person_id=person_id,
        institution_id=offer.institution_id,
        offer_id=offer.id,
        path=data.path.value,
        basis=data.basis,
        status=PathStatus.offered.value,
    )
    session.add(row)
    commit(session)
    return row


def institution_paths(session: Session, year: int) -> list[DirectAdmission]:
    """An institution's decisions of a year (the ministry: every institution's)."""
    scope = get_scope(session)
    stmt = select(DirectAdmission).where(DirectAdmission.year == year)
    if not scope.national:
        stmt = stmt.where(DirectAdmission.institution_id == scope.institution_id)
    return list(session.scalars(stmt.order_by(DirectAdmission.id)))


def my_paths(session: Session, year: int, person_id: int) -> list[DirectAdmission]:
    access.require_own(session, person_id)
    return list(
        session.scalars(
            select(DirectAdmission)
            .where(DirectAdmission.year == year, DirectAdmission.person_id == person_id)
            .order_by(DirectAdmission.id)
        )
    )


def answer_path(
    session: Session,
    year: int,
    person_id: int,
    path_id: int,
    accept: bool,
    now: dt.datetime | None = None,
) -> DirectAdmission:
    """The candidate accepts (declining any other accepted one) or declines, inside the wish
    window: what the round's snapshot takes is what stands when the window closes."""
    access.require_own(session, person_id)
    require_window(
        session,
        wish_window(get_year(session, year)),
        "trả lời xét tuyển thẳng",
        "direct-admission answer",
        now,
    )
    mine = my_paths(session, year, person_id)
    row = next((p for p in mine if p.id == path_id), None)
    if row is None:
        raise NotFound("direct_admission", path_id)
    moment = now or utcnow()
    if accept:
        for other in mine:
            if other.id != row.id and other.status == PathStatus.accepted.value:
                other.status = PathStatus.declined.value
                other.answered_at = moment
    row.status = (PathStatus.accepted if accept else PathStatus.declined).value
    row.answered_at = moment
    commit(session)
    return row
