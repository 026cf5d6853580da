"""Who may use the admissions API: candidates never (they use the portal pages), read-only roles
only to read; checked before the body is validated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from hemis.accounts.service import Principal
from hemis.errors import Forbidden, ReadOnly
from hemis.web.api_deps import ERROR_RESPONSES
from hemis.web.deps import CurrentPrincipal

_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
CREATED = status.HTTP_201_CREATED
YearPath = Annotated[int, Path(ge=2000, le=2100)]
PREFIX = "/api/v1/admissions"


def admissions_access(request: Request, principal: CurrentPrincipal) -> Principal:
    """Candidates (and learners) work through the portal; read-only roles may only read."""
    if principal.role.personal:
        raise Forbidden()
    if request.method not in _SAFE and not principal.role.writable:
        raise ReadOnly()
    return principal


AdmissionsAccess = Depends(admissions_access)


def make_router() -> APIRouter:
    return APIRouter(
        prefix=PREFIX,
        tags=["admissions"],
        dependencies=[AdmissionsAccess],
        responses=ERROR_RESPONSES,
    )
