"""Changing one's password; the page every other page leads to while a school's one-time
password is still in use (web/deps.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts import service_candidates as candidates
from hemis.accounts.service import session_digest
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import ValidationFailed
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PASSWORD_PATH, SESSION_COOKIE, Context, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
Secret = Annotated[str, Form(max_length=200)]


def _form(
    request: Request,
    ctx: Context,
    principal: PagePrincipal,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with scoped_session(ctx.sessions, Scope.system("account")) as session:
        has_password = candidates.has_password(session, principal.user_id)
    return render(
        request,
        "accounts/password.html",
        {
            "nav": "password",
            "problems": problems or {},
            "has_password": has_password,
            "forced": principal.must_change_password,
            "min_length": candidates.MIN_PASSWORD,
            "changed": request.query_params.get("changed") == "1",
        },
        status_code=status_code,
    )


@router.get(PASSWORD_PATH)
def password_form(request: Request, ctx: Context, principal: PagePrincipal) -> Response:
    return _form(request, ctx, principal)


@router.post(PASSWORD_PATH)
def change_password(
    request: Request,
    ctx: Context,
    principal: PagePrincipal,
    _csrf: CsrfChecked,
    current: Secret = "",
    new: Secret = "",
    confirm: Secret = "",
) -> Response:
    lang = get_lang(request)
    keep = session_digest(request.cookies.get(SESSION_COOKIE, ""))
    # Accounts and sessions are national tables; the service touches this user's rows only.
    scope = Scope(f"user:{principal.user_id}", None, True, principal.role.value)
    with scoped_session(ctx.sessions, scope) as session:
        try:
            candidates.change_password(session, principal.user_id, current, new, confirm, keep)
        except ValidationFailed as exc:
            problems = {
                d["field"]: d["message_en"] if lang == "en" else d["message"] for d in exc.details
            }
            return _form(request, ctx, principal, problems, 422)
    return RedirectResponse(f"{PASSWORD_PATH}?changed=1", status_code=303)
