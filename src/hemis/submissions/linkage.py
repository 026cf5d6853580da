"""Where an applied import lands: the institution's submission for the reporting period.

Statements run on the import's own connection, inside its transaction, so the data, the job row
and the submission's status change together or not at all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from hemis.audit.chain import Change, append
from hemis.db.ids import allocate_ids
from hemis.db.types import UTCDateTime
from hemis.errors import HemisError
from hemis.submissions.rules import ImportEffect, SubmissionStatus, import_effect
from hemis.submissions.workspace import Period


def find_period(conn: Connection, year: int | None, today: dt.date) -> Period | None:
    """The period of `year`, or the one open today, or the latest opened before today."""
    if year is not None:
        row = conn.execute(
            text("SELECT id, year, cutoff_on FROM reporting_period WHERE year = :y"), {"y": year}
        ).first()
        if row is None:
            raise HemisError(
                f"Không có kỳ báo cáo năm {year}.",
                f"There is no reporting period for {year}.",
                code="submission.no_period",
                status=404,
            )
    else:
        row = conn.execute(
            text(
                "SELECT id, year, cutoff_on FROM reporting_period WHERE opens_on <= :d "
                "ORDER BY (CASE WHEN closes_on >= :d THEN 0 ELSE 1 END), year DESC LIMIT 1"
            ),
            {"d": today},
        ).first()
        if row is None:
            return None
    cutoff = row[2] if isinstance(row[2], dt.date) else dt.date.fromisoformat(str(row[2])[:10])
    return Period(int(row[0]), int(row[1]), cutoff)


def current(conn: Connection, institution_id: int, period_id: int) -> Any:
    """The latest version of the institution's submission for the period (or None)."""
    return conn.execute(
        text(
            "SELECT id, version, status FROM submission WHERE institution_id = :iid "
            "AND period_id = :pid ORDER BY version DESC LIMIT 1"
        ),
        {"iid": institution_id, "pid": period_id},
    ).first()


def check_import_allowed(conn: Connection, institution_id: int, period: Period | None) -> None:
    """LifecycleError while the ministry reviews the period's submission."""
    if period is None:
        return
    row = current(conn, institution_id, period.id)
    if row is not None:
        import_effect(row.status)


def land(conn: Connection, institution_id: int, period: Period | None, actor: str) -> int | None:
    """The submission an applied import belongs to: created as a draft, a new version of an
    accepted one, or put back to draft if it was validated or returned (audited)."""
    if period is None:
        return None
    now = dt.datetime.now(dt.UTC)
    row = current(conn, institution_id, period.id)
    if row is not None and import_effect(row.status) is ImportEffect.same:
        if row.status != SubmissionStatus.draft:
            conn.execute(
                _stamped(
                    "UPDATE submission SET status = 'draft', validated_at = NULL, "
                    "updated_at = :now, row_version = submission.row_version + 1 "
                    "WHERE institution_id = :iid AND id = :id"
                ),
                {"iid": institution_id, "id": row.id, "now": now},
            )
            _audit(conn, actor, institution_id, "update", row.id, {"status": row.status})
        return int(row.id)
    new_id = allocate_ids(conn, "submission", 1)
    values: dict[str, Any] = {
        "iid": institution_id,
        "id": new_id,
        "pid": period.id,
        "version": 1 if row is None else int(row.version) + 1,
        "previous": None if row is None else int(row.id),
        "actor": actor,
        "now": now,
    }
    conn.execute(
        _stamped(
            "INSERT INTO submission (institution_id, id, period_id, version, status, previous_id, "
            "opened_by, created_at, updated_at) VALUES (:iid, :id, :pid, :version, 'draft', "
            ":previous, :actor, :now, :now)"
        ),
        values,
    )
    _audit(conn, actor, institution_id, "create", new_id, None)
    return new_id


def _stamped(sql: str) -> Any:
    return text(sql).bindparams(bindparam("now", type_=UTCDateTime()))


def _audit(
    conn: Connection,
    actor: str,
    institution_id: int,
    action: str,
    submission_id: int,
    before: dict[str, Any] | None,
) -> None:
    after = {"status": SubmissionStatus.draft.value, "reason": "import"}
    append(
        conn,
        [
            Change(
                actor,
                institution_id,
                action,
                "submission",
                f"{institution_id}:{submission_id}",
                before,
                after,
            )
        ],
    )
