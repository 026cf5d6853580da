"""What the API routers of every domain share: the error responses they document, the id path
parameter, and who may call them, checked before the body is even validated (so a caller
without the right gets 403, not a 422 about a body they may not send at all)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.errors import Forbidden, ReadOnly
from hemis.web.crud import BIGINT_MAX
from hemis.web.deps import CurrentPrincipal
from hemis.web.openapi import ErrorBody

F = TypeVar("F", bound=Callable[..., Any])

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

PathId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "Not logged in, or the token is invalid."),
        (403, "The caller's role may not do this."),
        (404, "No such row in the caller's scope."),
        (409, "Duplicate or contradicting data (details name the constraint or fields)."),
        (422, "The request is not valid (details list the problems)."),
    )
}


def reads_only(endpoint: F) -> F:
    """Mark a POST endpoint that only reads (e.g. a lookup whose key must stay out of the URL),
    so read-only roles may call it."""
    endpoint.__dict__["hemis_reads_only"] = True
    return endpoint


def registry_access(request: Request, principal: CurrentPrincipal) -> Principal:
    """Candidates and learners have no business in the registry; read-only roles may only read."""
    if principal.role.personal:
        raise Forbidden()
    if request.method not in _SAFE_METHODS and not principal.role.writable:
        endpoint = request.scope.get("endpoint")
        if not getattr(endpoint, "hemis_reads_only", False):
            raise ReadOnly()
    return principal


def ministry_only(principal: CurrentPrincipal) -> Principal:
    if not principal.role.national:
        raise Forbidden("Chỉ Bộ GD&ĐT được truy cập mục này.", "Only the ministry may access this.")
    return principal


def ministry_admin_only(principal: CurrentPrincipal) -> Principal:
    if principal.role is not Role.ministry_admin:
        raise Forbidden(
            "Chỉ quản trị của Bộ GD&ĐT được thực hiện thao tác này.",
            "Only a ministry administrator may do this.",
        )
    return principal


RegistryAccess = Depends(registry_access)
MinistryOnly = Depends(ministry_only)
MinistryAdminOnly = Depends(ministry_admin_only)
