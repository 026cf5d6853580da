"""Authentication API: bearer tokens for institution systems."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from hemis.accounts import service
from hemis.accounts.schemas import TokenOut, UserRead
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.web.deps import Context, CurrentPrincipal

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=TokenOut)
def create_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], ctx: Context
) -> TokenOut:
    """OAuth2 password flow: exchange a username and password for a bearer token."""
    client = request.client.host if request.client else "unknown"
    with scoped_session(ctx.sessions, Scope.system("auth")) as session:
        principal = service.authenticate(
            session, ctx.settings, form.username, form.password, client
        )
        token = service.issue_token(session, ctx.settings, principal, name="api-login")
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
