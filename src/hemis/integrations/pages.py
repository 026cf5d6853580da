"""HTML pages of the national databases: an institution's per-record statuses with their
field-level diffs (fixed at the source, in the registry pages), the outcome funnel, and the
civil-servant links with the clerical review queue (ministry). The ministry starts a sync with
each database from here, as a background job with a progress page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.actions import service as action_service
from hemis.actions.pages import helpers as action_helpers
from hemis.actions.rules import ACTIVE
from hemis.actions.service import ActionRunning
from hemis.actions.worker import ensure_worker
from hemis.errors import Forbidden, HemisError
from hemis.integrations import outcomes, queries, service
from hemis.integrations.actions import SYNC_KIND
from hemis.integrations.codes import (
    FIELD_LABELS,
    LINK_METHOD_LABELS,
    LINK_STATUS_LABELS,
    REGISTRY_LABELS,
    RUN_LABELS,
    STATUS_LABELS,
    LinkStatus,
    Registry,
    SyncStatus,
)
from hemis.registry.codes import Sex
from hemis.registry.labels import label as registry_label
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.forms import FormErrors, from_hemis, problem
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
SYSTEMS = [r.value for r in Registry]
YEAR_LABEL = {"year": ("Năm tốt nghiệp", "Graduation year")}
STATUSES = [s.value for s in SyncStatus]


def require_viewer(principal: Principal) -> None:
    if not (principal.role.national or principal.role is Role.institution_officer):
        raise Forbidden()


def _labels(lang: str) -> dict[str, Any]:
    def pick(table: dict[str, tuple[str, str]]) -> Any:
        def label(code: str | None) -> str:
            vi, en = table.get(code or "", (code or "", code or ""))
            return en if lang == "en" else vi

        return label

    return {
        "status_label": pick(STATUS_LABELS),
        "system_label": pick(REGISTRY_LABELS),
        "run_label": pick(RUN_LABELS),
        "method_label": pick(LINK_METHOD_LABELS),
        "link_label": pick(LINK_STATUS_LABELS),
        "field_label": pick(FIELD_LABELS),
        "sex_label": lambda code: (
            registry_label(code, "en" if lang == "en" else "vi", enum=Sex)
            if code in ("male", "female")
            else code or "?"
        ),
    }


@router.get("/integrations")
def integrations_home(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    system: str | None = Query(None, max_length=20),
    status: str | None = Query(None, max_length=20),
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    require_viewer(principal)
    return _home(request, principal, session, system, status, page)


def _home(
    request: Request,
    principal: Principal,
    session: PageDB,
    system: str | None,
    status: str | None,
    page: int,
    errors: FormErrors | None = None,
    status_code: int = 200,
    year_value: str = "",
) -> Response:
    system = system if system in SYSTEMS else None
    status = status if status in STATUSES else None
    actions = (
        action_service.recent_actions(session, (SYNC_KIND,)) if principal.role.national else []
    )
    context = {
        "nav": "integrations",
        "counts": queries.status_counts(session),
        "rows": queries.mismatches(session, system, status, (page - 1) * queries.PAGE_SIZE),
        "runs": queries.recent_runs(session) if principal.role.national else [],
        "systems": SYSTEMS,
        "statuses": STATUSES,
        "system": system,
        "status": status,
        "page": page,
        "page_size": queries.PAGE_SIZE,
        "institution_names": queries.institution_names(session) if principal.role.national else {},
        **_labels(get_lang(request)),
        **action_helpers(request),
        "actions": actions,
        "running": {a.lock_key: a for a in actions if a.status in ACTIVE},
        "values": {"year": year_value or str(dt.date.today().year - 1)},
        "errors": errors,
    }
    return render(request, "integrations/index.html", context, status_code=status_code)


@router.post("/integrations/sync/{system}")
def start_sync(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    system: str,
    year: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Start a sync with one national database as a background job (the ministry)."""
    require_viewer(principal)
    lang = get_lang(request)
    params: dict[str, Any] = {"system": system[:20]}
    year = year.strip()
    if system == Registry.insurance.value and year:
        if not year.isdigit() or not 1950 <= int(year) <= 2100:
            errors = problem(
                "year",
                YEAR_LABEL,
                "phải là năm từ 1950 đến 2100",
                "must be a year from 1950 to 2100",
                lang,
            )
            return _home(request, principal, session, None, None, 1, errors, 422, year)
        params["year"] = int(year)
    try:
        job = action_service.start_action(session, SYNC_KIND, params)
    except ActionRunning as exc:
        return RedirectResponse(f"/actions/{exc.job_id}?already=1", status_code=303)
    except HemisError as exc:
        session.rollback()
        errors = from_hemis(exc, YEAR_LABEL, lang)
        return _home(request, principal, session, None, None, 1, errors, exc.status, year)
    ensure_worker(request.app)
    return RedirectResponse(f"/actions/{job.id}", status_code=303)


@router.get("/integrations/outcomes")
def outcomes_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    year: int | None = Query(None, ge=2000, le=2100),
    by: str = Query("institution", max_length=12),
) -> Response:
    require_viewer(principal)
    year = year or dt.date.today().year - 1
    group = by if by in ("institution", "program", "field") else "institution"
    funnels = outcomes.graduate_outcomes(session, year, group)  # type: ignore[arg-type]
    context = {
        "nav": "integrations",
        "year": year,
        "by": group,
        "funnels": funnels,
        "total": outcomes.total(funnels),
        "institution_names": queries.institution_names(session),
        "program_names": queries.program_names(session) if group == "program" else {},
        "field_names": queries.field_names(session) if group == "field" else {},
    }
    return render(request, "integrations/outcomes.html", context)


@router.get("/integrations/links")
def links_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    status: str | None = Query(LinkStatus.review.value, max_length=10),
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    if not principal.role.national:
        raise Forbidden()
    status = status if status in [s.value for s in LinkStatus] else None
    context = {
        "nav": "integrations",
        "status": status,
        "statuses": [s.value for s in LinkStatus],
        "links": queries.links(session, status, (page - 1) * queries.PAGE_SIZE),
        "counts": queries.link_counts(session),
        "page": page,
        **_labels(get_lang(request)),
    }
    return render(request, "integrations/links.html", context)


@router.post("/integrations/links/{link_id}/decide")
def decide(
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    link_id: int,
    accept: Annotated[bool, Form()],
) -> Response:
    if not (principal.role.national and principal.role.writable):
        raise Forbidden()
    service.decide_link(session, link_id, accept)
    return RedirectResponse("/integrations/links", status_code=303)
