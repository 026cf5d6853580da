"""Submission rows of one institution in the API tests' world (tests/web/conftest.py): a
submitted version with a pending override request, its snapshot and an applied job, so that the
tenancy walk has B's rows in every submissions tenant table. They belong to the world's reporting
period (2024), made before the institutions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.registry.models import ReportingPeriod
from hemis.submissions.models import (
    Submission,
    SubmissionAnswer,
    SubmissionJob,
    SubmissionReview,
    SubmissionSnapshot,
)

YEAR = 2024
RULE = "LRN.national_id.elsewhere"


def seed_submissions(s: Session, institution_id: int, tag: str) -> dict[str, int]:
    period = s.scalar(select(ReportingPeriod).where(ReportingPeriod.year == YEAR))
    assert period is not None, "the world's reporting period is made first"
    now = dt.datetime.now(dt.UTC)
    sub = Submission(
        institution_id=institution_id,
        period_id=period.id,
        version=1,
        status="submitted",
        opened_by=f"user:{tag}",
        signed_by_name=f"Hiệu trưởng {tag}",
        signed_by_title="Hiệu trưởng",
        submitted_at=now,
        snapshot_sha256="0" * 64,
        review_comment=f"Nhận xét {tag}",
    )
    s.add(sub)
    s.flush()
    warning = {
        "rule": RULE,
        "severity": "warning",
        "tier": "e",
        "count": 1,
        "message": f"Cảnh báo {tag}",
        "message_en": f"Warning {tag}",
    }
    s.add_all(
        [
            SubmissionJob(
                institution_id=institution_id,
                submission_id=sub.id,
                entity="learners",
                filename=f"{tag}.csv",
                source="upload",
                status="applied",
                phase="done",
                processed=1,
                total=1,
                created_by=f"user:{tag}",
                finished_at=now,
                result={"rules": [warning], "institution": tag, "rows": 1},
            ),
            SubmissionAnswer(
                institution_id=institution_id,
                submission_id=sub.id,
                entity="learners",
                rule=RULE,
                row_count=1,
                kind="override",
                text=f"Giải trình {tag}",
                status="pending",
                requested_by=f"user:{tag}",
            ),
            SubmissionSnapshot(
                institution_id=institution_id,
                submission_id=sub.id,
                entity="learners",
                row_count=1,
                sha256="0" * 64,
                fingerprints=tag.encode(),
            ),
            SubmissionReview(
                institution_id=institution_id,
                submission_id=sub.id,
                version=sub.version,
                event="submitted",
                comment=f"{tag} head, {tag} title",
                actor=f"user:{tag}",
            ),
        ]
    )
    s.flush()
    return {"submissions": sub.id}
