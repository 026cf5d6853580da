"""Starting action jobs and finding them. Only a ministry user who may write starts one; the
same action (same lock key: one round, one registry, the reconciler) is never queued or running
twice, which the unique `active_key` enforces even between two servers starting it at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hemis.access import require_ministry_admin
from hemis.actions.kinds import get_kind
from hemis.actions.models import ActionJob
from hemis.actions.rules import ActionStatus
from hemis.db.rows import get_row
from hemis.db.tenancy import get_scope
from hemis.errors import Conflict


class ActionRunning(Conflict):
    """The same action is already queued or running; `job_id` is that job."""

    code = "action_running"

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        super().__init__(
            f"Thao tác này đang chạy (việc #{job_id}); hãy chờ nó xong rồi chạy lại.",
            f"This action is already running (job #{job_id}); wait for it to finish.",
            details={"job_id": job_id},
        )


# Actions only the ministry's administrators run.
RUN_BY_MINISTRY = (
    "Chỉ quản trị của Bộ GD&ĐT được chạy thao tác này.",
    "Only a ministry administrator may run this action.",
)


def running_job(session: Session, lock_key: str) -> ActionJob | None:
    return session.scalar(select(ActionJob).where(ActionJob.active_key == lock_key))


def start_action(session: Session, kind: str, params: dict[str, Any]) -> ActionJob:
    """Queue an action; ActionRunning if the same action is queued or running already."""
    require_ministry_admin(session, RUN_BY_MINISTRY)
    spec = get_kind(kind)
    key = spec.lock_key(params)[:120]
    existing = running_job(session, key)
    if existing is not None:
        raise ActionRunning(existing.id)
    scope = get_scope(session)
    job = ActionJob(
        kind=spec.name,
        params=params,
        lock_key=key,
        active_key=key,
        status=ActionStatus.queued.value,
        phase="queued",
        processed=0,
        total=0,
        actor=scope.actor,
        actor_role=scope.role,
    )
    session.add(job)
    try:
        session.commit()
    except IntegrityError:  # another request queued the same action a moment ago
        session.rollback()
        winner = running_job(session, key)
        raise ActionRunning(winner.id if winner else 0) from None
    return job


def get_action(session: Session, job_id: int) -> ActionJob:
    return get_row(session, ActionJob, job_id)


def recent_actions(
    session: Session, kinds: tuple[str, ...] | None = None, limit: int = 10
) -> list[ActionJob]:
    stmt = select(ActionJob).order_by(ActionJob.created_at.desc(), ActionJob.id.desc())
    if kinds is not None:
        stmt = stmt.where(ActionJob.kind.in_(kinds))
    return list(session.scalars(stmt.limit(limit)))


def queued(session: Session) -> tuple[int, dt.datetime | None]:
    """How many jobs wait for a worker, and when the oldest of them was queued (the metrics)."""
    count, oldest = session.execute(
        select(func.count(), func.min(ActionJob.created_at)).where(
            ActionJob.status == ActionStatus.queued.value
        )
    ).one()
    return int(count), oldest
