"""The demo year built through the services on SQLite and PostgreSQL, moved through its phases
forward and back: at every phase its windows stand open or closed around now and its records
are those of that phase — and the demo candidate's with them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.accounts.models import User
from hemis.admissions.codes import Method, RoundStatus
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    AdmissionYear,
    BonusTable,
    CandidateAchievement,
    ConversionTable,
    DirectAdmission,
    EnrolmentConfirmation,
    ExamRegistration,
    LearnerAdmission,
    ResultScore,
    RoundCandidate,
    Wish,
)
from hemis.audit.chain import verify
from hemis.audit.models import AuditEntry
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.demo import service
from hemis.demo.context import DemoContext
from hemis.demo.rules import DEMO_CANDIDATE, DEMO_YEAR, REPORTING_YEAR, Phase
from hemis.errors import Conflict, Forbidden
from hemis.payments.models import Invoice, PaymentIntent, PaymentWindow
from hemis.payments.rules import IntentStatus
from hemis.registry.models import Program, ReportingPeriod
from hemis.registry.service_people import find_person_by_national_id
from tests.demo.conftest import CANDIDATE_LOGIN, CANDIDATES


@dataclass(frozen=True)
class Seen:
    """What the database holds for the demo year."""

    registrations: int
    with_results: int
    wishes: int
    tables: int
    invoices: int
    paid: int
    rounds: list[tuple[str, bool]]
    admitted: int
    confirmed: int
    demo_results: int
    demo_wishes: int
    demo_invoice_paid: bool | None
    demo_admitted: bool
    demo_confirmed: bool
    intake_learners: int  # learners the intake wrote or recognised for the demo year
    bonus_tables: int = 0
    achievements: int = 0
    direct_accepted: int = 0
    admitted_directly: int = 0  # in the final round, outside the matching


def count(s: Session, model: type[object], *where: object) -> int:
    return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def seen(s: Session, demo: DemoContext) -> Seen:
    person = find_person_by_national_id(s, demo.cipher, DEMO_CANDIDATE.national_id)
    assert person is not None
    paid = select(PaymentIntent.invoice_id).where(PaymentIntent.status == IntentStatus.paid.value)
    invoice = s.scalar(
        select(Invoice).where(Invoice.year == DEMO_YEAR, Invoice.person_id == person.id)
    )
    final = s.scalar(
        select(AdmissionRound.id).where(
            AdmissionRound.year == DEMO_YEAR,
            AdmissionRound.is_final.is_(True),
            AdmissionRound.status == RoundStatus.published.value,
        )
    )
    held = s.get(RoundCandidate, (final, person.id)) if final else None
    return Seen(
        registrations=count(s, ExamRegistration, ExamRegistration.year == DEMO_YEAR),
        with_results=int(
            s.scalar(
                select(func.count(func.distinct(ResultScore.person_id))).where(
                    ResultScore.year == DEMO_YEAR, ResultScore.method == Method.exam.value
                )
            )
            or 0
        ),
        wishes=count(s, Wish, Wish.year == DEMO_YEAR),
        tables=count(s, ConversionTable, ConversionTable.year == DEMO_YEAR),
        invoices=count(s, Invoice, Invoice.year == DEMO_YEAR),
        paid=count(s, Invoice, Invoice.year == DEMO_YEAR, Invoice.id.in_(paid)),
        rounds=[
            (r.status, r.is_final)
            for r in s.scalars(select(AdmissionRound).where(AdmissionRound.year == DEMO_YEAR))
        ],
        admitted=count(
            s,
            RoundCandidate,
            RoundCandidate.round_id == final,
            RoundCandidate.offer_id.is_not(None),
        ),
        confirmed=count(s, EnrolmentConfirmation, EnrolmentConfirmation.year == DEMO_YEAR),
        demo_results=count(s, ResultScore, ResultScore.person_id == person.id),
        demo_wishes=count(s, Wish, Wish.person_id == person.id),
        demo_invoice_paid=None if invoice is None else invoice.id in set(s.scalars(paid)),
        demo_admitted=held is not None and held.offer_id is not None,
        demo_confirmed=count(s, EnrolmentConfirmation, EnrolmentConfirmation.person_id == person.id)
        == 1,
        bonus_tables=count(s, BonusTable, BonusTable.year == DEMO_YEAR),
        achievements=count(s, CandidateAchievement, CandidateAchievement.year == DEMO_YEAR),
        direct_accepted=count(
            s,
            DirectAdmission,
            DirectAdmission.year == DEMO_YEAR,
            DirectAdmission.status == "accepted",
        ),
        admitted_directly=count(
            s, RoundCandidate, RoundCandidate.round_id == final, RoundCandidate.path == "direct"
        ),
        intake_learners=count(s, LearnerAdmission, LearnerAdmission.year == DEMO_YEAR),
    )


def check_phase(demo: DemoContext, phase: Phase) -> Seen:
    """The invariants of `phase`; returns what was seen."""
    now = utcnow()
    with demo.session() as s:
        year = s.get(AdmissionYear, DEMO_YEAR)
        assert year is not None
        windows = list(s.scalars(select(PaymentWindow).where(PaymentWindow.year == DEMO_YEAR)))
        got = seen(s, demo)
        assert service.current_phase(s) is phase
        period = s.scalar(select(ReportingPeriod).where(ReportingPeriod.year == REPORTING_YEAR))
    assert period is not None
    assert period.opens_on <= dt.date.today() <= period.closes_on
    assert len(windows) == 7
    registration_open = year.registration_opens_at <= now < year.registration_closes_at
    wishes_open = year.wishes_open_at <= now < year.wishes_close_at
    paying = all(w.opens_at <= now < w.closes_at for w in windows)
    assert year.confirm_deadline_at is not None
    before_deadline = now < year.confirm_deadline_at
    assert got.registrations == CANDIDATES + 1  # the cohort and the demo candidate
    expected = {
        Phase.registration: (True, False, False, True),
        Phase.wishes: (False, True, False, True),
        Phase.rounds: (False, False, True, True),
        Phase.confirmation: (False, False, False, True),
        Phase.enrolled: (False, False, False, False),
    }[phase]
    assert (registration_open, wishes_open, paying, before_deadline) == expected
    if phase is Phase.registration:
        assert (got.with_results, got.wishes, got.tables, got.demo_results) == (0, 0, 0, 0)
    else:
        assert got.with_results == got.registrations  # everyone sat the exam
        assert got.wishes > CANDIDATES
        assert got.tables > 0
        assert got.demo_results == len(DEMO_CANDIDATE.exam_h) + 1  # and the HSA test
        assert got.demo_wishes == 3
        # bonus tables, certificates and awards, direct admissions accepted (demo/paths.py)
        assert got.bonus_tables > 0
        assert got.achievements > 1
        assert got.direct_accepted >= 1
    if phase in (Phase.registration, Phase.wishes):
        assert (got.invoices, got.paid, got.demo_invoice_paid) == (0, 0, None)
    else:
        assert got.invoices > CANDIDATES // 2
        # most have paid while the window is open; nearly all once it has closed
        assert got.paid >= (0.6 if phase is Phase.rounds else 0.9) * (got.invoices - 1)
        # the candidate pays at the rounds phase themselves; later the demo has paid it
        assert got.demo_invoice_paid is (phase is not Phase.rounds)
    if phase in (Phase.confirmation, Phase.enrolled):
        assert got.rounds == [(RoundStatus.published.value, True)]
        assert got.demo_admitted
        assert got.admitted > 10
        assert got.admitted_directly == got.direct_accepted  # seats out of the quota
    else:
        assert got.rounds == []
        assert got.admitted == 0
    if phase is not Phase.enrolled:
        assert got.intake_learners == 0
    if phase is Phase.enrolled:
        assert got.demo_confirmed
        assert got.confirmed >= 0.75 * got.admitted
        # the intake: every confirmed candidate is now a learner of the admitting institution
        assert got.intake_learners == got.confirmed
    else:
        assert got.confirmed == 0
    return got


def test_the_demo_year_lives_through_its_phases_forward_and_back(
    demo: DemoContext, institutions: list[int]
) -> None:
    assert service.build_year(demo, CANDIDATES, CANDIDATE_LOGIN, Phase.registration) is (
        Phase.registration
    )
    check_phase(demo, Phase.registration)
    with demo.session() as s:
        person = find_person_by_national_id(s, demo.cipher, DEMO_CANDIDATE.national_id)
        user = s.scalars(select(User).where(User.username == CANDIDATE_LOGIN)).one()
        assert person is not None
        assert user.person_id == person.id
        offers = list(s.scalars(select(AdmissionOffer).where(AdmissionOffer.year == DEMO_YEAR)))
        programs = {
            p.id: p
            for p in s.scalars(
                select(Program).where(Program.id.in_([o.program_id for o in offers]))
            )
        }
    # offers at every institution, bachelor programs only, each with its rules
    assert {o.institution_id for o in offers} == set(institutions)
    assert all(programs[o.program_id].level == "bachelor" for o in offers)
    assert all(o.quota > 0 and o.combinations and Method.exam.value in o.methods for o in offers)
    # floors on the offer's scale: 15–24 of 30, or up to 32 of 40 where Mathematics counts twice
    assert all(1500 <= o.floor_h <= (3200 if o.weights else 2400) for o in offers)
    assert any(len(o.methods) > 1 for o in offers)
    assert any(o.method_quotas for o in offers) or all(o.quota < 10 for o in offers)
    assert any(o.tiebreaks for o in offers)
    assert any(v < 0 for o in offers for v in o.combinations.values())

    walk = [Phase.wishes, Phase.rounds, Phase.wishes, Phase.registration, Phase.rounds]
    for phase in walk:
        assert service.move_to(demo, phase) is phase
        check_phase(demo, phase)
    before = check_phase(demo, Phase.rounds)
    service.move_to(demo, Phase.confirmation)
    check_phase(demo, Phase.confirmation)
    # a snapshotted round cannot be taken back: going back is refused and changes nothing
    with pytest.raises(Conflict) as refused:
        service.move_to(demo, Phase.wishes)
    assert refused.value.code == "demo.rounds_immutable"
    after = check_phase(demo, Phase.confirmation)
    assert after.wishes == before.wishes
    assert after.invoices == before.invoices
    service.move_to(demo, Phase.enrolled)
    check_phase(demo, Phase.enrolled)
    service.move_to(demo, Phase.enrolled)  # staying put changes nothing
    check_phase(demo, Phase.enrolled)
    with demo.session() as s:
        moves = list(
            s.scalars(
                select(AuditEntry.after)
                .where(AuditEntry.entity == "demo_calendar")
                .order_by(AuditEntry.seq)
            )
        )
        assert [m["phase"] for m in moves] == [
            "registration",
            *(p.value for p in walk),
            "confirmation",
            "enrolled",
        ]
        assert verify(s.connection()).ok  # every write, bulk ones included, is on the chain


def test_only_a_writing_ministry_account_moves_the_demo_year(demo: DemoContext) -> None:
    service.build_year(demo, 60, None, Phase.registration)
    reader = DemoContext(
        demo.settings,
        demo.engine,
        demo.sessions,
        demo.cipher,
        Scope("user:1", None, False, "ministry_analyst"),
    )
    with pytest.raises(Forbidden):
        service.move_to(reader, Phase.wishes)
    officer = DemoContext(
        demo.settings,
        demo.engine,
        demo.sessions,
        demo.cipher,
        Scope("user:2", 1, True, "institution_officer"),
    )
    with pytest.raises(Forbidden):
        service.move_to(officer, Phase.wishes)
    with demo.session() as s:
        assert service.current_phase(s) is Phase.registration
        assert count(s, ResultScore, ResultScore.year == DEMO_YEAR) == 0
    with pytest.raises(Conflict):  # a second demo year is refused
        service.build_year(demo, 60, None, Phase.registration)
