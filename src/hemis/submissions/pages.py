"""HTML pages of submissions: the upload with live progress, the error report with filters and
downloads, and (pages_review.py) a submission's lifecycle. Officers see their own institution
only: every query goes through the scoped PageDB session."""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.errors import Forbidden
from hemis.imports.entities import entities
from hemis.submissions import downloads, intake, queries, service
from hemis.submissions.jobs import issues_of_blob
from hemis.submissions.models import SubmissionJob
from hemis.submissions.rules import FINISHED, STATUS_LABELS, JobStatus
from hemis.submissions.targets import APPLICABLE
from hemis.submissions.worker import ensure_worker, lifespan
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import CipherDep, PageDB, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False, lifespan=lifespan)
ISSUES_PER_PAGE = 100


def require_submitter(principal: Principal) -> None:
    """Ministry users and institution officers; candidates have no business here."""
    if not (principal.role.national or principal.role is Role.institution_officer):
        raise Forbidden()


def status_label(lang: str) -> Any:
    def label(code: str | None) -> str:
        vi, en = STATUS_LABELS.get(code or "", (code or "", code or ""))
        return en if lang == "en" else vi

    return label


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    return {"status_label": status_label(get_lang(request)), "nav": "submissions", **values}


@router.get("/submissions")
def submissions_home(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    period_year: int | None = Query(None, ge=2000, le=2100),
) -> Response:
    require_submitter(principal)
    periods = queries.periods(session)
    context = page_context(
        request,
        periods=periods,
        submissions=queries.submissions(session),
        jobs=queries.recent_jobs(session),
        entities=[e for e in entities().values() if e.name in APPLICABLE],
    )
    if principal.role.national and periods:
        period = queries.period_of_year(session, period_year)
        context["overview"] = queries.overview(session, period)
    return render(request, "submissions/index.html", context)


@router.post("/submissions/upload")
def upload(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    _csrf: CsrfChecked,
    file: Annotated[UploadFile, File()],
    entity: Annotated[str, Form(max_length=40)],
    full_replacement: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
    institution_code: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    require_submitter(principal)
    job = intake.enqueue_upload(
        session,
        cipher,
        institution_id=intake.target_institution(session, institution_code or None),
        entity=entity,
        filename=file.filename or "upload.csv",
        payload=file.file.read(intake.MAX_UPLOAD_BYTES + 1),
        full_replacement=full_replacement,
        dry_run=dry_run,
    )
    ensure_worker(request.app)
    return RedirectResponse(f"/submissions/jobs/{job.id}", status_code=303)


def _issues_page(job: SubmissionJob, rule: str, column: str, page: int) -> dict[str, Any]:
    issues = issues_of_blob(job.issues)
    rules = sorted(set(issues["rule"].to_list()))
    columns = sorted(c for c in set(issues["column"].to_list()) if c)
    shown = issues
    if rule:
        shown = shown.filter(pl.col("rule") == rule)
    if column:
        shown = shown.filter(pl.col("column") == column)
    pages = max(1, -(-shown.height // ISSUES_PER_PAGE))
    page = min(page, pages)
    return {
        "issues": shown.slice((page - 1) * ISSUES_PER_PAGE, ISSUES_PER_PAGE).to_dicts(),
        "issue_total": shown.height,
        "rules": rules,
        "columns": columns,
        "flt": {"rule": rule, "column": column},
        "page": page,
        "pages": pages,
    }


@router.get("/submissions/jobs/{job_id}")
def job_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    job_id: int,
    rule: str = Query("", max_length=80),
    column: str = Query("", max_length=40),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    require_submitter(principal)
    job = service.get_job(session, job_id)
    if job.status not in FINISHED:
        ensure_worker(request.app)
    context = page_context(
        request, job=job, finished=job.status in FINISHED, **_issues_page(job, rule, column, page)
    )
    if request.headers.get("hx-target") == "issues":
        return render(request, "submissions/_issues.html", context)
    context["entities"] = [e for e in entities().values() if e.name in APPLICABLE]
    return render(request, "submissions/job.html", context)


@router.get("/submissions/jobs/{job_id}/progress")
def job_progress(
    request: Request, principal: PagePrincipal, session: PageDB, job_id: int
) -> Response:
    """The progress fragment the job page polls; when the job is done the page reloads."""
    require_submitter(principal)
    job = service.get_job(session, job_id)
    finished = job.status in FINISHED
    response = render(
        request, "submissions/_job_progress.html", page_context(request, job=job, finished=finished)
    )
    if finished and request.headers.get("hx-request"):
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/submissions/jobs/{job_id}/report.{fmt}")
def job_report(principal: PagePrincipal, session: PageDB, job_id: int, fmt: str) -> Response:
    require_submitter(principal)
    content, media, name = downloads.report_bytes(service.get_job(session, job_id), fmt)
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


__all__ = ["JobStatus", "router"]
