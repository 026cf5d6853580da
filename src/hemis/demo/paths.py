"""Bonus points and direct admission in the demo year, through the services (safe to run again):

- every institution publishes a bonus table for IELTS certificates and one for national awards;
- the ministry records an IELTS certificate for the demo candidate and for a share of the cohort
  with strong English (with the issuing body and a certificate number), and a national award for
  a few with the best Mathematics;
- every institution's most selective offer admits one of those award holders directly
  (Art. 8), who accepts: the seat leaves the quota before the round's matching.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions import service_paths
from hemis.admissions.models import (
    AdmissionOffer,
    BonusTable,
    CandidateAchievement,
    DirectAdmission,
    ExamRegistration,
    ResultScore,
)
from hemis.admissions.schemas_paths import (
    AchievementCreate,
    BonusTableCreate,
    DirectAdmissionCreate,
)
from hemis.demo.rules import DEMO_YEAR

LANGUAGE_ROWS = (("ielts", "5.5", "0.5"), ("ielts", "6.5", "1"), ("ielts", "7.0", "1.5"))
AWARD_ROWS = (("national_1", "0", "2"), ("national_2", "0", "1.5"), ("national_3", "0", "1"))
NOTICE = "Đề án tuyển sinh năm {year}, mục Điểm cộng (mô phỏng)"
DEMO_IELTS = "6.5"
AWARDED = 3  # national awards recorded (the best Mathematics of the cohort)


def publish_bonus(s: Session) -> None:
    """Every institution with offers publishes its two bonus tables (once)."""
    institutions = sorted(
        set(
            s.scalars(select(AdmissionOffer.institution_id).where(AdmissionOffer.year == DEMO_YEAR))
        )
    )
    done = set(s.scalars(select(BonusTable.institution_id).where(BonusTable.year == DEMO_YEAR)))
    for institution_id in institutions:
        if institution_id in done:
            continue
        for kind, rows in (("language", LANGUAGE_ROWS), ("award", AWARD_ROWS)):
            service_paths.publish_bonus_table(
                s,
                BonusTableCreate.model_validate(
                    {
                        "institution_id": institution_id,
                        "year": DEMO_YEAR,
                        "kind": kind,
                        "rows": [{"code": c, "minimum": m, "points": p} for c, m, p in rows],
                        "source": NOTICE.format(year=DEMO_YEAR),
                    }
                ),
            )


def record_achievements(s: Session, demo_person: int | None, skip: set[int]) -> list[int]:
    """IELTS for the demo candidate and for every tenth of the cohort with English ≥ 8; national
    awards for the best in Mathematics. Returns the award holders (persons)."""
    if s.scalar(select(CandidateAchievement.id).where(CandidateAchievement.year == DEMO_YEAR)):
        return _award_holders(s)
    numbers = dict(
        s.execute(
            select(ExamRegistration.person_id, ExamRegistration.candidate_number).where(
                ExamRegistration.year == DEMO_YEAR
            )
        ).all()
    )
    english = {
        r.person_id: r.score_h
        for r in s.scalars(
            select(ResultScore).where(
                ResultScore.year == DEMO_YEAR,
                ResultScore.method == "exam",
                ResultScore.subject == "english",
            )
        )
    }
    certified = [p for p in sorted(english) if english[p] >= 800 and p % 10 == 0 and p not in skip]
    if demo_person is not None and demo_person in numbers:
        _certificate(s, numbers[demo_person], DEMO_IELTS, "DEMO-IELTS-0001")
    for k, person in enumerate(certified):
        score = "7.0" if english[person] >= 900 else "6.5" if english[person] >= 850 else "6.0"
        _certificate(s, numbers[person], score, f"DEMO-IELTS-{k + 2:04d}")
    math = {
        r.person_id: r.score_h
        for r in s.scalars(
            select(ResultScore).where(
                ResultScore.year == DEMO_YEAR,
                ResultScore.method == "exam",
                ResultScore.subject == "math",
            )
        )
        if r.person_id not in skip and r.person_id != demo_person
    }
    best = sorted(math, key=lambda p: (-math[p], p))[:AWARDED]
    for k, person in enumerate(best):
        service_paths.record_achievement(
            s,
            AchievementCreate.model_validate(
                {
                    "year": DEMO_YEAR,
                    "candidate_number": numbers[person],
                    "kind": "award",
                    "code": f"national_{k % 3 + 1}",
                    "detail": "Kỳ thi chọn học sinh giỏi quốc gia, môn Toán",
                    "source": "Bộ Giáo dục và Đào tạo",
                    "document": f"DEMO-HSGQG-{k + 1:03d}",
                    "issued_on": dt.date(DEMO_YEAR, 3, 1),
                }
            ),
        )
    return best


def _certificate(s: Session, number: str, score: str, document: str) -> None:
    service_paths.record_achievement(
        s,
        AchievementCreate.model_validate(
            {
                "year": DEMO_YEAR,
                "candidate_number": number,
                "kind": "language",
                "code": "ielts",
                "score": score,
                "source": "IDP Việt Nam (mô phỏng)",
                "document": document,
                "issued_on": dt.date(DEMO_YEAR - 1, 11, 15),
            }
        ),
    )


def _award_holders(s: Session) -> list[int]:
    return list(
        s.scalars(
            select(CandidateAchievement.person_id)
            .where(CandidateAchievement.year == DEMO_YEAR, CandidateAchievement.kind == "award")
            .order_by(CandidateAchievement.document)
        )
    )


def admit_directly(s: Session, holders: list[int]) -> None:
    """The most selective offer of the first institutions admits an award holder directly, who
    accepts (once)."""
    if not holders or s.scalar(select(DirectAdmission.id).where(DirectAdmission.year == DEMO_YEAR)):
        return
    offers = list(
        s.scalars(
            select(AdmissionOffer)
            .where(AdmissionOffer.year == DEMO_YEAR, AdmissionOffer.status == "open")
            .order_by(AdmissionOffer.floor_h.desc(), AdmissionOffer.id)
        )
    )
    numbers = dict(
        s.execute(
            select(ExamRegistration.person_id, ExamRegistration.candidate_number).where(
                ExamRegistration.year == DEMO_YEAR, ExamRegistration.person_id.in_(holders)
            )
        ).all()
    )
    used: set[int] = set()
    for person, offer in zip(holders, _one_per_institution(offers, used), strict=False):
        granted = service_paths.grant_path(
            s,
            DirectAdmissionCreate.model_validate(
                {
                    "year": DEMO_YEAR,
                    "candidate_number": numbers[person],
                    "offer_id": offer.id,
                    "path": "direct",
                    "basis": "Điều 8: đoạt giải kỳ thi chọn học sinh giỏi quốc gia môn Toán",
                }
            ),
        )
        service_paths.answer_path(s, DEMO_YEAR, person, granted.id, accept=True)


def _one_per_institution(offers: list[AdmissionOffer], used: set[int]) -> list[AdmissionOffer]:
    out = []
    for offer in offers:
        if offer.institution_id not in used:
            used.add(offer.institution_id)
            out.append(offer)
    return out
