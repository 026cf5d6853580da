"""Pages of the competency domain. The framework page is public (published law); the others
check their reader's role in the modules that serve them (pages_targets, pages_learner,
pages_credentials, pages_indicators)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hemis.competency import queries
from hemis.competency.access import PublicDB
from hemis.web.deps import Context, find_principal
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
# Names that circulate in two versions (competency/data/SOURCES.md): the code is the key.
TWO_NAMES = ("2.5", "5.4", "6.1", "6.2", "6.3")


@router.get("/competency/framework")
def framework_page(
    request: Request,
    ctx: Context,
    db: PublicDB,
    version: str | None = Query(None, max_length=20, pattern=r"^[A-Za-z0-9._-]+$"),
) -> Response:
    find_principal(request, ctx)  # the header shows who is logged in, if anyone
    return render(
        request,
        "competency/framework.html",
        {
            "nav": "competency",
            "fw": queries.get_framework(db, version),
            "versions": queries.framework_versions(db),
            "two_names": TWO_NAMES,
        },
    )
