"""Pages of action jobs: the progress page (a bar, the phase, the counts, then the result or
the error in Vietnamese and English), the fragment it polls, and the list of recent actions.
The ministry sees them; starting an action is done from the page the action belongs to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from hemis.accounts.models import User
from hemis.accounts.service import Principal
from hemis.actions import rules, service
from hemis.actions.kinds import UnknownAction, get_kind
from hemis.actions.models import ActionJob
from hemis.actions.worker import ensure_worker, lifespan
from hemis.errors import Forbidden
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False, lifespan=lifespan)


def require_ministry(principal: Principal) -> None:
    if not principal.role.national:
        raise Forbidden("Trang này dành cho Bộ GD&ĐT.", "This page is for the ministry.")


def helpers(request: Request) -> dict[str, Any]:
    """Template helpers for jobs (also used by the pages that list their recent actions)."""
    lang = get_lang(request)

    def kind_label(name: str) -> str:
        try:
            return get_kind(name).label(lang)
        except UnknownAction:
            return name

    def describe(job: ActionJob) -> str:
        try:
            spec = get_kind(job.kind)
        except UnknownAction:
            return ""
        return spec.describe(job.params, lang) if spec.describe else ""

    return {
        "job_status": lambda code: rules.label(rules.STATUS_LABELS, code, lang),
        "job_phase": lambda code: rules.label(rules.PHASE_LABELS, code, lang),
        "job_result_label": lambda key: rules.label(rules.RESULT_LABELS, key, lang),
        "job_value": lambda code: rules.label(rules.VALUE_LABELS, code, lang),
        "job_kind": kind_label,
        "job_describe": describe,
    }


def actor_name(session: PageDB, actor: str) -> str:
    """The display name of the user who started a job (`user:ID`), else the actor as stored."""
    if actor.startswith("user:") and actor[5:].isdigit():
        name = session.scalar(select(User.display_name).where(User.id == int(actor[5:])))
        if name:
            return str(name)
    return actor


def _context(request: Request, job: ActionJob) -> dict[str, Any]:
    spec = get_kind(job.kind)
    finished = job.status in rules.FINISHED
    total = max(job.total, 0)
    percent = 100 if finished and job.status == "succeeded" else 0
    if not finished and total:
        percent = min(100, int(job.processed * 100 / total))
    return {
        **helpers(request),
        "nav": "actions",
        "job": job,
        "kind": spec,
        "lang_unit": spec.unit(get_lang(request)),
        "back": spec.back(job.params),
        "finished": finished,
        "percent": percent,
    }


@router.get("/actions")
def actions_home(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    require_ministry(principal)
    jobs = service.recent_actions(session, limit=50)
    return render(request, "actions/index.html", {**helpers(request), "jobs": jobs})


@router.get("/actions/{job_id}")
def action_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    job_id: int,
    already: int = Query(0, ge=0, le=1),
) -> Response:
    require_ministry(principal)
    job = service.get_action(session, job_id)
    if job.status in rules.ACTIVE:
        ensure_worker(request.app)
    context = {
        **_context(request, job),
        "already": already,
        "actor": actor_name(session, job.actor),
    }
    return render(request, "actions/job.html", context)


@router.get("/actions/{job_id}/progress")
def action_progress(
    request: Request, principal: PagePrincipal, session: PageDB, job_id: int
) -> Response:
    """The fragment the progress page polls; once the job has ended the page reloads."""
    require_ministry(principal)
    job = service.get_action(session, job_id)
    context = _context(request, job)
    response = render(request, "actions/_progress.html", context)
    if context["finished"] and request.headers.get("hx-request"):
        response.headers["HX-Refresh"] = "true"
    return response
