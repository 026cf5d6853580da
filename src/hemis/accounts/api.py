"""Authentication API: bearer tokens for institution systems."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hemis.accounts import service
from hemis.accounts.models import ApiToken
from hemis.accounts.schemas import TokenCreate, TokenInfo, TokenOut, UserRead
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.web.deps import Context, CurrentPrincipal
from hemis.web.openapi import PUBLIC, RATE_LIMITED, ErrorBody

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenOut,
    openapi_extra={**PUBLIC, **RATE_LIMITED},
    responses={401: {"model": ErrorBody, "description": "Wrong username or password."}},
)
async def create_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], ctx: Context
) -> TokenOut:
    """OAuth2 password flow: exchange a username and password for a bearer token.

    Attempts are limited per username and client address (429 with Retry-After past the limit)
    and slowed down per username (accounts/throttle.py)."""
    client = request.client.host if request.client else "unknown"
    principal = await service.authenticate(
        ctx.sessions, ctx.settings, form.username, form.password, client
    )

    def issue() -> str:
        with scoped_session(ctx.sessions, Scope.system("auth")) as session:
            return service.issue_token(session, ctx.settings, principal, name="api-login")

    token = await run_in_threadpool(issue)
    return TokenOut(access_token=token, expires_in=ctx.settings.token_days * 86400)


@router.get("/me", response_model=UserRead)
def me(principal: CurrentPrincipal) -> UserRead:
    return UserRead(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        institution_id=principal.institution_id,
        is_active=True,
    )


@router.post("/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
def create_named_token(body: TokenCreate, principal: CurrentPrincipal, ctx: Context) -> TokenOut:
    """A named token for an institution's system, scoped like its owner; shown once."""
    with scoped_session(ctx.sessions, Scope.system("auth")) as session:
        token = service.issue_token(session, ctx.settings, principal, name=body.name)
    return TokenOut(access_token=token, expires_in=ctx.settings.token_days * 86400)


@router.get("/tokens", response_model=list[TokenInfo])
def list_tokens(principal: CurrentPrincipal, ctx: Context) -> list[TokenInfo]:
    """The caller's own tokens (never the secret, which is stored only as a hash)."""
    with scoped_session(ctx.sessions, Scope.system("auth")) as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id)
        )
        return [TokenInfo.model_validate(row, from_attributes=True) for row in rows]


@router.post("/tokens/{token_id}/revoke", status_code=status.HTTP_204_NO_CONTENT)
def revoke(token_id: int, principal: CurrentPrincipal, ctx: Context) -> None:
    """Revoke a token at once; requests that carry it are refused from now on."""
    with scoped_session(ctx.sessions, Scope.system("auth")) as session:
        service.revoke_token(session, token_id, principal)
