"""Dashboard pages: the national overview with charts, the compliance matrix (filter, sort),
an institution's profile (trends, each number's computation, drill-down to the records) and a
province's view. Officers see their own institution only (the scoped PageDB session); the
national pages are the ministry's. Charts read JSON from data-chart attributes (indicators.js)."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.actions import service as action_service
from hemis.actions.service import ActionRunning
from hemis.actions.worker import ensure_worker
from hemis.errors import Forbidden, HemisError, NotFound
from hemis.indicators import cache, overview, queries
from hemis.indicators import drill as drills
from hemis.indicators.actions import COMPUTE_KIND, FIRST_YEAR, LAST_YEAR
from hemis.indicators.definitions import by_id, criteria, quality
from hemis.registry.codes import (
    AcademicTitle,
    ContractType,
    Degree,
    LearnerStatus,
    Level,
    Position,
    Sex,
    StudyMode,
)
from hemis.registry.labels import label
from hemis.web import formats
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.forms import FormErrors, from_hemis, problem
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
YearQuery = Query(None, ge=2000, le=2100)
PERCENT_UNITS = ("percent", "score")
MATRIX_PAGE = 50  # institutions per page of the matrix (sorting and filters are global)


def require_viewer(principal: Principal) -> None:
    if not (principal.role.national or principal.role is Role.institution_officer):
        raise Forbidden()


def require_national(principal: Principal) -> None:
    if not principal.role.national:
        raise Forbidden("Chỉ Bộ GD&ĐT được xem trang này.", "Only the ministry may view this page.")


def chart(kind: str, labels: list[str], datasets: list[dict[str, Any]], **options: Any) -> str:
    return json.dumps(
        {"type": kind, "labels": labels, "datasets": datasets, **options}, ensure_ascii=False
    )


def fmt_value(unit: str, value: float | None, lang: str = "vi") -> str:
    """An indicator's value in the reader's convention: "40,5 %" (a share), "24,75" (a ratio)."""
    if value is None:
        return "—"
    if unit in PERCENT_UNITS:
        return formats.percent(value * 100, 1, lang)
    return formats.number(value, 2, lang)


CODE_KINDS: dict[str, type[StrEnum]] = {
    "level": Level,
    "study_mode": StudyMode,
    "status": LearnerStatus,
    "contract_type": ContractType,
    "highest_degree": Degree,
    "sex": Sex,
    "degree": Degree,
    "title": AcademicTitle,
    "learner_status": LearnerStatus,
    "position": Position,
    "contract": ContractType,
}


def code_label(kind: str, value: str, lang: str) -> str:
    """The name of a registry code (the one label table, hemis.registry.labels)."""
    enum = CODE_KINDS[kind]
    try:
        return label(value, "en" if lang == "en" else "vi", enum=enum)
    except KeyError:
        return value or "—"


def drill_cell(key: str, value: Any, lang: str) -> str:
    """A drill-down cell as a reader reads it: codes named, dates dd/mm/yyyy, yes or no."""
    if value is None:
        return ""
    if key in CODE_KINDS:
        return code_label(key, str(value), lang)
    if isinstance(value, bool):
        return ("Yes" if value else "No") if lang == "en" else ("Có" if value else "Không")
    if isinstance(value, dt.date):
        return formats.date(value)
    if isinstance(value, float):
        return formats.number(value, 2, lang)
    return str(value)


def context(request: Request, **values: Any) -> dict[str, Any]:
    lang = get_lang(request)

    def status_label(code: str) -> str:
        vi, en = queries.STATUS_LABELS.get(code, (code, code))
        return en if lang == "en" else vi

    return {
        "nav": "indicators",
        "status_label": status_label,
        "fmt_value": lambda unit, value: fmt_value(unit, value, lang),
        "pct": lambda value: formats.percent(value, 1, lang),
        "code_label": lambda kind, value: code_label(kind, value, lang),
        "drill_cell": lambda key, value: drill_cell(key, value, lang),
        "definitions": by_id(),
        "criteria": criteria(),
        "quality": quality(),
        "ownership_labels": queries.OWNERSHIP_LABELS,
        **values,
    }


COMPUTE_LABELS = {"compute_year": ("Năm cần tính lại", "Year to recompute")}


@router.get("/indicators")
def overview_page(
    request: Request, principal: PagePrincipal, session: PageDB, year: int | None = YearQuery
) -> Response:
    require_viewer(principal)
    if not principal.role.national:
        return RedirectResponse(f"/indicators/institutions/{principal.institution_id}", 303)
    return _overview(request, principal, session, year)


@router.post("/indicators/compute")
def start_compute(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    compute_year: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Recompute a year's indicators as a background job (a ministry administrator); the answer
    is the job's progress page."""
    require_national(principal)
    lang = get_lang(request)
    typed = compute_year.strip()
    if not typed.isdigit() or not FIRST_YEAR <= int(typed) <= LAST_YEAR:
        errors = problem(
            "compute_year",
            COMPUTE_LABELS,
            f"phải là năm từ {FIRST_YEAR} đến {LAST_YEAR}",
            f"must be a year from {FIRST_YEAR} to {LAST_YEAR}",
            lang,
        )
        return _overview(request, principal, session, None, errors, typed, 422)
    try:
        job = action_service.start_action(session, COMPUTE_KIND, {"year": int(typed)})
    except ActionRunning as exc:
        return RedirectResponse(f"/actions/{exc.job_id}?already=1", status_code=303)
    except HemisError as exc:
        session.rollback()
        errors = from_hemis(exc, COMPUTE_LABELS, lang)
        return _overview(request, principal, session, None, errors, typed, exc.status)
    ensure_worker(request.app)
    return RedirectResponse(f"/actions/{job.id}", status_code=303)


