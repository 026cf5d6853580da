"""HTML pages of accounts: login and logout with server-side sessions and CSRF protection."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hemis.accounts import service
from hemis.config import Settings
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import RateLimited, Unauthorized
from hemis.web.csrf import LOGIN_CSRF_COOKIE, CsrfChecked, LoginCsrfChecked, new_login_token
from hemis.web.csrf import login_token_valid as _login_token_valid
from hemis.web.deps import (
    LOGIN_PATH,
    SESSION_COOKIE,
    Context,
    PagePrincipal,
    find_principal,
    get_lang,
)
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_SECONDS = 2 * 3600


def safe_next(value: str | None) -> str:
    """A same-site relative path to go to after login; anything else becomes "/"."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path == LOGIN_PATH:
        return "/"
    return value


def _set_login_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_SECONDS,
        path=LOGIN_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def _login_form(
    request: Request,
    ctx: Context,
    next_path: str,
    *,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    token = cookie if cookie and _login_token_valid(ctx.settings.secret_key, cookie) else None
    token = token or new_login_token(ctx.settings.secret_key)
    response = render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "next_path": next_path,
            "username": username,
            "login_error": error,
        },
        status_code=status_code,
    )
    if token != cookie:
        _set_login_cookie(response, ctx.settings, token)
    return response


@router.get(LOGIN_PATH)
def login_page(request: Request, ctx: Context, next: str | None = None) -> Response:
    if find_principal(request, ctx) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, ctx, safe_next(next))


@router.post(LOGIN_PATH)
async def login(
    request: Request,
    ctx: Context,
    _csrf: LoginCsrfChecked,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Attempts are limited per username and client address and slowed down per username, as
    for API tokens (accounts/throttle.py)."""
    username = username.strip()
    client = request.client.host if request.client else "unknown"
    lang = get_lang(request)
    try:
        if not username or not password:
            raise Unauthorized(
                "Vui lòng nhập tên đăng nhập và mật khẩu.",
                "Please enter your username and password.",
            )
        principal = await service.authenticate(
            ctx.sessions, ctx.settings, username, password, client
        )
    except (Unauthorized, RateLimited) as exc:
        form = _login_form(
            request,
            ctx,
            safe_next(next),
            username=username,
            error=exc.message(lang),
            status_code=exc.status,
        )
        if isinstance(exc, RateLimited) and exc.retry_after:
            form.headers["Retry-After"] = str(exc.retry_after)
        return form

    def open_session() -> str:
        with scoped_session(ctx.sessions, Scope.system("web-login")) as session:
            if old := request.cookies.get(SESSION_COOKIE):
                service.close_web_session(session, old)  # no session fixation
            return service.open_web_session(session, ctx.settings, principal)

    token = await run_in_threadpool(open_session)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(service.session_lifetime(ctx.settings, principal).total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.cookie_secure,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/logout")
def logout(
    request: Request, principal: PagePrincipal, _csrf: CsrfChecked, ctx: Context
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with scoped_session(ctx.sessions, Scope.system("web-logout")) as session:
            service.close_web_session(session, token)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
