"""Competency rows of one institution in the API tests' world (tests/web/conftest.py), so the
tenancy walk has B's rows in every competency tenant table (B's texts carry its marker)."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.orm import Session

from hemis.competency.models import (
    CompetencyAssessment,
    CompetencyCredential,
    ProgramCompetencyTarget,
)


def seed_competency(
    s: Session, institution_id: int, program_id: int, learner_id: int, person_id: int, tag: str
) -> dict[str, int]:
    s.add(
        ProgramCompetencyTarget(
            institution_id=institution_id,
            program_id=program_id,
            framework_version="TT02-2025",
            competency_code="1.1",
            level=5,
        )
    )
    s.add(
        CompetencyAssessment(
            institution_id=institution_id,
            learner_id=learner_id,
            assessed_on=dt.date(2024, 6, 1),
            method="exam",
            evidence_ref=f"KT-{tag}",
            framework_version="TT02-2025",
            levels="5" + "0" * 23,
        )
    )
    now = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    document = f'{{"name": "Hồ sơ năng lực số {tag}"}}'
    s.add(
        CompetencyCredential(
            institution_id=institution_id,
            learner_id=learner_id,
            person_id=person_id,
            credential_uuid=hashlib.md5(tag.encode()).hexdigest()[:32].ljust(36, "0"),  # noqa: S324
            status_list=1,
            status_index=learner_id % 131_072,
            issued_at=now,
            valid_from=now,
            valid_until=now.replace(year=2029),
            document=document,
            sha256=hashlib.sha256(document.encode()).hexdigest(),
        )
    )
    s.flush()
    return {}
