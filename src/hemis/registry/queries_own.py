"""A person's own registry records, across every institution: enrolments with their status
history, term results and award. Read in a national read-only scope, always filtered by the
person the account is linked to (never by anything in the request)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from hemis.registry.models import (
    Award,
    Institution,
    Learner,
    LearnerStatusEvent,
    Person,
    Program,
    TermResult,
)


@dataclass
class Enrolment:
    learner: Learner
    institution_name: str
    institution_code: str
    program_name: str
    program_level: str
    events: list[LearnerStatusEvent] = field(default_factory=list)
    results: list[TermResult] = field(default_factory=list)
    award: Award | None = None


@dataclass
class OwnRecords:
    person: Person | None
    enrolments: list[Enrolment]


def own_records(session: Session, person_id: int) -> OwnRecords:
    person = session.scalars(
        select(Person).where(Person.id == person_id).execution_options(person_lookup=True)
    ).one_or_none()
    learners = list(
        session.scalars(
            select(Learner)
            .where(Learner.person_id == person_id)
            .order_by(Learner.admitted_on, Learner.institution_id, Learner.id)
        )
    )
    if not learners:
        return OwnRecords(person, [])
    keys = [(row.institution_id, row.id) for row in learners]
    institutions = {
        i.id: i
        for i in session.scalars(
            select(Institution).where(Institution.id.in_({k[0] for k in keys}))
        )
    }
    programs = {
        (p.institution_id, p.id): p
        for p in session.scalars(
            select(Program).where(
                tuple_(Program.institution_id, Program.id).in_(
                    [(row.institution_id, row.program_id) for row in learners]
                )
            )
        )
    }
    out: dict[tuple[int, int], Enrolment] = {}
    for row in learners:
        inst = institutions.get(row.institution_id)
        program = programs.get((row.institution_id, row.program_id))
        out[(row.institution_id, row.id)] = Enrolment(
            row,
            inst.name_vi if inst else "",
            inst.moet_code if inst else "",
            program.name_vi if program else "",
            program.level if program else "",
        )
    for event in session.scalars(
        select(LearnerStatusEvent)
        .where(tuple_(LearnerStatusEvent.institution_id, LearnerStatusEvent.learner_id).in_(keys))
        .order_by(LearnerStatusEvent.effective_on, LearnerStatusEvent.id)
    ):
        out[(event.institution_id, event.learner_id)].events.append(event)
    for result in session.scalars(
        select(TermResult)
        .where(tuple_(TermResult.institution_id, TermResult.learner_id).in_(keys))
        .order_by(TermResult.academic_year, TermResult.term)
    ):
        out[(result.institution_id, result.learner_id)].results.append(result)
    for award in session.scalars(
        select(Award).where(tuple_(Award.institution_id, Award.learner_id).in_(keys))
    ):
        out[(award.institution_id, award.learner_id)].award = award
    return OwnRecords(person, list(out.values()))
