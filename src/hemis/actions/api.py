"""REST API of action jobs (/api/v1/actions): the ministry's systems start a long action and
poll it, as the portal's progress page does. Starting answers 202 at once with the queued job;
the same action already queued or running answers 409 naming that job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from hemis.accounts.service import Principal
from hemis.actions import service
from hemis.actions.schemas import ActionCreate, ActionRead
from hemis.actions.worker import ensure_worker
from hemis.errors import Forbidden, ReadOnly
from hemis.web.api_deps import ERROR_RESPONSES, PathId
from hemis.web.deps import DB, CurrentPrincipal

_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def actions_access(request: Request, principal: CurrentPrincipal) -> Principal:
    """The ministry's: analysts read, administrators also start actions."""
    if not principal.role.national:
        raise Forbidden("Chỉ Bộ GD&ĐT được truy cập mục này.", "Only the ministry may access this.")
    if request.method not in _SAFE and not principal.role.writable:
        raise ReadOnly()
    return principal


router = APIRouter(
    prefix="/api/v1/actions",
    tags=["actions"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(actions_access)],
)


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def start_action(request: Request, db: DB, body: ActionCreate) -> ActionRead:
    """Queue a long action; poll `GET /api/v1/actions/{id}` for its progress and result."""
    job = service.start_action(db, body.kind, dict(body.params))
    ensure_worker(request.app)
    return ActionRead.model_validate(job)


@router.get("")
def list_actions(db: DB, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[ActionRead]:
    """The most recent actions, newest first."""
    return [ActionRead.model_validate(j) for j in service.recent_actions(db, limit=limit)]


@router.get("/{job_id}")
def read_action(request: Request, db: DB, job_id: PathId) -> ActionRead:
    job = service.get_action(db, job_id)
    if job.status in ("queued", "running"):
        ensure_worker(request.app)
    return ActionRead.model_validate(job)
