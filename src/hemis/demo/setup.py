"""Setting up the demo year through the services: the open reporting period, the admission year
with its calendar, fee schedule and payment windows, the offers of every institution, and the
exam registrations — the demo candidate's through the registration service, linked to the demo
candidate login by the service the ministry's API uses, the cohort's set-based (load.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions import service as admissions
from hemis.admissions import service_offers
from hemis.admissions.schemas import (
    AdmissionYearCreate,
    AdmissionYearUpdate,
    OfferCreate,
    RegistrationCreate,
)
from hemis.demo.cohort import Applicant, plan_applicants
from hemis.demo.context import DemoContext
from hemis.demo.load import register_cohort
from hemis.demo.offers import ProgramRow, plan_offers
from hemis.demo.rules import (
    DEMO_CANDIDATE,
    DEMO_YEAR,
    PROVINCE_GROUPS,
    REPORTING_YEAR,
    WISH_FEE,
    Layout,
    Phase,
    layout,
    reporting_window,
)
from hemis.payments import service as payments
from hemis.registry.codes import Level, ProgramStatus, StudyMode
from hemis.registry.models import Program, ReportingPeriod
from hemis.registry.schemas import ReportingPeriodCreate, ReportingPeriodUpdate
from hemis.registry.service import create_reporting_period, update_reporting_period


def open_reporting_period(ctx: DemoContext, today: dt.date) -> ReportingPeriod:
    """The reporting period of the demo nation's year, open today (created or moved)."""
    window = reporting_window(today)
    with ctx.session() as s:
        found = s.scalar(select(ReportingPeriod).where(ReportingPeriod.year == REPORTING_YEAR))
        if found is None:
            return create_reporting_period(
                s,
                ReportingPeriodCreate(
                    year=REPORTING_YEAR,
                    name=f"Kỳ báo cáo {REPORTING_YEAR}",
                    cutoff_on=dt.date(REPORTING_YEAR, 12, 31),
                    finance_cutoff_on=dt.date(REPORTING_YEAR + 1, 3, 31),
                    opens_on=window.opens_on,
                    closes_on=window.closes_on,
                ),
            )
        if (found.opens_on, found.closes_on) == (window.opens_on, window.closes_on):
            return found
        return update_reporting_period(
            s,
            found.id,
            ReportingPeriodUpdate(opens_on=window.opens_on, closes_on=window.closes_on),
        )


def lay_out(s: Session, calendar: Layout) -> None:
    """Put the admission year's windows and every province group's payment window on the
    calendar (audited writes through the services), and commit."""
    payments_open = (calendar.payment_opens_at, calendar.payment_closes_at)
    for group in range(1, PROVINCE_GROUPS + 1):
        payments.set_window(s, DEMO_YEAR, group, *payments_open)
    admissions.update_year(s, DEMO_YEAR, AdmissionYearUpdate(**calendar.year_values()))


def create_year(ctx: DemoContext, candidates: int, username: str | None, now: dt.datetime) -> None:
    """The admission year at its registration phase: calendar, fees, payment windows, offers and
    the cohort's registrations."""
    calendar = layout(Phase.registration, now)
    with ctx.session() as s:
        admissions.create_year(s, AdmissionYearCreate(year=DEMO_YEAR, **calendar.year_values()))
        payments.set_fees(s, DEMO_YEAR, WISH_FEE)
        lay_out(s, calendar)
        _create_offers(s, ctx.seed, candidates)
        # the demo candidate first (candidate number 01000001), through the services
        _register(s, ctx, _demo_applicant(), username)
        register_cohort(s, ctx.cipher, DEMO_YEAR, plan_applicants(ctx.seed, candidates))


def _create_offers(s: Session, seed: int, candidates: int) -> None:
    programs = [
        ProgramRow(row.institution_id, row.id, row.code, row.discipline_code)
        for row in s.scalars(
            select(Program)
            .where(
                Program.level == Level.bachelor.value,
                Program.status == ProgramStatus.open.value,
                Program.mode == StudyMode.full_time.value,
            )
            .order_by(Program.institution_id, Program.code)
        )
    ]
    for plan in plan_offers(seed, programs, candidates):
        service_offers.create_offer(
            s,
            OfferCreate.model_validate(
                {
                    "institution_id": plan.institution_id,
                    "year": DEMO_YEAR,
                    "program_id": plan.program_id,
                    "code": plan.code,
                    "quota": plan.quota,
                    "methods": list(plan.methods),
                    "method_quotas": plan.method_quotas,
                    "combinations": {k: Decimal(v) for k, v in plan.combinations.items()},
                    "floor": Decimal(plan.floor),
                    "tiebreaks": list(plan.tiebreaks),
                    "weights": dict(plan.weights),
                }
            ),
        )


def _demo_applicant() -> Applicant:
    c = DEMO_CANDIDATE
    return Applicant(
        national_id=c.national_id,
        full_name=c.full_name,
        date_of_birth=c.date_of_birth,
        sex=c.sex,
        school_code=c.school_code,
        school_name=c.school_name,
        area=c.area,
        category=None,
        graduation_year=DEMO_YEAR,
        electives=c.electives,
        foreign_language=c.foreign_language,
        technology_track=None,
        exam_site=c.exam_site,
    )


def _register(s: Session, ctx: DemoContext, who: Applicant, username: str | None) -> None:
    """The ministry registers the candidate (found or added by national ID); with a username,
    the candidate account is linked to the person — the service the ministry's API uses."""
    admissions.register_candidate(
        s,
        ctx.cipher,
        RegistrationCreate.model_validate(
            {
                "year": DEMO_YEAR,
                "national_id": who.national_id,
                "full_name": who.full_name,
                "date_of_birth": who.date_of_birth,
                "sex": who.sex,
                "school_code": who.school_code,
                "school_name": who.school_name,
                "area": who.area,
                "category": who.category,
                "graduation_year": who.graduation_year,
                "electives": list(who.electives),
                "foreign_language": who.foreign_language,
                "technology_track": who.technology_track,
                "exam_site": who.exam_site,
                "username": username,
            }
        ),
    )
