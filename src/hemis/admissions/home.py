"""What a candidate's home page shows: their name, how their account was established, their
exam registration and the next step of the admission year with its deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hemis.accounts.models import User
from hemis.accounts.service import Principal
from hemis.admissions import access, queries, queries_published, service
from hemis.admissions.models import ExamRegistration
from hemis.admissions.next_step import Calendar, Situation, Step, next_step
from hemis.admissions.queries import current_year
from hemis.db.session import HemisSession, scoped_session
from hemis.db.types import utcnow
from hemis.registry.models import Person


def _payment_due(
    session: Session, year: int, person_id: int
) -> tuple[dt.datetime, dt.datetime] | None:
    """The payment window of the candidate's unpaid invoice, if there is one."""
    from hemis.payments import service as payments

    invoice = payments.find_invoice(session, year, person_id)
    if invoice is None or payments.is_paid(session, invoice.id):
        return None
    window = payments.window_for(session, invoice)
    return None if window is None else (window.opens_at, window.closes_at)


@dataclass(frozen=True)
class Overview:
    linked: bool
    full_name: str
    assurance_level: int | None
    school_code: str | None
    year: int | None
    registration: ExamRegistration | None
    step: Step | None
    now: dt.datetime


def candidate_overview(sessions: sessionmaker[HemisSession], principal: Principal) -> Overview:
    now = utcnow()
    with (
        scoped_session(sessions, access.own_scope(principal)) as own,
        scoped_session(sessions, access.catalogue_scope(principal)) as catalogue,
    ):
        user = own.scalars(select(User).where(User.id == principal.user_id)).one()
        if user.person_id is None:
            return Overview(
                False, principal.display_name, user.assurance_level, None, None, None, None, now
            )
        person_id = access.bind_candidate(own, principal)
        person = own.scalars(
            select(Person).where(Person.id == person_id).execution_options(person_lookup=True)
        ).one_or_none()
        name = person.full_name if person else principal.display_name
        year = current_year(own)
        registration = None
        situation = Situation(None, access.may_register(own, user.id), False, 0, False, False)
        if year is not None:
            row = service.get_year(own, year)
            registration = service.find_registration(own, year, person_id)
            results = queries_published.published_results(own, year, person_id)
            situation = Situation(
                Calendar(
                    row.registration_opens_at,
                    row.registration_closes_at,
                    row.wishes_open_at,
                    row.wishes_close_at,
                    row.confirm_deadline_at,
                ),
                situation.may_register,
                registration is not None,
                len(queries.my_wishes(own, catalogue, year, person_id)),
                bool(results and results[0].admitted),
                queries.my_confirmation(own, year, person_id) is not None,
                _payment_due(own, year, person_id),
            )
        return Overview(
            True,
            name,
            user.assurance_level,
            user.school_code,
            year,
            registration,
            next_step(situation, now),
            now,
        )
