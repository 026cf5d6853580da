"""REST API of the competency indicators under /api/v1/competency/indicators: the cube summed
nationally (an officer: their institution) or by institution, field, region or sex."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hemis.accounts.service import Principal
from hemis.competency import queries_indicators as q
from hemis.errors import NotFound
from hemis.web.api_deps import ERROR_RESPONSES, RegistryAccess
from hemis.web.deps import DB, CurrentPrincipal

router = APIRouter(
    prefix="/api/v1/competency",
    tags=["competency"],
    dependencies=[RegistryAccess],
    responses=ERROR_RESPONSES,
)


def _own(principal: Principal) -> int | None:
    return None if principal.role.national else principal.institution_id


@router.get("/indicators")
def indicators(
    db: DB,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    population: Annotated[str, Query(pattern="^(learners|graduates)$")] = "learners",
    by: Annotated[q.GroupBy | None, Query(description="Group by; default: no grouping")] = None,
) -> dict[str, Any]:
    """Per competency (1.1 … 6.3) and domain (D1 … D6): learners with a target, assessed, at or
    above target, below it, levels missing, and the derived shares and mean gap."""
    chosen = q.latest_year(db, year)
    if chosen is None:
        raise NotFound("chỉ số năng lực số / competency indicators")
    own = _own(principal)
    if by is None:
        cells = q.summary(db, chosen, population, own)
        items = [{"code": code, **cell.as_dict()} for code, cell in sorted(cells.items())]
        return {"year": chosen, "population": population, "items": items}
    groups, grouped = q.grouped(db, chosen, population, by, own)
    names = dict(groups)
    items = [
        {"group": key, "name": names.get(key, key), "code": code, **cell.as_dict()}
        for (key, code), cell in sorted(grouped.items())
    ]
    return {"year": chosen, "population": population, "by": by.value, "items": items}
