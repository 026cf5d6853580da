"""An institution's learners with what HEMIS holds of their assessed levels, a page at a time
(read through the caller's scoped session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.competency.models import CompetencyAssessment
from hemis.registry.models import Learner, Program

PAGE = 50


@dataclass(frozen=True)
class LearnerRow:
    learner_id: int
    student_code: str
    program_code: str
    status: str
    sittings: int
    last_assessed_on: dt.date | None


def learners_page(
    session: Session, institution_id: int, prefix: str = "", page: int = 1
) -> tuple[list[LearnerRow], int]:
    """A page of the institution's learners (by student code, optionally starting with
    `prefix`), and how many learners match."""
    where = [Learner.institution_id == institution_id]
    if prefix:
        where.append(Learner.student_code.startswith(prefix, autoescape=True))
    total = int(session.scalar(select(func.count()).select_from(Learner).where(*where)) or 0)
    rows = session.execute(
        select(Learner.id, Learner.student_code, Program.code, Learner.status)
        .join(
            Program,
            (Program.institution_id == Learner.institution_id) & (Program.id == Learner.program_id),
        )
        .where(*where)
        .order_by(Learner.student_code)
        .offset((max(page, 1) - 1) * PAGE)
        .limit(PAGE)
    ).all()
    ids = [int(r[0]) for r in rows]
    a = CompetencyAssessment
    held = {
        int(lid): (int(n), last)
        for lid, n, last in session.execute(
            select(a.learner_id, func.count(), func.max(a.assessed_on))
            .where(a.institution_id == institution_id, a.learner_id.in_(ids))
            .group_by(a.learner_id)
        )
    }
    out = [
        LearnerRow(int(i), code, program, status, *held.get(int(i), (0, None)))
        for i, code, program, status in rows
    ]
    return out, total
