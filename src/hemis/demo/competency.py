"""The demo nation's digital competency: every program's targets, learners' assessed levels,
the demo learner's account and the year's competency indicators.

Written set-based once the nation is loaded (as the nation itself is: nothing per row through
the services, which would hold the demo's start for minutes), one audit entry per table with a
count and a digest. Seeded: one seed always gives the same rows. Plans are pure (plan_targets,
plan_sittings); `build` reads the nation, writes the plans and computes the indicators.

What the plans draw, so that the pages have something to show: about one program in ten
declares no target (the coverage view's gaps); the rest target most competencies at the level
of their training (college TC1, bachelor NC1, master and doctorate NC2; computing fields one
level more in programming, problem solving and AI, others one less in programming) and fewer of
domain 6 and of 4.4; three learners in four have an exam sitting with levels around their
targets, one in four of those an earlier coursework sitting a level lower.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from hemis.accounts.models import User
from hemis.audit.recorder import record_bulk
from hemis.competency.framework import CURRENT_VERSION, NO_LEVEL, framework
from hemis.competency.indicators import compute_year
from hemis.competency.models import CompetencyAssessment, ProgramCompetencyTarget
from hemis.db.ids import allocate_ids
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.registry.models import Institution, Learner, Program

BASE_LEVEL = {"college": 3, "bachelor": 5, "master": 6, "doctor": 6}
NO_TARGETS_SHARE = 0.1
ASSESSED_SHARE = 0.75
EARLIER_SHARE = 0.25
COMPUTING_FIELD = "48"  # Máy tính và công nghệ thông tin
COMPUTING_PLUS = ("3.4", "5.1", "5.3", "6.1", "6.2", "6.3")
RARELY = {"4.4": 0.4, "6.1": 0.6, "6.2": 0.6, "6.3": 0.5}
OFTEN = 0.85
NOISE = np.array([-2, -1, -1, 0, 0, 0, 1])
SOURCE = "Dữ liệu mô phỏng năng lực số (hemis demo)"


@dataclass(frozen=True)
class Built:
    targets: int
    sittings: int
    learner: str  # the demo learner's name ("" when no login was linked)


def plan_targets(seed: int, programs: pl.DataFrame) -> pl.DataFrame:
    """(institution_id, program_id, competency_code, level) of the programs (institution_id,
    program_id, level, discipline_code)."""
    fw = framework()
    rng = np.random.default_rng([seed, 2025, 1])
    rows: list[tuple[int, int, str, int]] = []
    for institution_id, program_id, level, discipline in programs.iter_rows():
        if rng.random() < NO_TARGETS_SHARE:
            continue
        base = BASE_LEVEL.get(level, 5)
        computing = str(discipline)[1:3] == COMPUTING_FIELD
        for c in fw.competencies:
            if rng.random() >= RARELY.get(c.code, OFTEN):
                continue
            shift = 0
            if c.code in COMPUTING_PLUS and computing:
                shift = 1
            elif c.code == "3.4" and not computing:
                shift = -1
            rows.append((institution_id, program_id, c.code, int(np.clip(base + shift, 1, 8))))
    return pl.DataFrame(
        rows,
        schema={
            "institution_id": pl.Int64,
            "program_id": pl.Int64,
            "competency_code": pl.String,
            "level": pl.Int64,
        },
        orient="row",
    )


def plan_sittings(
    seed: int, learners: pl.DataFrame, targets: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """Sittings (institution_id, learner_id, assessed_on, method, evidence_ref, levels) of the
    learners (institution_id, learner_id, program_id, admitted_on) whose program has targets."""
    fw = framework()
    goals: dict[int, dict[int, int]] = {}
    for _, program_id, code, level in targets.iter_rows():
        goals.setdefault(program_id, {})[fw.competency(code).position] = level
    rng = np.random.default_rng([seed, 2025, 2])
    rows: list[tuple[int, int, dt.date, str, str, str]] = []
    for institution_id, learner_id, program_id, admitted_on in learners.iter_rows():
        goal = goals.get(program_id)
        if not goal or rng.random() >= ASSESSED_SHARE:
            continue
        span = max((as_of - admitted_on).days, 1)
        first = admitted_on + dt.timedelta(days=int(rng.integers(span // 2, span + 1)))
        chars = [NO_LEVEL] * fw.size
        for position, target in goal.items():
            if rng.random() < 0.9:
                chars[position - 1] = str(int(np.clip(target + rng.choice(NOISE), 1, 8)))
        if all(ch == NO_LEVEL for ch in chars):
            continue
        rows.append(
            (institution_id, learner_id, first, "exam", f"KT-{first.year}-{first.month:02d}",
             "".join(chars))
        )  # fmt: skip
        if rng.random() < EARLIER_SHARE and (first - admitted_on).days > 1:
            earlier = admitted_on + dt.timedelta(
                days=int(rng.integers(1, (first - admitted_on).days))
            )
            lower = "".join(ch if ch == NO_LEVEL else str(max(1, int(ch) - 1)) for ch in chars)
            rows.append((institution_id, learner_id, earlier, "coursework", "HP-TH101", lower))
    return pl.DataFrame(
        rows,
        schema={
            "institution_id": pl.Int64,
            "learner_id": pl.Int64,
            "assessed_on": pl.Date,
            "method": pl.String,
            "evidence_ref": pl.String,
            "levels": pl.String,
        },
        orient="row",
    )


def _digest(frame: pl.DataFrame) -> str:
    return hashlib.sha256(frame.write_csv().encode()).hexdigest()


def _write(session: Session, model: type[object], frame: pl.DataFrame) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    first = allocate_ids(session.connection(), table.name, frame.height)
    now = utcnow()
    rows = frame.with_columns(
        (pl.int_range(0, frame.height, dtype=pl.Int64) + first).alias("id"),
        pl.lit(CURRENT_VERSION).alias("framework_version"),
    ).to_dicts()
    for row in rows:
        row["created_at"] = row["updated_at"] = now
    for offset in range(0, len(rows), 5000):
        session.execute(insert(table), rows[offset : offset + 5000])
    record_bulk(session, table.name, len(rows), _digest(frame), source=SOURCE)


def build(sessions: sessionmaker[HemisSession], seed: int, as_of: dt.date) -> Built:
    """Targets, sittings and the year's indicators, unless the nation already has targets."""
    with scoped_session(sessions, Scope.system("demo-competency")) as s:
        if s.scalar(select(func.count()).select_from(ProgramCompetencyTarget)):
            return Built(0, 0, "")
        programs = pl.DataFrame(
            [
                tuple(r)
                for r in s.execute(
                    select(
                        Program.institution_id, Program.id, Program.level, Program.discipline_code
                    ).order_by(Program.institution_id, Program.id)
                )
            ],
            schema=["institution_id", "program_id", "level", "discipline_code"],
            orient="row",
        )
        learners = pl.DataFrame(
            [
                tuple(r)
                for r in s.execute(
                    select(
                        Learner.institution_id, Learner.id, Learner.program_id, Learner.admitted_on
                    )
                    .where(Learner.admitted_on <= as_of)
                    .order_by(Learner.institution_id, Learner.id)
                )
            ],
            schema={
                "institution_id": pl.Int64,
                "learner_id": pl.Int64,
                "program_id": pl.Int64,
                "admitted_on": pl.Date,
            },
            orient="row",
        )
        targets = plan_targets(seed, programs)
        sittings = plan_sittings(seed, learners, targets, as_of)
        if not targets.is_empty():
            _write(s, ProgramCompetencyTarget, targets)
        if not sittings.is_empty():
            _write(s, CompetencyAssessment, sittings)
        s.commit()
    compute_year(sessions, as_of.year)
    return Built(targets.height, sittings.height, "")


def link_learner(sessions: sessionmaker[HemisSession], username: str, institution_code: str) -> str:
    """Link the demo learner login to an enrolled learner of the institution who has assessed
    levels (the first by student code); returns their name, or "" when there is none."""
    with scoped_session(sessions, Scope.system("demo-competency")) as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            return ""
        if user.person_id is not None:
            return user.display_name
        taken = select(User.person_id).where(User.person_id.is_not(None))
        row = s.execute(
            select(Learner.person_id, Learner.student_code)
            .join(Institution, Institution.id == Learner.institution_id)
            .join(
                CompetencyAssessment,
                (CompetencyAssessment.institution_id == Learner.institution_id)
                & (CompetencyAssessment.learner_id == Learner.id),
            )
            .where(
                Institution.moet_code == institution_code,
                Learner.status == "enrolled",
                Learner.person_id.not_in(taken),
            )
            .order_by(Learner.student_code)
            .limit(1)
        ).first()
        if row is None:
            return ""
        from hemis.registry.models import Person

        person = s.get(Person, row[0])
        user.person_id = row[0]
        user.display_name = person.full_name if person is not None else username
        user.assurance_level = 2
        s.commit()
        return user.display_name
