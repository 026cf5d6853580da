"""Integration rows of one institution in the API tests' world (tests/web/conftest.py): a
learner whose population check differs (the diff carries the institution's tag) and a staff
record not found in the civil-servant database, so the tenancy walk sees B's sync_state rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hemis.integrations.models import SyncState


def seed_integrations(
    s: Session, institution_id: int, learner: tuple[int, int], staff: tuple[int, int], tag: str
) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    different = SyncState(
        institution_id=institution_id,
        system="population",
        record_id=learner[0],
        person_id=learner[1],
        status="different",
        last_checked_at=now,
        diff={"full_name": {"hemis": f"Nguyễn Văn {tag}", "registry": f"Nguyen Van {tag}"}},
        payload_hash="0" * 64,
        attempts=1,
    )
    missing = SyncState(
        institution_id=institution_id,
        system="civil_service",
        record_id=staff[0],
        person_id=staff[1],
        status="not_found",
        last_checked_at=now,
        payload_hash="1" * 64,
        attempts=1,
        error=f"not found {tag}",
    )
    s.add_all([different, missing])
    s.flush()
    return {"sync_state": different.id}
