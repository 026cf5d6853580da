"""Recomputing a year's competency indicators as an action job (a ministry administrator starts
it from the competency dashboard), one run per year at a time."""

from __future__ import annotations

from typing import Any

from hemis.actions.kinds import ActionContext, ActionKind, Params, register
from hemis.competency.indicators import compute_year
from hemis.indicators.actions import year_of

COMPUTE_KIND = "competency.compute"


def _compute(ctx: ActionContext, params: Params) -> dict[str, Any]:
    year = year_of(params)
    ctx.progress("computing", 0, 1)
    done = compute_year(ctx.sessions, year)
    ctx.progress("computing", 1, 1)
    return {"year": year, "learners": done.learners, "cube_rows": done.rows}


def _describe(params: Params, lang: str) -> str:
    year = params.get("year")
    return f"year {year}" if lang == "en" else f"năm {year}"


register(
    ActionKind(
        COMPUTE_KIND,
        "Tính lại chỉ số năng lực số",
        "Competency indicator recomputation",
        _compute,
        lambda params: f"competency:{year_of(params)}",
        lambda params: f"/competency/indicators?year={params.get('year')}",
        describe=_describe,
    )
)
