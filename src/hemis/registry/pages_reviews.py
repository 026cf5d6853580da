"""The ministry's page of person claims waiting for review (registry/service_reviews.py).

Only the ministry sees it; only a writable ministry account decides. Each decision form
carries the version of the claim it showed, so a claim settled or changed meanwhile is not
settled again on an old view.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.service import Principal
from hemis.db.versions import STALE_FORM, at_version
from hemis.errors import Forbidden, HemisError, PreconditionFailed
from hemis.registry import service_reviews
from hemis.registry.codes import Sex
from hemis.registry.labels import Lang, label
from hemis.registry.service_reviews import Decision
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import CipherDep, PageDB, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
PATH = "/persons/reviews"
FIELD_NAMES = {
    "full_name": ("Họ tên", "Name"),
    "date_of_birth": ("Ngày sinh", "Date of birth"),
    "sex": ("Giới tính", "Sex"),
    "ethnicity_code": ("Dân tộc", "Ethnicity"),
    "nationality": ("Quốc tịch", "Nationality"),
}


def _ministry(principal: Principal, *, write: bool = False) -> None:
    if not principal.role.national or (write and not principal.role.writable):
        raise Forbidden()


def _page(
    request: Request,
    session: PageDB,
    cipher: CipherDep,
    page: int,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    lang: Lang = "en" if get_lang(request) == "en" else "vi"
    context = {
        "nav": "institutions",
        "reviews": service_reviews.pending(session, cipher, page),
        "total": service_reviews.pending_count(session),
        "page": page,
        "page_size": service_reviews.PAGE_SIZE,
        "decisions": [d.value for d in Decision],
        "sex_label": lambda value: label(value, lang, enum=Sex),
        "field_names": FIELD_NAMES,
        "errors": errors or [],
    }
    return render(request, "registry/person_reviews.html", context, status_code)


@router.get(PATH)
def reviews_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    _ministry(principal)
    return _page(request, session, cipher, page)


@router.post(PATH + "/{claim_id}")
def decide(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    _csrf: CsrfChecked,
    claim_id: int,
    decision: Annotated[Decision, Form()],
    row_version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    _ministry(principal, write=True)
    try:
        service_reviews.resolve(session, cipher, claim_id, decision, at_version(row_version))
    except PreconditionFailed:
        message = STALE_FORM[1] if get_lang(request) == "en" else STALE_FORM[0]
        return _page(request, session, cipher, 1, [message], 409)
    except HemisError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _page(request, session, cipher, 1, [exc.message(get_lang(request))], exc.status)
    return RedirectResponse(PATH, status_code=303)
