"""A learner's digital competency profile: per competency of the framework, the latest assessed
level with its history (every sitting that assessed it, newest first), the level the learner's
program targets, and whether the latest level reaches it.

Read through the caller's session (an officer's institution scope, the ministry's national
scope, or a learner's own read-only scope filtered by the learner ids of their person): an
enrolment outside the scope is not found. Self-assessments are not part of a profile; the
learner's page shows them beside it, marked as such (selfcheck.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.competency.framework import NO_LEVEL, CompetencyDef, Framework, framework
from hemis.competency.models import CompetencyAssessment, ProgramCompetencyTarget
from hemis.errors import NotFound
from hemis.registry.models import Institution, Learner, Program


@dataclass(frozen=True)
class Assessed:
    level: int
    level_code: str
    assessed_on: dt.date
    method: str
    evidence_ref: str
    framework_version: str


@dataclass
class CompetencyState:
    competency: CompetencyDef
    target: int | None
    history: list[Assessed] = field(default_factory=list)  # newest first

    @property
    def latest(self) -> Assessed | None:
        return self.history[0] if self.history else None

    @property
    def met(self) -> bool | None:
        """Whether the latest level reaches the target (None: no target, or not assessed)."""
        if self.target is None or self.latest is None:
            return None
        return self.latest.level >= self.target

    @property
    def gap(self) -> int | None:
        if self.target is None or self.latest is None:
            return None
        return max(self.target - self.latest.level, 0)


@dataclass
class Profile:
    learner_id: int
    institution_id: int
    institution_name: str
    institution_code: str
    student_code: str
    program_code: str
    program_name: str
    admitted_on: dt.date
    status: str
    person_id: int
    framework: Framework
    items: list[CompetencyState]

    @property
    def assessed(self) -> list[CompetencyState]:
        return [s for s in self.items if s.latest is not None]

    @property
    def targeted(self) -> list[CompetencyState]:
        return [s for s in self.items if s.target is not None]

    @property
    def met_count(self) -> int:
        return sum(1 for s in self.items if s.met)

    @property
    def last_assessed_on(self) -> dt.date | None:
        dates = [s.latest.assessed_on for s in self.items if s.latest is not None]
        return max(dates) if dates else None


def decode(levels: str, version: str) -> dict[str, int]:
    """competency code → level of a stored sitting (positions not assessed left out)."""
    fw = framework(version)
    return {
        c.code: int(levels[c.position - 1])
        for c in fw.competencies
        if c.position <= len(levels) and levels[c.position - 1] != NO_LEVEL
    }


def get_learner(session: Session, institution_id: int, learner_id: int) -> Learner:
    row = session.scalar(
        select(Learner).where(Learner.institution_id == institution_id, Learner.id == learner_id)
    )
    if row is None:
        raise NotFound("người học / learner", learner_id)
    return row


def learner_profile(session: Session, institution_id: int, learner_id: int) -> Profile:
    learner = get_learner(session, institution_id, learner_id)
    program = session.scalar(
        select(Program).where(
            Program.institution_id == institution_id, Program.id == learner.program_id
        )
    )
    inst = session.scalar(select(Institution).where(Institution.id == institution_id))
    fw = framework()
    targets = dict(
        session.execute(
            select(ProgramCompetencyTarget.competency_code, ProgramCompetencyTarget.level).where(
                ProgramCompetencyTarget.institution_id == institution_id,
                ProgramCompetencyTarget.program_id == learner.program_id,
            )
        ).all()
    )
    items = {
        c.code: CompetencyState(c, int(targets[c.code]) if c.code in targets else None)
        for c in fw.competencies
    }
    a = CompetencyAssessment
    sittings = session.execute(
        select(a.assessed_on, a.method, a.evidence_ref, a.framework_version, a.levels)
        .where(a.institution_id == institution_id, a.learner_id == learner_id)
        .order_by(a.assessed_on.desc(), a.id.desc())
    ).all()
    for on, method, evidence, version, levels in sittings:
        for code, level in decode(levels, version).items():
            if code in items:
                items[code].history.append(
                    Assessed(
                        level, framework(version).level(level).code, on, method, evidence, version
                    )
                )
    return Profile(
        learner.id,
        institution_id,
        inst.name_vi if inst else "",
        inst.moet_code if inst else "",
        learner.student_code,
        program.code if program else "",
        program.name_vi if program else "",
        learner.admitted_on,
        learner.status,
        learner.person_id,
        fw,
        list(items.values()),
    )


def find_enrolment(session: Session, learner_id: int) -> tuple[int, int] | None:
    """(institution id, learner id) of a learner id the caller's scope can see, else None."""
    row = session.execute(
        select(Learner.institution_id, Learner.id).where(Learner.id == learner_id)
    ).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def profile_of(session: Session, learner_id: int) -> Profile:
    found = find_enrolment(session, learner_id)
    if found is None:
        raise NotFound("người học / learner", learner_id)
    return learner_profile(session, *found)
