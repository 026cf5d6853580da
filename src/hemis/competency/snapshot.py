"""What the competency entities contribute to the snapshot frozen at sign-off
(hemis.submissions.snapshot): their rows read back by natural key, in the caller's scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from hemis.competency.models import CompetencyAssessment, ProgramCompetencyTarget
from hemis.registry.models import Learner, Program

T, A = ProgramCompetencyTarget, CompetencyAssessment


def _targets() -> Any:
    return select(Program.code, T.competency_code, T.level, T.framework_version).join(
        Program, (Program.institution_id == T.institution_id) & (Program.id == T.program_id)
    )


def _assessments() -> Any:
    return select(
        Learner.student_code, A.assessed_on, A.method, A.evidence_ref, A.framework_version, A.levels
    ).join(Learner, (Learner.institution_id == A.institution_id) & (Learner.id == A.learner_id))


# entity → (query, number of leading key columns); the wide entity writes the same rows.
QUERIES: dict[str, tuple[Callable[[], Any], int]] = {
    "competency_targets": (_targets, 2),
    "digital_competencies": (_assessments, 4),
}
