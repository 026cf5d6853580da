"""REST API of submissions under /api/v1/submissions: a JSON batch endpoint for institution
systems, file uploads run as jobs, job progress and reports, and the lifecycle steps.

Views are thin: parse, call a service, serialize. Tenancy comes with the `DB` session: an
officer's ids of another institution answer 404, naming another institution 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status

from hemis.imports.entities import get_entity
from hemis.imports.limits import ReadLimits
from hemis.submissions import downloads, intake, queries, service
from hemis.submissions.importer import ImportOutcome
from hemis.submissions.schemas import (
    MAX_BATCH_BYTES,
    AnswerCreate,
    AnswerRead,
    BatchBody,
    Decision,
    ImportRead,
    IssueRead,
    JobRead,
    OverviewRead,
    OverviewRow,
    ReviewBody,
    SignOffBody,
    SubmissionDetail,
    SubmissionRead,
    TableCounts,
    WarningRead,
)
from hemis.submissions.worker import ensure_worker
from hemis.web.api_deps import ERROR_RESPONSES, MinistryOnly, PathId, RegistryAccess
from hemis.web.deps import DB, CipherDep, Context

router = APIRouter(
    prefix="/api/v1/submissions",
    tags=["submissions"],
    dependencies=[RegistryAccess],
    responses=ERROR_RESPONSES,
)
ISSUES_SHOWN = 1000
InstitutionCode = Annotated[str | None, Query(max_length=10, description="Ministry callers")]


def import_read(outcome: ImportOutcome) -> ImportRead:
    report = outcome.report
    issues = report.issues.head(ISSUES_SHOWN).to_dicts()
    return ImportRead(
        status=outcome.status.value,
        entity=report.entity.name,
        rows=report.rows,
        errors=report.errors,
        warnings=report.warnings,
        rows_written=outcome.rows_written,
        submission_id=outcome.submission_id,
        tables=[TableCounts.model_validate(t.as_dict()) for t in outcome.tables],
        issues=[IssueRead.model_validate(i) for i in issues],
        issues_truncated=report.issues.height > ISSUES_SHOWN,
    )


@router.get("")
def list_submissions(
    db: DB, period_year: int | None = Query(None, ge=2000, le=2100)
) -> dict[str, list[SubmissionRead]]:
    """The caller's submissions (the ministry: every institution's), newest period first."""
    period_id = queries.period_of_year(db, period_year).id if period_year else None
    return {"items": [SubmissionRead.model_validate(s) for s in queries.submissions(db, period_id)]}


@router.get("/overview", dependencies=[MinistryOnly])
def overview(db: DB, period_year: int | None = Query(None, ge=2000, le=2100)) -> OverviewRead:
    """Who has not submitted, who is late, open returns and pending override requests."""
    view = queries.overview(db, queries.period_of_year(db, period_year))

    def rows(items: list[queries.Row]) -> list[OverviewRow]:
        return [OverviewRow.model_validate(vars(r)) for r in items]

    return OverviewRead(
        period_year=view.period.year,
        closes_on=view.period.closes_on,
        not_submitted=rows(view.not_submitted),
        late=rows(view.late),
        returned=rows(view.returned),
        pending_overrides=[AnswerRead.model_validate(a) for a in view.pending],
        rows=rows(view.rows),
    )


@router.post("/{entity}/batch", max_body_size=MAX_BATCH_BYTES)
def submit_batch(
    ctx: Context,
    cipher: CipherDep,
    db: DB,
    entity: str,
    body: BatchBody,
    institution_code: InstitutionCode = None,
) -> ImportRead:
    """Validate a batch of records (tiers a–f) and apply it at once, all or nothing. A batch
    with any error writes nothing (status `rejected`, with the issues). A body larger than
    32 MB is refused (413): larger sets go through a file upload."""
    limits = ReadLimits.from_settings(ctx.settings)
    outcome, _job = intake.run_batch(
        ctx.engine, cipher, db, get_entity(entity).name, body, institution_code, limits
    )
    return import_read(outcome)


@router.post("/{entity}/upload", status_code=status.HTTP_202_ACCEPTED)
def upload(
    request: Request,
    db: DB,
    cipher: CipherDep,
    entity: str,
    file: Annotated[UploadFile, File(description=".xlsx, .xls, .csv or .parquet")],
    full_replacement: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
    period_year: Annotated[int | None, Form(ge=2000, le=2100)] = None,
    institution_code: InstitutionCode = None,
) -> JobRead:
    """Queue a file; poll GET /jobs/{job_id} for progress and the outcome."""
    job = intake.enqueue_upload(
        db,
        cipher,
        institution_id=intake.target_institution(db, institution_code),
        entity=entity,
        filename=file.filename or "upload.csv",
        payload=file.file.read(intake.MAX_UPLOAD_BYTES + 1),
        full_replacement=full_replacement,
        dry_run=dry_run,
        period_year=period_year,
    )
    ensure_worker(request.app)
    return JobRead.model_validate(job)


@router.get("/jobs/{job_id}")
def read_job(db: DB, job_id: PathId) -> JobRead:
    return JobRead.model_validate(service.get_job(db, job_id))


# A job's report: the JSON summary with its issues, or the issues as CSV (format=csv).
REPORT_CONTENT = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {
                "job": {"type": "integer"},
                "status": {"type": "string"},
                "result": {"type": ["object", "null"]},
                "error": {"type": ["object", "null"]},
                "issues": {"type": "array", "items": {"type": "object"}},
            },
            "required": ["job", "status", "result", "error", "issues"],
        }
    },
    "text/csv": {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/jobs/{job_id}/report",
    response_class=Response,
    responses={200: {"description": "The job's report.", "content": REPORT_CONTENT}},
)
def job_report(
    db: DB, job_id: PathId, format: str = Query("json", pattern="^(json|csv|xlsx)$")
) -> Response:
    content, media, name = downloads.report_bytes(service.get_job(db, job_id), format)
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/answers/{answer_id}/decision")
def decide(db: DB, answer_id: PathId, body: Decision) -> AnswerRead:
    """The ministry approves or rejects an override request."""
    return AnswerRead.model_validate(service.decide(db, answer_id, body))


@router.get("/{submission_id}")
def read_submission(db: DB, submission_id: PathId) -> SubmissionDetail:
    sub = service.get_submission(db, submission_id)
    answers = {(a.entity, a.rule): a for a in service.answers_of(db, sub.id)}
    warnings = [
        WarningRead(
            entity=w.entity,
            rule=w.rule,
            rows=w.rows,
            message=w.message,
            message_en=w.message_en,
            answer=AnswerRead.model_validate(a) if (a := answers.get((w.entity, w.rule))) else None,
        )
        for w in service.warnings_of(db, sub)
    ]
    jobs = [JobRead.model_validate(j) for j in service.jobs_of(db, sub.id)]
    return SubmissionDetail.model_validate(
        {**SubmissionRead.model_validate(sub).model_dump(), "warnings": warnings, "jobs": jobs}
    )


@router.post("/{submission_id}/validate")
def validate(db: DB, submission_id: PathId) -> SubmissionRead:
    """draft/returned → validated (every warning answered)."""
    return SubmissionRead.model_validate(service.validate_submission(db, submission_id))


@router.post("/{submission_id}/answers")
def answer(db: DB, submission_id: PathId, body: AnswerCreate) -> AnswerRead:
    """Explain a warning rule, or ask the ministry to accept it."""
    return AnswerRead.model_validate(service.answer_warning(db, submission_id, body))


@router.post("/{submission_id}/sign-off")
def sign_off(db: DB, submission_id: PathId, body: SignOffBody) -> SubmissionRead:
    """validated → submitted: the head signs; the data is frozen as a hashed snapshot."""
    return SubmissionRead.model_validate(service.sign_off(db, submission_id, body))


@router.post("/{submission_id}/accept")
def accept(db: DB, submission_id: PathId, body: ReviewBody) -> SubmissionRead:
    return SubmissionRead.model_validate(service.accept(db, submission_id, body))


@router.post("/{submission_id}/return")
def return_submission(db: DB, submission_id: PathId, body: ReviewBody) -> SubmissionRead:
    """submitted → returned, with the ministry's comments."""
    return SubmissionRead.model_validate(service.return_submission(db, submission_id, body))
