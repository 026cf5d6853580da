"""Recomputing a year's indicators as an action job, started by a ministry administrator from
the national dashboard: every criterion, the data-quality components and the national cube of
the year, in one transaction (engine.compute_year), so the dashboard follows the registry's data
— e.g. once an institution's submission has been accepted. One run per year at a time.

Progress is reported only before and after the computation: on SQLite a progress write waits for
the write lock the computation's transaction holds."""

from __future__ import annotations

from typing import Any

from hemis.actions.kinds import ActionContext, ActionKind, Params, register
from hemis.errors import ValidationFailed
from hemis.indicators.engine import compute_year

COMPUTE_KIND = "indicators.compute"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_of(params: Params) -> int:
    value = params.get("year")
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not FIRST_YEAR <= value <= LAST_YEAR
    ):
        raise ValidationFailed(
            f"Năm báo cáo phải là năm từ {FIRST_YEAR} đến {LAST_YEAR}.",
            f"The reporting year must be a year from {FIRST_YEAR} to {LAST_YEAR}.",
            details=[{"field": "year", "code": "action.year"}],
        )
    return value


def _compute(ctx: ActionContext, params: Params) -> dict[str, Any]:
    year = year_of(params)
    ctx.progress("computing", 0, 1)
    done = compute_year(ctx.sessions, year)
    ctx.progress("computing", 1, 1)
    return {
        "year": year,
        "institutions": done.institutions,
        "results": done.results,
        "cube_rows": done.cube_rows,
    }


def _describe(params: Params, lang: str) -> str:
    year = params.get("year")
    return f"year {year}" if lang == "en" else f"năm {year}"


register(
    ActionKind(
        COMPUTE_KIND,
        "Tính lại chỉ số",
        "Indicator recomputation",
        _compute,
        lambda params: f"indicators:{year_of(params)}",
        lambda params: f"/indicators?year={params.get('year')}",
        describe=_describe,
    )
)
