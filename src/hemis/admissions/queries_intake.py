"""Read side of the intake page ("Tân sinh viên"): per offer, the seats against those admitted,
confirmed and written to the registry; the confirmed candidates with their learner records.

Queries run in the caller's scope (an officer's reaches their own institution's offers, learners
and persons; the ministry's any) and always name the institution, because confirmations and
round outcomes are national tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.admissions import rounds
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    EnrolmentConfirmation,
    ExamRegistration,
    LearnerAdmission,
    RoundCandidate,
    RoundOfferResult,
)
from hemis.common.text import name_sort_key
from hemis.registry.models import Learner, Person, Program


@dataclass(frozen=True)
class ProgramIntake:
    """One offer's intake: seats, admitted (final and supplementary rounds), confirmed, and
    written to the registry."""

    offer_id: int
    code: str
    name_vi: str
    program_code: str
    quota: int
    admitted: int
    confirmed: int
    written: int

    @property
    def pending(self) -> int:
        return self.confirmed - self.written


@dataclass(frozen=True)
class IntakeLearner:
    """A confirmed candidate and, once the intake wrote them, their learner record."""

    person_id: int
    full_name: str
    candidate_number: str
    offer_code: str
    program_code: str
    round_number: int
    round_kind: str
    method: str | None
    score_h: int | None
    confirmed_at: dt.datetime
    student_code: str | None  # the learner's code now (None: not written yet)
    status: str | None


def program_intake(session: Session, year: int, institution_id: int) -> list[ProgramIntake]:
    offers = list(
        session.execute(
            select(AdmissionOffer, Program.code)
            .join(
                Program,
                (Program.institution_id == AdmissionOffer.institution_id)
                & (Program.id == AdmissionOffer.program_id),
            )
            .where(AdmissionOffer.year == year, AdmissionOffer.institution_id == institution_id)
            .order_by(AdmissionOffer.code)
        )
    )
    counted = [r.id for r in rounds.confirmation_rounds(session, year)]
    admitted = dict(
        session.execute(
            select(RoundOfferResult.offer_id, func.sum(RoundOfferResult.admitted))
            .where(
                RoundOfferResult.institution_id == institution_id,
                RoundOfferResult.round_id.in_(counted or [0]),
            )
            .group_by(RoundOfferResult.offer_id)
        ).all()
    )
    confirmed = dict(
        session.execute(
            select(EnrolmentConfirmation.offer_id, func.count())
            .where(
                EnrolmentConfirmation.year == year,
                EnrolmentConfirmation.institution_id == institution_id,
            )
            .group_by(EnrolmentConfirmation.offer_id)
        ).all()
    )
    written = dict(
        session.execute(
            select(LearnerAdmission.offer_id, func.count())
            .where(LearnerAdmission.year == year, LearnerAdmission.institution_id == institution_id)
            .group_by(LearnerAdmission.offer_id)
        ).all()
    )
    return [
        ProgramIntake(
            offer.id,
            offer.code,
            offer.name_vi,
            program_code,
            offer.quota,
            int(admitted.get(offer.id) or 0),
            int(confirmed.get(offer.id) or 0),
            int(written.get(offer.id) or 0),
        )
        for offer, program_code in offers
    ]


def intake_learners(session: Session, year: int, institution_id: int) -> list[IntakeLearner]:
    """Every confirmed candidate of the year at the institution, by offer, then name."""
    confirmations = list(
        session.execute(
            select(EnrolmentConfirmation, AdmissionRound.number, AdmissionRound.kind)
            .join(AdmissionRound, AdmissionRound.id == EnrolmentConfirmation.round_id)
            .where(
                EnrolmentConfirmation.year == year,
                EnrolmentConfirmation.institution_id == institution_id,
            )
        ).all()
    )
    persons = [c.person_id for c, _, _ in confirmations]
    if not persons:
        return []
    names = dict(
        session.execute(
            select(Person.id, Person.full_name)
            .where(Person.id.in_(persons))
            # the persons confirmed at this institution (learners of it or not yet)
            .execution_options(person_lookup=True)
        ).all()
    )
    numbers = dict(
        session.execute(
            select(ExamRegistration.person_id, ExamRegistration.candidate_number).where(
                ExamRegistration.year == year, ExamRegistration.person_id.in_(persons)
            )
        ).all()
    )
    scores = {
        (rc.round_id, rc.person_id): rc.score_h
        for rc in session.scalars(
            select(RoundCandidate).where(
                RoundCandidate.round_id.in_({c.round_id for c, _, _ in confirmations}),
                RoundCandidate.person_id.in_(persons),
            )
        )
    }
    records = {
        a.person_id: (a, learner)
        for a, learner in session.execute(
            select(LearnerAdmission, Learner)
            .join(
                Learner,
                (Learner.institution_id == LearnerAdmission.institution_id)
                & (Learner.id == LearnerAdmission.learner_id),
            )
            .where(LearnerAdmission.year == year, LearnerAdmission.institution_id == institution_id)
        ).all()
    }
    offers = dict(
        session.execute(
            select(AdmissionOffer.id, AdmissionOffer.code).where(
                AdmissionOffer.year == year, AdmissionOffer.institution_id == institution_id
            )
        ).all()
    )
    programs = {p.offer_id: p.program_code for p in program_intake(session, year, institution_id)}
    out = []
    for c, number, kind in confirmations:
        admission, learner = records.get(c.person_id, (None, None))
        out.append(
            IntakeLearner(
                c.person_id,
                names.get(c.person_id, ""),
                numbers.get(c.person_id, ""),
                offers.get(c.offer_id, ""),
                programs.get(c.offer_id, ""),
                number,
                kind,
                admission.method if admission is not None else (c.bucket or None),
                scores.get((c.round_id, c.person_id)),
                c.confirmed_at,
                learner.student_code if learner is not None else None,
                learner.status if learner is not None else None,
            )
        )
    out.sort(key=lambda r: (r.offer_code, name_sort_key(r.full_name), r.person_id))
    return out
