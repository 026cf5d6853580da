"""The e-ID login: `/eid/start` sends the browser to the national provider with a fresh state,
nonce and PKCE challenge; `/eid/callback` checks the answer, redeems the code, verifies the ID
token and signs the citizen in. A refusal is a page that says why, and writes nothing."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts import service as accounts
from hemis.accounts.pages import safe_next
from hemis.config import Settings
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.identity import service
from hemis.identity.claims import citizen_from_claims
from hemis.identity.client import EidClient, EidRefused
from hemis.identity.flow import COOKIE, COOKIE_PATH, SECONDS, Pending, same, seal, unseal
from hemis.web.deps import SESSION_COOKIE, Context
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
START_PATH = "/eid/start"
NextParam = Query(None, max_length=2000)


def _refused(request: Request, exc: EidRefused, settings: Settings) -> Response:
    response = render(request, "identity/refused.html", {"error": exc}, status_code=exc.status)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=settings.cookie_secure, httponly=True)
    return response


@router.get(START_PATH)
def start(
    request: Request, ctx: Context, next: str | None = Query(None, max_length=2000)
) -> Response:
    pending = Pending.new(safe_next(next))
    try:
        url = EidClient(ctx.settings).authorization_url(
            pending.state, pending.nonce, pending.verifier
        )
    except EidRefused as exc:
        return _refused(request, exc, ctx.settings)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        COOKIE,
        seal(ctx.settings.secret_key, pending),
        max_age=SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.cookie_secure,
    )
    return response


def _expiry(claims: dict[str, object]) -> dt.datetime:
    exp = claims.get("exp")
    assert isinstance(exp, int | float)  # CodeIDToken checked it
    return dt.datetime.fromtimestamp(exp, dt.UTC)


@router.get("/eid/callback")
def callback(
    request: Request,
    ctx: Context,
    code: str = Query("", max_length=2000),
    state: str = Query("", max_length=2000),
    error: str = Query("", max_length=200),
) -> Response:
    pending = unseal(ctx.settings.secret_key, request.cookies.get(COOKIE))
    try:
        if pending is None:
            raise EidRefused("eid.no_login")
        if not same(state, pending.state):
            raise EidRefused("eid.state")
        if error:
            raise EidRefused("eid.cancelled" if error == "access_denied" else "eid.code")
        if not code:
            raise EidRefused("eid.code")
        client = EidClient(ctx.settings)
        token = client.redeem(code, pending.verifier)
        claims = client.verify_id_token(token, pending.nonce)
        citizen = citizen_from_claims(claims, dt.date.today())
        if citizen is None:
            raise EidRefused("eid.claims")
        with scoped_session(ctx.sessions, Scope.system("eid-login")) as session:
            principal = service.sign_in(
                session, ctx.cipher, citizen, client.issuer, str(claims["jti"]), _expiry(claims)
            )
            if old := request.cookies.get(SESSION_COOKIE):
                accounts.close_web_session(session, old)  # no session fixation
            session_token = accounts.open_web_session(session, ctx.settings, principal)
    except EidRefused as exc:
        return _refused(request, exc, ctx.settings)
    response = RedirectResponse(pending.next, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_token,
        max_age=int(accounts.session_lifetime(ctx.settings, principal).total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.cookie_secure,
    )
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=ctx.settings.cookie_secure)
    return response
