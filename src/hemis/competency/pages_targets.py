"""Pages of program targets: an institution's programs against the framework (with the upload
of the `competency_targets` file through the submission pipeline), and the ministry's coverage
view. Officers see their own institution only (the scoped PageDB session)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.competency import queries_targets
from hemis.competency.entities import COMPETENCY_TARGETS
from hemis.competency.framework import framework
from hemis.competency.queries_targets import COVERAGE_LABELS, CoverageBy
from hemis.errors import Forbidden
from hemis.registry.queries import get_institution
from hemis.web.deps import PageDB, PagePrincipal
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)


def require_staff(principal: Principal) -> None:
    """Ministry users and institution officers."""
    if not (principal.role.national or principal.role is Role.institution_officer):
        raise Forbidden()


def require_national(principal: Principal) -> None:
    if not principal.role.national:
        raise Forbidden("Chỉ Bộ GD&ĐT được xem trang này.", "Only the ministry may view this page.")


@router.get("/competency")
def hub(request: Request, principal: PagePrincipal) -> Response:
    """Where the domain's pages start for ministry users and officers (learners have theirs)."""
    if principal.role in (Role.candidate, Role.learner):
        return RedirectResponse("/me/competency", status_code=303)
    require_staff(principal)
    return render(request, "competency/hub.html", {"nav": "competency"})


@router.get("/competency/targets")
def targets_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    institution_id: int | None = Query(None, ge=1, le=2**63 - 1),
) -> Response:
    require_staff(principal)
    chosen = principal.institution_id if not principal.role.national else institution_id
    if chosen is None:
        return RedirectResponse("/competency/coverage", status_code=303)
    inst = get_institution(session, chosen)
    return render(
        request,
        "competency/targets.html",
        {
            "nav": "competency",
            "institution": inst,
            "programs": queries_targets.program_targets(session, inst.id),
            "fw": framework(),
            "entities": [COMPETENCY_TARGETS],
        },
    )


@router.get("/competency/coverage")
def coverage_page(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    by: CoverageBy = Query(CoverageBy.institution),
) -> Response:
    require_national(principal)
    return render(
        request,
        "competency/coverage.html",
        {
            "nav": "competency",
            "by": by,
            "groupings": COVERAGE_LABELS,
            "rows": queries_targets.coverage(session, by),
            "fw": framework(),
        },
    )
