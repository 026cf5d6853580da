"""Someone who signs up during the demo's registration phase and registers in the portal walks
the rest of the year themselves: the demo's exam gives them results (a good student's), but the
demo never chooses their wishes, pays their invoice or confirms their admission for them — and
since they never paid, the round leaves their wishes out and tells them why (the year's rule:
unpaid wishes are not considered)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.admissions import access, rounds, service_wishes
from hemis.admissions.models import (
    AdmissionOffer,
    EnrolmentConfirmation,
    ExamRegistration,
    ResultScore,
    RoundCandidate,
    Wish,
)
from hemis.admissions.schemas import RegistrationFields, WishCreate
from hemis.admissions.service import save_registration
from hemis.admissions.snapshot import FLAG_UNPAID
from hemis.demo import service
from hemis.demo.context import DemoContext
from hemis.demo.rules import DEMO_YEAR, Phase
from hemis.payments.models import Invoice, PaymentIntent
from hemis.payments.rules import IntentStatus
from tests import factories
from tests.admissions import world
from tests.demo.conftest import CANDIDATE_LOGIN, CANDIDATES

NATIONAL_ID = "001308000777"
LOGIN = "hoang.minh.chau"


def _invoice_paid(demo: DemoContext, person_id: int) -> bool | None:
    with demo.session() as s:
        invoice = s.scalar(
            select(Invoice).where(Invoice.year == DEMO_YEAR, Invoice.person_id == person_id)
        )
        if invoice is None:
            return None
        paid = select(PaymentIntent.id).where(
            PaymentIntent.invoice_id == invoice.id,
            PaymentIntent.status == IntentStatus.paid.value,
        )
        return s.scalar(paid) is not None


def test_a_candidate_who_registered_in_the_portal_walks_the_year_themselves(
    demo: DemoContext,
) -> None:
    service.build_year(demo, CANDIDATES, CANDIDATE_LOGIN, Phase.registration)
    with demo.session() as s:
        person = factories.person(
            s, demo.cipher, NATIONAL_ID, "Hoàng Minh Châu", "female", dt.date(2008, 6, 14)
        )
        s.commit()
        person_id = person.id
    world.account(demo.sessions, LOGIN, person_id)
    with demo.session() as s:
        user_id = s.scalars(select(User.id).where(User.username == LOGIN)).one()
    own = demo.sessions()
    access.bind_candidate(own, Principal(user_id, LOGIN, LOGIN, Role.candidate, None))
    fields = RegistrationFields.model_validate(
        {
            "school_code": "01012",
            "school_name": "THPT Chu Văn An",
            "area": "KV2",
            "graduation_year": DEMO_YEAR,
            "electives": ["physics", "foreign_language"],
            "foreign_language": "N1",
            "exam_site": "01",
        }
    )
    save_registration(own, DEMO_YEAR, person_id, fields)
    own.close()

    service.move_to(demo, Phase.wishes)
    with demo.session() as s:
        scores = {
            r.subject: r.score_h
            for r in s.scalars(
                select(ResultScore).where(
                    ResultScore.person_id == person_id, ResultScore.method == "exam"
                )
            )
        }
        assert set(scores) == {"math", "literature", "physics", "english"}
        # a good student's exam: Math, Physics and English well above the floors (15–24)
        assert scores["math"] + scores["physics"] + scores["english"] >= 2_200
        assert s.scalar(select(Wish.id).where(Wish.person_id == person_id)) is None
        offers = list(
            s.scalars(
                select(AdmissionOffer)
                .where(AdmissionOffer.year == DEMO_YEAR, AdmissionOffer.floor_h <= 1800)
                .order_by(AdmissionOffer.floor_h, AdmissionOffer.id)
            )
        )
        fitting = [o for o in offers if {"A00", "A01"} & set(o.combinations)][:2]
        assert len(fitting) == 2
        for offer in fitting:  # the ministry's session stands in for the candidate's pages
            service_wishes.add_wish(
                s,
                s,
                DEMO_YEAR,
                person_id,
                WishCreate(institution_id=offer.institution_id, offer_id=offer.id),
            )

    service.move_to(demo, Phase.rounds)
    assert _invoice_paid(demo, person_id) is False  # invoiced, theirs to pay
    service.move_to(demo, Phase.confirmation)
    assert _invoice_paid(demo, person_id) is False  # the demo paid everyone else's
    with demo.session() as s:
        final = rounds.final_round(s, DEMO_YEAR)
        assert final is not None
        held = s.get(RoundCandidate, (final.id, person_id))
        assert held is not None
        assert held.offer_id is None  # unpaid: their wishes did not enter the round
        assert [w[3] for w in held.wishes] == [FLAG_UNPAID, FLAG_UNPAID]

    service.move_to(demo, Phase.enrolled)
    with demo.session() as s:
        assert (
            s.scalar(
                select(EnrolmentConfirmation.id).where(EnrolmentConfirmation.person_id == person_id)
            )
            is None
        )
        numbers = list(
            s.scalars(
                select(ExamRegistration.candidate_number).where(ExamRegistration.year == DEMO_YEAR)
            )
        )
        assert len(numbers) == len(set(numbers)) == CANDIDATES + 2
