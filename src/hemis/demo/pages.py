"""The demo calendar page (ministry): where the demo admission year stands, and a control that
moves it to another phase — what `hemis demo --phase` does. The application includes this router
only in the development environment (web/app.py): in production the page does not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.service import Principal
from hemis.demo import queries, service
from hemis.demo.context import DemoContext
from hemis.demo.rules import PHASE_HELP, PHASE_LABELS, PHASES, Phase
from hemis.errors import Forbidden, HemisError
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import Context, PageDB, PagePrincipal, get_lang
from hemis.web.portal import error_text, local_time
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303


def _ministry(principal: Principal) -> None:
    if not principal.role.national:
        raise Forbidden("Trang này dành cho Bộ GD&ĐT.", "This page is for the ministry.")


def _page(
    request: Request,
    session: PageDB,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = get_lang(request)

    def label(phase: Phase) -> str:
        vi, en = PHASE_LABELS[phase]
        return en if lang == "en" else vi

    def explain(phase: Phase) -> str:
        vi, en = PHASE_HELP[phase]
        return en if lang == "en" else vi

    return render(
        request,
        "demo/calendar.html",
        {
            "nav": "demo",
            "status": queries.status(session),
            "phases": PHASES,
            "label": label,
            "explain": explain,
            "local_time": local_time,
            "errors": errors or [],
        },
        status_code=status_code,
    )


@router.get("/demo")
def calendar(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _ministry(principal)
    return _page(request, session)


@router.post("/demo/phase")
def move(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    ctx: Context,
    _csrf: CsrfChecked,
    phase: Annotated[Phase, Form()],
) -> Response:
    _ministry(principal)
    demo = DemoContext(ctx.settings, ctx.engine, ctx.sessions, ctx.cipher, principal.scope())
    try:
        service.move_to(demo, phase)
    except HemisError as exc:
        session.rollback()  # the page reads the year again, as the move left it
        return _page(request, session, error_text(request, exc), exc.status)
    return RedirectResponse("/demo", status_code=SEE_OTHER)
