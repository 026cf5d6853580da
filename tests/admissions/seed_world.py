"""Admissions rows of one institution in the API tests' world (tests/web/conftest.py): an offer,
a conversion table, a bonus table, a round result and a learner's admission record, so that the
tenancy walk has B's rows in every admissions tenant table. The admission year and the round are
national and made once, before B's ids."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    AdmissionYear,
    BonusTable,
    ConversionTable,
    LearnerAdmission,
    RoundOfferResult,
)
from hemis.registry.models import Learner

YEAR = 2025


def seed_admissions(s: Session, institution_id: int, program_id: int, tag: str) -> dict[str, int]:
    if s.get(AdmissionYear, YEAR) is None:
        s.add(AdmissionYear(year=YEAR, rules_version=YEAR))
        s.flush()
    round_ = s.scalar(select(AdmissionRound).where(AdmissionRound.year == YEAR))
    if round_ is None:
        round_ = AdmissionRound(
            year=YEAR, number=1, kind="regular", tie_policy="group", status="published", stats={}
        )
        s.add(round_)
        s.flush()
    offer = AdmissionOffer(
        institution_id=institution_id,
        year=YEAR,
        program_id=program_id,
        code=f"{tag}-XT1",
        name_vi=f"Ngành xét tuyển {tag}",
        discipline_code="7480201",
        quota=50,
        method_quotas={},
        methods=["exam", "hsa"],
        combinations={"A00": 0},
        floor_h=1500,
        tiebreaks=["math"],
    )
    s.add(offer)
    s.flush()
    table = ConversionTable(
        institution_id=institution_id,
        year=YEAR,
        method="hsa",
        points=[[0, 0], [15000, 3000]],
        note=f"Bảng quy đổi {tag}",
    )
    result = RoundOfferResult(
        institution_id=institution_id,
        round_id=round_.id,
        offer_id=offer.id,
        bucket="",
        quota=50,
        applicants=0,
        admitted=0,
        cutoff_h=None,
    )
    learner = s.scalars(select(Learner).where(Learner.institution_id == institution_id)).first()
    assert learner is not None
    admission = LearnerAdmission(
        institution_id=institution_id,
        learner_id=learner.id,
        person_id=learner.person_id,
        year=YEAR,
        round_id=round_.id,
        offer_id=offer.id,
        bucket="",
        method="exam",
        score_h=2400,
        student_code=learner.student_code,
    )
    bonus = BonusTable(
        institution_id=institution_id,
        year=YEAR,
        kind="language",
        entries=[["ielts", 650, 125]],
        source=f"Thông báo tuyển sinh {tag}",
    )
    s.add_all([table, result, admission, bonus])
    s.flush()
    # "admissions": the id the tenancy walk puts in every {…_id} of /api/v1/admissions paths
    return {"admissions": offer.id, "conversion-tables": table.id, "round-results": result.id}