def _overview(
    request: Request,
    principal: Principal,
    session: PageDB,
    year: int | None,
    errors: FormErrors | None = None,
    typed: str | None = None,
    status_code: int = 200,
) -> Response:
    chosen = queries.latest_year(session, year)
    values: dict[str, Any] = {
        "year": chosen,
        "years": queries.years(session),
        # a ministry administrator recomputes a year (a background job, indicators/actions.py)
        "can_compute": principal.role is Role.ministry_admin,
        "compute": {"compute_year": typed if typed is not None else (chosen or "")},
        "errors": errors,
    }
    if chosen is not None:
        year_ = chosen
        view = cache.cached(
            session, ("national", ""), year_, lambda: overview.national(session, year_)
        )
        summary = cache.cached(
            session, ("summary",), year_, lambda: queries.compliance_summary(session, year_)
        )
        charts = _overview_charts(session, request, view, summary)
        values.update(view=view, charts=charts, summary=summary)
    return render(
        request, "indicators/overview.html", context(request, **values), status_code=status_code
    )


def _overview_charts(
    session: PageDB, request: Request, view: dict[str, Any], summary: dict[str, dict[str, int]]
) -> dict[str, str]:
    lang = get_lang(request)

    def t(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    levels = view["enrolled_by_level"]
    fields = sorted(view["enrolled_by_field"].items(), key=lambda kv: -kv[1])[:12]
    names = cache.cached(session, ("fields",), 0, lambda: overview.field_names(session))
    crit = criteria()
    enrolled, graduates = dict(view["trend_enrolled"]), dict(view["trend_graduates"])
    trend_years = sorted(set(enrolled) | set(graduates))
    statuses = [
        ("pass", "Đạt", "Pass"),
        ("fail", "Không đạt", "Fail"),
        ("unknown", "Chưa xác định", "Unknown"),
        ("na", "Chưa áp dụng", "Not in force"),
    ]
    return {
        "levels": chart(
            "bar",
            [code_label("level", k, lang) for k in levels],
            [
                {"label": t("Đang học", "Enrolled"), "data": list(levels.values())},
                {
                    "label": t("Tốt nghiệp", "Graduates"),
                    "data": [view["graduates_by_level"].get(k, 0) for k in levels],
                },
            ],
        ),
        "regions": chart(
            "bar",
            list(view["enrolled_by_region"]),
            [
                {
                    "label": t("Người học", "Learners"),
                    "data": list(view["enrolled_by_region"].values()),
                }
            ],
            horizontal=True,
        ),
        "fields": chart(
            "bar",
            [names.get(k, k) for k, _ in fields],
            [{"label": t("Người học", "Learners"), "data": [n for _, n in fields]}],
            horizontal=True,
        ),
        "ownership": chart(
            "doughnut",
            [
                queries.OWNERSHIP_LABELS.get(k, (k, k))[lang == "en"]
                for k in view["enrolled_by_ownership"]
            ],
            [
                {
                    "label": t("Người học", "Learners"),
                    "data": list(view["enrolled_by_ownership"].values()),
                }
            ],
        ),
        "trend": chart(
            "line",
            [str(y) for y in trend_years],
            [
                {
                    "label": t("Đang học", "Enrolled"),
                    "data": [enrolled.get(y, 0) for y in trend_years],
                },
                {
                    "label": t("Tốt nghiệp", "Graduates"),
                    "data": [graduates.get(y, 0) for y in trend_years],
                },
            ],
        ),
        # short category names, so none is cut; the tooltip gives the full one
        "compliance": chart(
            "bar",
            [d.short(lang) for d in crit],
            [
                {
                    "label": t(vi, en),
                    "status": code,
                    "data": [summary[d.id].get(code, 0) for d in crit],
                }
                for code, vi, en in statuses
            ],
            stacked=True,
            horizontal=True,
            titles=[d.name(lang) for d in crit],
        ),
    }


@router.get("/indicators/compliance")
def compliance_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    year: int | None = YearQuery,
    province: str = Query("", max_length=3),
    ownership: str = Query("", max_length=20),
    status: str = Query("", max_length=10),
    sort: str = Query("name", max_length=40),
    order: str = Query("asc", pattern="^(asc|desc)$"),
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    require_viewer(principal)
    chosen = queries.latest_year(session, year)
    rows: list[queries.MatrixRow] = []
    if chosen is not None:
        year_ = chosen
        rows = cache.cached(
            session,
            ("matrix", province, ownership, status, sort, order),
            year_,
            lambda: queries.matrix(
                session, year_, province, ownership, status, sort, order == "desc"
            ),
        )
    flt = {
        "province": province,
        "ownership": ownership,
        "status": status,
        "sort": sort,
        "order": order,
    }
    pages = max(1, -(-len(rows) // MATRIX_PAGE))
    page = min(page, pages)
    values = {
        "year": chosen,
        "years": queries.years(session),
        "rows": rows[(page - 1) * MATRIX_PAGE : page * MATRIX_PAGE],
        "total": len(rows),
        "page": page,
        "pages": pages,
        "flt": flt,
        "provinces": queries.provinces(session),
        "columns": [*criteria(), by_id()["dq_score"]],
    }
    return render(request, "indicators/compliance.html", context(request, **values))


@router.get("/indicators/institutions/{institution_id}")
def institution_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    institution_id: int,
    year: int | None = YearQuery,
) -> Response:
    require_viewer(principal)
    inst = queries.get_institution(session, institution_id)
    chosen = queries.latest_year(session, year)
    results = queries.institution_results(session, inst.id, chosen) if chosen else []
    trends = queries.trends(session, inst.id)
    lang = get_lang(request)
    years = sorted({y for points in trends.values() for y, _ in points})
    percent = [d for d in criteria() if d.unit == "percent" and d.id in trends]
    charts = {
        "percent": chart(
            "line",
            [str(y) for y in years],
            [
                {"label": d.name(lang), "data": [_at(trends[d.id], y, 100.0) for y in years]}
                for d in percent
                if any(v is not None for _, v in trends[d.id])
            ],
        ),
        "ratio": chart(
            "line",
            [str(y) for y in years],
            [
                {
                    "label": by_id()["lecturer_ratio"].name(lang),
                    "data": [_at(trends.get("lecturer_ratio", []), y, 1.0) for y in years],
                },
                {
                    "label": by_id()["floor_per_student"].name(lang),
                    "data": [_at(trends.get("floor_per_student", []), y, 1.0) for y in years],
                },
            ],
        ),
    }
    values = {
        "inst": inst,
        "year": chosen,
        "years": queries.years(session),
        "results": [r for r in results if by_id()[r.indicator_id].family == "criterion"],
        "quality_results": [r for r in results if by_id()[r.indicator_id].family == "quality"],
        "drill_parts": drills.DRILL,
        "charts": charts,
        "has_trend": len(years) > 1,
    }
    return render(request, "indicators/institution.html", context(request, **values))


def _at(points: list[tuple[int, float | None]], year: int, scale: float) -> float | None:
    for y, v in points:
        if y == year:
            return None if v is None else round(v * scale, 3)
    return None


@router.get("/indicators/institutions/{institution_id}/drill/{indicator_id}/{part}")
def drill_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    institution_id: int,
    indicator_id: str,
    part: str,
    year: int | None = YearQuery,
    page: int = Query(1, ge=1, le=1_000_000),
) -> Response:
    require_viewer(principal)
    inst = queries.get_institution(session, institution_id)
    chosen = queries.latest_year(session, year)
    definition = by_id().get(indicator_id)
    if chosen is None or definition is None:
        raise NotFound("indicator", indicator_id)
    found = drills.drill(session, inst.id, indicator_id, part, chosen, page)
    values = {"inst": inst, "year": chosen, "d": definition, "drill": found}
    name = (
        "indicators/_drill.html" if request.headers.get("hx-request") else "indicators/drill.html"
    )
    return render(request, name, context(request, **values))


@router.get("/indicators/provinces/{code}")
def province_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    code: str,
    year: int | None = YearQuery,
) -> Response:
    require_national(principal)
    names = queries.provinces(session)
    if code not in names:
        raise NotFound("province", code)
    chosen = queries.latest_year(session, year)
    lang = get_lang(request)
    values: dict[str, Any] = {
        "code": code,
        "province_name": names[code],
        "year": chosen,
        "years": queries.years(session),
    }
    if chosen is not None:
        year_ = chosen
        view = cache.cached(
            session, ("national", code), year_, lambda: overview.national(session, year_, code)
        )
        levels = view["enrolled_by_level"]
        sexes = view["enrolled_by_sex"]
        values.update(
            view=view,
            rows=cache.cached(
                session,
                ("matrix", code),
                year_,
                lambda: queries.matrix(session, year_, province=code),
            ),
            columns=[*criteria(), by_id()["dq_score"]],
            charts={
                "levels": chart(
                    "bar",
                    [code_label("level", k, lang) for k in levels],
                    [{"label": "", "data": list(levels.values())}],
                ),
                "sex": chart(
                    "doughnut",
                    [code_label("sex", k, lang) for k in sexes],
                    [{"label": "", "data": list(sexes.values())}],
                ),
            },
        )
    return render(request, "indicators/province.html", context(request, **values))
