"""The ministry's reporting periods: the periods with whether each is open, a new period, a
period's dates, and opening or closing one now. Validated on the server (each problem next to
its field, what was typed kept); every change is audited. Analysts see them and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from hemis.accounts.service import Principal
from hemis.db.rows import get_row
from hemis.errors import Forbidden, HemisError, NotFound
from hemis.registry import service as registry_service
from hemis.registry import service_periods
from hemis.registry.models import ReportingPeriod
from hemis.registry.schemas import ReportingPeriodCreate, ReportingPeriodUpdate
from hemis.submissions import queries
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.forms import FormErrors, PageForm, from_hemis, from_validation, texts_of
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303

LABELS: dict[str, tuple[str, str]] = {
    "year": ("Năm báo cáo", "Reporting year"),
    "name": ("Tên kỳ báo cáo", "Name"),
    "cutoff_on": ("Ngày chốt số liệu", "Data cut-off"),
    "finance_cutoff_on": ("Ngày chốt số liệu tài chính", "Finance cut-off"),
    "opens_on": ("Ngày mở nộp", "Opens on"),
    "closes_on": ("Hạn nộp (ngày cuối)", "Closes on (last day)"),
}
FIELDS = tuple(LABELS)
DATE_HINT = ("phải là ngày dạng năm-tháng-ngày, ví dụ 2025-12-31", "must be a date YYYY-MM-DD")
HINTS = dict.fromkeys(("cutoff_on", "finance_cutoff_on", "opens_on", "closes_on"), DATE_HINT)


def _ministry(principal: Principal) -> None:
    if not principal.role.national:
        raise Forbidden("Trang này dành cho Bộ GD&ĐT.", "This page is for the ministry.")


def values_of(period: ReportingPeriod) -> dict[str, str]:
    return {
        "year": str(period.year),
        "name": period.name,
        **{
            name: getattr(period, name).isoformat()
            for name in ("cutoff_on", "finance_cutoff_on", "opens_on", "closes_on")
        },
    }


def _page(
    request: Request,
    session: PageDB,
    period: ReportingPeriod | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    session.rollback()  # nothing a refused form changed may show as saved
    today = dt.date.today()
    periods = [(p, service_periods.is_open(p, today)) for p in queries.periods(session)]
    if values is None:
        values = values_of(period) if period is not None else {"year": str(today.year)}
    context: dict[str, Any] = {
        "nav": "submissions",
        "periods": periods,
        "period": period,
        "values": values,
        "errors": errors,
        "labels": LABELS,
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, "submissions/periods.html", context, status_code=status_code)


def _data(values: dict[str, str]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v}


@router.get("/submissions/periods")
def periods_page(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _ministry(principal)
    return _page(request, session)


@router.post("/submissions/periods")
def create_period(
    request: Request, principal: PagePrincipal, session: PageDB, _csrf: CsrfChecked, form: PageForm
) -> Response:
    _ministry(principal)
    lang = get_lang(request)
    values = texts_of(form, FIELDS)
    status = 422
    try:
        row = service_periods.create_period(
            session, ReportingPeriodCreate.model_validate(_data(values))
        )
    except ValidationError as exc:
        errors = from_validation(exc, LABELS, lang, HINTS)
    except HemisError as exc:
        errors, status = from_hemis(exc, LABELS, lang), exc.status
    else:
        return RedirectResponse(f"/submissions/periods/{row.id}?saved=1", status_code=SEE_OTHER)
    return _page(request, session, None, values, errors, status)


@router.get("/submissions/periods/{period_id}")
def period_page(
    request: Request, principal: PagePrincipal, session: PageDB, period_id: int
) -> Response:
    _ministry(principal)
    return _page(request, session, get_row(session, ReportingPeriod, period_id))


@router.post("/submissions/periods/{period_id}")
def update_period(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    form: PageForm,
    period_id: int,
) -> Response:
    _ministry(principal)
    lang = get_lang(request)
    period = get_row(session, ReportingPeriod, period_id)
    values = texts_of(form, FIELDS)
    status = 422
    try:
        data = ReportingPeriodUpdate.model_validate(_data(values))
        registry_service.update_reporting_period(session, period_id, data)
    except ValidationError as exc:
        errors = from_validation(exc, LABELS, lang, HINTS)
    except HemisError as exc:
        errors, status = (
            from_hemis(exc, LABELS, lang, {"uq_reporting_period_year": "year"}),
            exc.status,
        )
    else:
        return RedirectResponse(f"/submissions/periods/{period_id}?saved=1", status_code=SEE_OTHER)
    return _page(request, session, period, values, errors, status)


@router.post("/submissions/periods/{period_id}/{action}")
def period_action(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    period_id: int,
    action: str,
) -> Response:
    """Open or close a period now."""
    _ministry(principal)
    try:
        if action == "open":
            service_periods.open_period(session, period_id)
        elif action == "close":
            service_periods.close_period(session, period_id)
        else:
            raise NotFound("action", action[:20])
    except HemisError as exc:
        period = get_row(session, ReportingPeriod, period_id)
        errors = from_hemis(exc, LABELS, get_lang(request))
        return _page(request, session, period, None, errors, exc.status)
    return RedirectResponse(f"/submissions/periods/{period_id}?saved=1", status_code=SEE_OTHER)
