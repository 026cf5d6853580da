"""Officers' and the ministry's pages of learners' assessed levels: an institution's learners (a
page at a time, with the upload of assessment files through the submission pipeline) and one
learner's profile against the program's targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.competency.codes import method_label
from hemis.competency.entities import DIGITAL_COMPETENCIES, DIGITAL_COMPETENCIES_WIDE
from hemis.competency.pages_targets import require_staff
from hemis.competency.profile import profile_of
from hemis.competency.queries_learners import PAGE, learners_page
from hemis.registry.labels import label
from hemis.registry.queries import get_institution
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
BIG = 2**63 - 1


@router.get("/competency/learners")
def learners(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    institution_id: int | None = Query(None, ge=1, le=BIG),
    q: str = Query("", max_length=30),
    page: int = Query(1, ge=1, le=1_000_000),
) -> Response:
    require_staff(principal)
    chosen = principal.institution_id if not principal.role.national else institution_id
    if chosen is None:
        return RedirectResponse("/competency/coverage", status_code=303)
    inst = get_institution(session, chosen)
    rows, total = learners_page(session, inst.id, q.strip(), page)
    lang = get_lang(request)
    return render(
        request,
        "competency/learners.html",
        {
            "nav": "competency",
            "institution": inst,
            "rows": rows,
            "total": total,
            "q": q.strip(),
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "status_label": lambda code: label(code, "en" if lang == "en" else "vi"),
            "entities": [DIGITAL_COMPETENCIES, DIGITAL_COMPETENCIES_WIDE],
        },
    )


@router.get("/competency/learners/{learner_id}")
def learner(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    learner_id: Annotated[int, Path(ge=1, le=BIG)],
) -> Response:
    require_staff(principal)
    lang = get_lang(request)
    return render(
        request,
        "competency/learner.html",
        {
            "nav": "competency",
            "profile": profile_of(session, learner_id),
            "method_label": lambda code: method_label(code, lang),
        },
    )
