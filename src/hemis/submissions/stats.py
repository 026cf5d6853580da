"""Learner counts per program frozen at sign-off: what tier f of the next period compares with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from hemis.registry.models import Learner, Program, ReportingPeriod
from hemis.submissions.models import Submission
from hemis.submissions.rules_continuity import ACTIVE, EXITS


def previous_accepted(session: Session, sub: Submission) -> tuple[Submission, dt.date] | None:
    """The institution's last accepted submission of an earlier period, with its cut-off."""
    year = session.scalar(select(ReportingPeriod.year).where(ReportingPeriod.id == sub.period_id))
    row = session.execute(
        select(Submission, ReportingPeriod.cutoff_on)
        .join(ReportingPeriod, ReportingPeriod.id == Submission.period_id)
        .where(Submission.status == "accepted", ReportingPeriod.year < year)
        .order_by(ReportingPeriod.year.desc(), Submission.version.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def learner_stats(session: Session, sub: Submission) -> dict[str, Any]:
    """Per program code: level, active (enrolled or suspended), intake and exits since the
    previous accepted cut-off, and opening (that submission's active count) when there is one."""
    before = previous_accepted(session, sub)
    since = before[1] if before else dt.date(1900, 1, 1)
    openings = (
        (((before[0].stats or {}).get("learners") or {}).get("programs") or {}) if before else {}
    )
    rows = session.execute(
        select(
            Program.code,
            Program.level,
            _count(Learner.status.in_(ACTIVE)),
            _count(Learner.admitted_on > since),
            _count(and_(Learner.status.in_(EXITS), Learner.status_date > since)),
        )
        .join(
            Learner,
            (Learner.institution_id == Program.institution_id) & (Learner.program_id == Program.id),
            isouter=True,
        )
        .group_by(Program.code, Program.level)
        .order_by(Program.code)
    ).all()
    programs = {}
    for code, level, active, intake, exits in rows:
        opening = openings.get(code, {}).get("active") if before else None
        programs[code] = {
            "level": level,
            "active": int(active),
            "intake": int(intake),
            "exits": int(exits),
            "opening": opening,
        }
    return {"since": since.isoformat() if before else None, "programs": programs}
