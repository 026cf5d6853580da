"""Read side of the integration pages (ORM statements, so the session's scope applies)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.integrations.codes import LinkStatus, RunStatus
from hemis.integrations.models import PersonLink, SyncRun, SyncState
from hemis.registry.models import DisciplineGroup, Institution, Person, Program

PAGE_SIZE = 200


def status_counts(session: Session) -> dict[str, dict[str, int]]:
    """Records per registry and status (the session's institution, or the nation)."""
    rows = session.execute(
        select(SyncState.system, SyncState.status, func.count()).group_by(
            SyncState.system, SyncState.status
        )
    )
    out: dict[str, dict[str, int]] = {}
    for system, status, n in rows:
        out.setdefault(system, {})[status] = n
    return out


def running_heartbeats(session: Session) -> dict[str, dt.datetime]:
    """The latest heartbeat of each registry's running sync (a stalled run stops beating)."""
    rows = session.execute(
        select(SyncRun.system, func.max(SyncRun.heartbeat_at))
        .where(SyncRun.status == RunStatus.running.value)
        .group_by(SyncRun.system)
    )
    return {system: at for system, at in rows if at is not None}


def mismatches(
    session: Session, system: str | None, status: str | None, offset: int = 0
) -> list[dict[str, Any]]:
    """Records whose registry answer is not `actual`, with the field-level diff."""
    stmt = (
        select(SyncState, Person.full_name)
        .join(Person, Person.id == SyncState.person_id)
        .where(SyncState.status != "actual")
        .order_by(SyncState.institution_id, SyncState.system, SyncState.record_id)
        .offset(offset)
        .limit(PAGE_SIZE)
    )
    if system:
        stmt = stmt.where(SyncState.system == system)
    if status:
        stmt = stmt.where(SyncState.status == status)
    return [{"state": s, "full_name": name} for s, name in session.execute(stmt)]


def recent_runs(session: Session, limit: int = 10) -> list[SyncRun]:
    return list(session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))


def links(session: Session, status: str | None, offset: int = 0) -> list[dict[str, Any]]:
    stmt = (
        select(PersonLink, Person.full_name)
        .outerjoin(Person, Person.id == PersonLink.person_id)
        .order_by(PersonLink.score.desc(), PersonLink.id)
        .offset(offset)
        .limit(PAGE_SIZE)
    )
    if status:
        stmt = stmt.where(PersonLink.status == status)
    return [{"link": link, "person_name": name} for link, name in session.execute(stmt)]


def link_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(PersonLink.method, PersonLink.status, func.count()).group_by(
            PersonLink.method, PersonLink.status
        )
    )
    return {f"{m}/{s}": n for m, s, n in rows}


def review_size(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(PersonLink)
            .where(PersonLink.status == LinkStatus.review.value)
        )
        or 0
    )


def institution_names(session: Session) -> dict[int, str]:
    """Names of the institutions in the caller's scope, for pages that list them by id."""
    return {int(i): str(n) for i, n in session.execute(select(Institution.id, Institution.name_vi))}


def program_names(session: Session) -> dict[tuple[int, int], str]:
    stmt = select(Program.institution_id, Program.id, Program.name_vi)
    return {(int(i), int(p)): str(n) for i, p, n in session.execute(stmt)}


def field_names(session: Session) -> dict[str, str]:
    """Names of the fields of study (discipline groups of kind "field"), by their code."""
    stmt = select(DisciplineGroup.code, DisciplineGroup.name_vi)
    return {str(code): str(name) for code, name in session.execute(stmt)}
