"""Request dependencies: the caller (bearer token or web session) and a scoped DB session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, HTTPException, Request

from hemis.accounts import service as accounts
from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import Forbidden, Unauthorized
from hemis.web.context import AppContext

SESSION_COOKIE = "hemis_session"
LANG_COOKIE = "hemis_lang"
LOGIN_PATH = "/login"
PASSWORD_PATH = "/account/password"  # noqa: S105 - a path, not a password
# What a user with a one-time password may still reach: the form that replaces it, and logout.
_BEFORE_PASSWORD_CHANGE = (PASSWORD_PATH, "/logout")


def get_context(request: Request) -> AppContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx


Context = Annotated[AppContext, Depends(get_context)]


def get_settings_dep(ctx: Context) -> Settings:
    return ctx.settings


def get_cipher(ctx: Context) -> IdCipher:
    return ctx.cipher


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CipherDep = Annotated[IdCipher, Depends(get_cipher)]


def get_lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "vi"
    return "en" if lang == "en" else "vi"


Lang = Annotated[str, Depends(get_lang)]


def find_principal(request: Request, ctx: AppContext) -> accounts.Principal | None:
    """The caller, from a bearer token or the session cookie; cached on the request."""
    if hasattr(request.state, "principal"):
        cached = request.state.principal
        return cached if isinstance(cached, accounts.Principal) else None
    principal: accounts.Principal | None = None
    auth = request.headers.get("authorization", "")
    with scoped_session(ctx.sessions, Scope.system("auth")) as session:
        if auth.lower().startswith("bearer "):
            principal = accounts.resolve_token(session, auth[7:].strip())
        elif token := request.cookies.get(SESSION_COOKIE):
            found = accounts.resolve_web_session(session, token)
            if found is not None:
                principal, request.state.csrf_token = found
    request.state.principal = principal
    return principal


def get_principal(request: Request, ctx: Context) -> accounts.Principal:
    principal = find_principal(request, ctx)
    if principal is None:
        raise Unauthorized("Vui lòng đăng nhập.", "Please log in.")
    if principal.must_change_password:
        raise Forbidden(
            "Vui lòng đổi mật khẩu một lần trước khi tiếp tục.",
            "Change your one-time password before going on.",
            code="password_change_required",
        )
    return principal


CurrentPrincipal = Annotated[accounts.Principal, Depends(get_principal)]


def get_db(ctx: Context, principal: CurrentPrincipal) -> Iterator[HemisSession]:
    """A session scoped to the caller's institution (or the nation for ministry roles)."""
    with scoped_session(ctx.sessions, principal.scope()) as session:
        yield session


DB = Annotated[HemisSession, Depends(get_db)]


def require_roles(*roles: Role) -> object:
    def check(principal: CurrentPrincipal) -> accounts.Principal:
        if principal.role not in roles:
            raise Forbidden()
        return principal

    return Depends(check)


def require_national(principal: CurrentPrincipal) -> accounts.Principal:
    if not principal.role.national:
        raise Forbidden()
    return principal


NationalPrincipal = Annotated[accounts.Principal, Depends(require_national)]


# --- HTML pages: an anonymous visitor is sent to the login page instead of getting a 401. ---


def _page_location(request: Request) -> str:
    """Path and query of the page the visitor was on (for htmx: the page, not the fragment)."""
    current = request.headers.get("hx-current-url")
    if current:
        parts = urlsplit(current)
        if parts.netloc == request.url.netloc:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def login_redirect_url(request: Request) -> str:
    """The login page, coming back afterwards to the page asked for (only GET pages)."""
    if request.method != "GET" and not request.headers.get("hx-current-url"):
        return LOGIN_PATH
    return f"{LOGIN_PATH}?{urlencode({'next': _page_location(request)})}"


def require_page_principal(request: Request, ctx: Context) -> accounts.Principal:
    """The logged-in user of a page; anonymous visitors are redirected to /login?next=…."""
    principal = find_principal(request, ctx)
    if principal is None:
        target = login_redirect_url(request)
        if request.headers.get("hx-request"):
            raise HTTPException(401, headers={"HX-Redirect": target})
        raise HTTPException(303, headers={"Location": target})
    if principal.must_change_password and request.url.path not in _BEFORE_PASSWORD_CHANGE:
        if request.headers.get("hx-request"):
            raise HTTPException(401, headers={"HX-Redirect": PASSWORD_PATH})
        raise HTTPException(303, headers={"Location": PASSWORD_PATH})
    return principal


PagePrincipal = Annotated[accounts.Principal, Depends(require_page_principal)]


def get_page_db(ctx: Context, principal: PagePrincipal) -> Iterator[HemisSession]:
    """Like DB, for pages: scoped to the user's institution (or the nation)."""
    with scoped_session(ctx.sessions, principal.scope()) as session:
        yield session


PageDB = Annotated[HemisSession, Depends(get_page_db)]
