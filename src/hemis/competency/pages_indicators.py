"""The competency dashboard: shares at or above target per competency and domain (charts), by
institution, field, region or sex, the gaps, the open data and (for a ministry administrator)
recomputing a year in the background. Officers see their own institution only."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.actions import service as action_service
from hemis.actions.service import ActionRunning
from hemis.actions.worker import ensure_worker
from hemis.common.spreadsheet import csv_bytes
from hemis.competency import queries_indicators as q
from hemis.competency.access import PublicDB
from hemis.competency.actions import COMPUTE_KIND
from hemis.competency.framework import framework
from hemis.competency.indicator_defs import MEASURES, RULES
from hemis.competency.indicators import POPULATIONS
from hemis.competency.opendata import open_tables
from hemis.competency.pages_targets import require_national, require_staff
from hemis.errors import HemisError, NotFound
from hemis.indicators.actions import FIRST_YEAR, LAST_YEAR
from hemis.indicators.opendata import open_frame
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.forms import FormErrors
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
YearQuery = Query(None, ge=FIRST_YEAR, le=LAST_YEAR)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _chart(labels: list[str], values: list[float | None], label: str) -> str:
    data = [None if v is None else round(v * 100, 1) for v in values]
    return json.dumps(
        {"type": "bar", "labels": labels, "datasets": [{"label": label, "data": data}]},
        ensure_ascii=False,
    )


@router.get("/competency/indicators")
def dashboard(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    year: int | None = YearQuery,
    population: str = Query("learners", pattern="^(learners|graduates)$"),
    by: q.GroupBy = Query(q.GroupBy.region),
) -> Response:
    require_staff(principal)
    return _dashboard(request, principal, session, year, population, by)


def _dashboard(
    request: Request,
    principal: Principal,
    session: Session,
    year: int | None,
    population: str,
    by: q.GroupBy,
    errors: FormErrors | None = None,
    typed: str = "",
    status_code: int = 200,
) -> Response:
    lang = get_lang(request)
    own = None if principal.role.national else principal.institution_id
    chosen = q.latest_year(session, year)
    fw = framework()
    values: dict[str, Any] = {
        "nav": "competency",
        "year": chosen,
        "years": q.years(session),
        "population": population,
        "populations": POPULATIONS,
        "population_labels": q.POPULATION_LABELS,
        "by": by,
        "group_labels": q.GROUP_LABELS,
        "fw": fw,
        "measures": MEASURES,
        "rules": RULES,
        "percent": percent,
        "own": own,
        "can_compute": principal.role is Role.ministry_admin,
        "errors": errors,
        "typed": typed,
    }
    if chosen is not None:
        cells = q.summary(session, chosen, population, own)
        groups, grouped = q.grouped(session, chosen, population, by, own)
        codes = [c.code for c in fw.competencies]
        domains = [f"D{d.code}" for d in fw.domains]
        label = "Tỉ lệ đạt mục tiêu (%)" if lang == "vi" else "At or above target (%)"
        values.update(
            cells=cells,
            groups=groups,
            grouped=grouped,
            domains=domains,
            chart_competencies=_chart(codes, [_share(cells, c) for c in codes], label),
            chart_domains=_chart(
                [fw.domain(d[1:]).name(lang) for d in domains],
                [_share(cells, d) for d in domains],
                label,
            ),
        )
    return render(request, "competency/indicators.html", values, status_code=status_code)


def _share(cells: dict[str, q.Cell], code: str) -> float | None:
    cell = cells.get(code)
    return cell.share_met if cell else None


@router.post("/competency/indicators/compute")
def start_compute(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    compute_year: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    require_national(principal)
    lang = get_lang(request)
    typed = compute_year.strip()
    if not typed.isdigit() or not FIRST_YEAR <= int(typed) <= LAST_YEAR:
        errors = FormErrors()
        errors.add(
            "compute_year",
            f"Năm cần tính lại: phải là năm từ {FIRST_YEAR} đến {LAST_YEAR}"
            if lang == "vi"
            else f"Year to recompute: must be a year from {FIRST_YEAR} to {LAST_YEAR}",
        )
        return _dashboard(
            request, principal, session, None, "learners", q.GroupBy.region, errors, typed, 422
        )
    try:
        job = action_service.start_action(session, COMPUTE_KIND, {"year": int(typed)})
    except ActionRunning as exc:
        return RedirectResponse(f"/actions/{exc.job_id}?already=1", status_code=303)
    except HemisError as exc:
        session.rollback()
        errors = FormErrors()
        errors.general.append(exc.message(lang))
        return _dashboard(
            request, principal, session, None, "learners", q.GroupBy.region, errors, typed,
            exc.status,
        )  # fmt: skip
    ensure_worker(request.app)
    return RedirectResponse(f"/actions/{job.id}", status_code=303)


@router.get("/competency/open-data/{year}.{fmt}")
def open_data(db: PublicDB, year: int, fmt: str) -> Response:
    """Public: the suppressed national tables of a year, CSV (long form) or JSON."""
    if not FIRST_YEAR <= year <= LAST_YEAR or fmt not in ("csv", "json"):
        raise NotFound("dữ liệu mở / open data", f"{year}.{fmt[:8]}")
    tables = open_tables(db, year)
    if fmt == "json":
        body = json.dumps([t.as_dict() for t in tables], ensure_ascii=False)
        return Response(body, media_type="application/json")
    frame = open_frame(tables)
    return Response(
        csv_bytes(frame) if not frame.is_empty() else "table,row,column,value,suppressed\n",
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="nang-luc-so-{year}.csv"'},
    )
