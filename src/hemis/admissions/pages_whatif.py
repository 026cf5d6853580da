"""The candidate's what-if: their wishes with a chance band each against the reference round
(this year's latest published round, or last year's final one), the wish they would hold today,
and the score distributions the ministry published for those programs. The candidate may try
another order (moving wishes up and down only changes the page's address: nothing is saved)
and save it while the wish window is open."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.admissions import queries_whatif, service, service_wishes
from hemis.admissions.pages_common import page
from hemis.admissions.queries import current_year
from hemis.db.types import utcnow
from hemis.errors import HemisError, NotFound
from hemis.web.csrf import CsrfChecked
from hemis.web.portal import Candidate, error_text

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303
PATH = "/admissions/what-if"


def parse_order(text: str) -> list[int]:
    """`12,7,9` → [12, 7, 9]; anything else → [] (the saved order is shown)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 19 for p in parts):
        return []
    return [int(p) for p in parts]


def moved(order: list[int], index: int, step: int) -> list[int]:
    """The order with the wish at `index` moved one place up (-1) or down (1)."""
    out = list(order)
    other = index + step
    if 0 <= index < len(out) and 0 <= other < len(out):
        out[index], out[other] = out[other], out[index]
    return out


def _page(
    request: Request, c: Candidate, order: list[int], errors: list[str] | None = None
) -> Response:
    year = current_year(c.own)
    if year is None:
        raise NotFound("admission_year")
    calendar = service.get_year(c.own, year)
    result = queries_whatif.what_if(c.own, c.catalogue, year, c.person_id, order)
    links = [
        (
            ",".join(map(str, moved(result.order, i, -1))),
            ",".join(map(str, moved(result.order, i, 1))),
        )
        for i in range(len(result.rows))
    ]
    return page(
        request,
        "admissions/what_if.html",
        status_code=422 if errors else 200,
        nav="records",
        tab="what_if",
        year=year,
        result=result,
        links=links,
        order_text=",".join(map(str, result.order)),
        window_open=service.wish_window(calendar).is_open(utcnow()),
        errors=errors or [],
    )


@router.get(PATH)
def what_if(
    request: Request, c: Candidate, order: Annotated[str, Query(max_length=2000)] = ""
) -> Response:
    return _page(request, c, parse_order(order))


@router.post(f"{PATH}/save")
def save_order(
    request: Request,
    c: Candidate,
    _csrf: CsrfChecked,
    order: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Save the order tried on the page (the wish window must be open)."""
    wanted = parse_order(order)
    year = current_year(c.own)
    if year is None:
        raise NotFound("admission_year")
    try:
        service_wishes.reorder_wishes(c.own, c.catalogue, year, c.person_id, wanted)
    except HemisError as exc:
        return _page(request, c, wanted, error_text(request, exc))
    return RedirectResponse(f"{PATH}?saved=1", status_code=SEE_OTHER)
