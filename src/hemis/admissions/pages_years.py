"""The ministry's admission-year pages: the years with the state of their windows, a new year,
a year's calendar (registration, wishes, confirmation deadline; wish caps) and opening or
closing a window now. Payment windows, fees and invoices are on the payments page. Analysts see
everything and change nothing; every write is audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import Response

from hemis.admissions import service, service_years
from hemis.admissions.models import AdmissionYear
from hemis.admissions.pages_common import page
from hemis.admissions.pages_staff import _ministry
from hemis.admissions.schemas import AdmissionYearCreate, AdmissionYearUpdate
from hemis.db.types import utcnow
from hemis.errors import HemisError, NotFound
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.forms import (
    FormErrors,
    PageForm,
    from_hemis,
    from_validation,
    local_input,
    parse_local,
    problem,
    texts_of,
)

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303

LABELS: dict[str, tuple[str, str]] = {
    "year": ("Năm tuyển sinh", "Admission year"),
    "wish_cap": ("Số nguyện vọng tối đa", "Most wishes per candidate"),
    "teacher_wish_limit": (
        "Ngành sư phạm chỉ xét đến nguyện vọng thứ",
        "Teacher training considered up to wish",
    ),
    "registration_opens_at": ("Mở đăng ký dự thi", "Exam registration opens"),
    "registration_closes_at": ("Đóng đăng ký dự thi", "Exam registration closes"),
    "wishes_open_at": ("Mở đăng ký nguyện vọng", "Wish window opens"),
    "wishes_close_at": ("Đóng đăng ký nguyện vọng", "Wish window closes"),
    "confirm_deadline_at": ("Hạn xác nhận nhập học", "Enrolment confirmation deadline"),
    "unpaid_wishes_count": (
        "Nguyện vọng chưa nộp lệ phí được xét",
        "Wishes without a paid fee enter the rounds",
    ),
}
MOMENTS = (
    "registration_opens_at",
    "registration_closes_at",
    "wishes_open_at",
    "wishes_close_at",
    "confirm_deadline_at",
)
NUMBERS = ("wish_cap", "teacher_wish_limit")
CHOICES = ("unpaid_wishes_count",)  # "yes" / "no"; blank on a new year: the year's rules
FIELDS = ("year", *NUMBERS, *MOMENTS, *CHOICES)
WINDOW_LABELS = {
    "registration": ("Đăng ký dự thi", "Exam registration"),
    "wishes": ("Đăng ký nguyện vọng", "Wishes"),
    "confirmation": ("Xác nhận nhập học", "Enrolment confirmation"),
}


def _years(session: PageDB) -> list[AdmissionYear]:
    return list(session.scalars(select(AdmissionYear).order_by(AdmissionYear.year.desc())))


def window_states(row: AdmissionYear) -> dict[str, bool]:
    now = utcnow()
    deadline = row.confirm_deadline_at
    return {
        "registration": service.registration_window(row).is_open(now),
        "wishes": service.wish_window(row).is_open(now),
        "confirmation": deadline is not None and now < deadline,
    }


def values_of(row: AdmissionYear) -> dict[str, str]:
    values = {name: local_input(getattr(row, name)) for name in MOMENTS}
    for name in NUMBERS:
        value = getattr(row, name)
        values[name] = "" if value is None else str(value)
    values["year"] = str(row.year)
    values["unpaid_wishes_count"] = "yes" if row.unpaid_wishes_count else "no"
    return values


def parse_year_form(
    values: dict[str, str], lang: str, *, create: bool
) -> tuple[dict[str, Any], FormErrors]:
    """The calendar fields as the schema's input (moments typed in Vietnam time), and the
    fields that are not even dates and times."""
    errors = FormErrors()
    data: dict[str, Any] = {}
    for name in MOMENTS:
        try:
            data[name] = parse_local(values[name])
        except ValueError:
            errors.merge(
                problem(name, LABELS, "ngày giờ không hợp lệ", "is not a valid date and time", lang)
            )
    for name in NUMBERS:
        if values[name] or not create:  # blank on a new year: the year's rules decide
            data[name] = values[name] or None
    for name in CHOICES:
        if values[name]:
            data[name] = values[name] == "yes"
    if create:
        data["year"] = values["year"]
    return data, errors


def _list_page(
    request: Request,
    session: PageDB,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "admissions/years.html",
        status_code=status_code,
        nav="admissions",
        years=[(row, window_states(row)) for row in _years(session)],
        values=values or {"year": str(utcnow().year)},
        errors=errors,
        labels=LABELS,
    )


def _year_page(
    request: Request,
    session: PageDB,
    row: AdmissionYear,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
    saved: bool = False,
) -> Response:
    return page(
        request,
        "admissions/year.html",
        status_code=status_code,
        nav="admissions",
        row=row,
        states=window_states(row),
        window_labels=WINDOW_LABELS,
        values=values or values_of(row),
        errors=errors,
        labels=LABELS,
        saved=saved,
    )


@router.get("/admissions/ministry/years")
def years_page(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _ministry(principal)
    return _list_page(request, session)


@router.post("/admissions/ministry/years")
def create_year(
    request: Request, principal: PagePrincipal, session: PageDB, _csrf: CsrfChecked, form: PageForm
) -> Response:
    _ministry(principal)
    lang = get_lang(request)
    values = texts_of(form, FIELDS)
    data, errors = parse_year_form(values, lang, create=True)
    status = 422
    if not errors:
        try:
            row = service.create_year(session, AdmissionYearCreate.model_validate(data))
        except ValidationError as exc:
            errors = from_validation(exc, LABELS, lang)
        except HemisError as exc:
            errors, status = from_hemis(exc, LABELS, lang), exc.status
        else:
            return RedirectResponse(f"/admissions/ministry/years/{row.year}", status_code=SEE_OTHER)
    return _list_page(request, session, values, errors, status)


@router.get("/admissions/ministry/years/{year}")
def year_page(request: Request, principal: PagePrincipal, session: PageDB, year: int) -> Response:
    _ministry(principal)
    row = service.get_year(session, year)
    return _year_page(request, session, row, saved=request.query_params.get("saved") == "1")


@router.post("/admissions/ministry/years/{year}")
def update_year(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    form: PageForm,
    year: int,
) -> Response:
    _ministry(principal)
    lang = get_lang(request)
    row = service.get_year(session, year)
    values = texts_of(form, FIELDS) | {"year": str(row.year)}
    data, errors = parse_year_form(values, lang, create=False)
    status = 422
    if not errors:
        try:
            service.update_year(session, year, AdmissionYearUpdate.model_validate(data))
        except ValidationError as exc:
            errors = from_validation(exc, LABELS, lang)
        except HemisError as exc:
            session.rollback()
            errors, status = from_hemis(exc, LABELS, lang), exc.status
        else:
            return RedirectResponse(
                f"/admissions/ministry/years/{year}?saved=1", status_code=SEE_OTHER
            )
    session.rollback()  # a refused change must not show as if it had been made
    return _year_page(request, session, service.get_year(session, year), values, errors, status)


@router.post("/admissions/ministry/years/{year}/windows/{window}/{action}")
def window_action(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    year: int,
    window: str,
    action: str,
) -> Response:
    """Open or close a window now."""
    _ministry(principal)
    lang = get_lang(request)
    try:
        if action == "open":
            service_years.open_window(session, year, window)
        elif action == "close":
            service_years.close_window(session, year, window)
        else:
            raise NotFound("action", action[:20])
    except HemisError as exc:
        session.rollback()
        row = service.get_year(session, year)
        errors = from_hemis(exc, LABELS, lang)
        return _year_page(request, session, row, errors=errors, status_code=exc.status)
    return RedirectResponse(f"/admissions/ministry/years/{year}?saved=1", status_code=SEE_OTHER)
