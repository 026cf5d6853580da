"""Histories an import keeps beside the rows it writes: for staff, a change record (fields before
and after) for every staff member the file changed, as the registry's own PATCH does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import insert

from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.registry.models import StaffChange
from hemis.submissions.apply import Plan, TableResult, digest
from hemis.submissions.workspace import Workspace

STAFF_CHANGE_TABLE = "staff_change"
# Who the person is does not change through a staff record: person_id is the link, not a field.
UNTRACKED = frozenset({"person_id"})


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def staff_changes(ws: Workspace, step: Plan, *, dry_run: bool) -> TableResult:
    """One staff_change row per changed (not new) staff member of the plan, effective on the
    import's reference date."""
    fields = [v for v in step.target.values if v not in UNTRACKED]
    changed = step.staged.filter(~pl.col("_new")).select("id", *fields)
    before = step.existing.select("id", *(pl.col(f).alias(f"{f}__db") for f in fields))
    rows = changed.join(before, on="id", how="inner").sort("id").to_dicts()
    records: list[dict[str, Any]] = []
    for row in rows:
        names = [f for f in fields if row[f] != row[f"{f}__db"]]
        if names:
            records.append(
                {
                    "staff_id": row["id"],
                    "before": {f: _jsonable(row[f"{f}__db"]) for f in names},
                    "after": {f: _jsonable(row[f]) for f in names},
                }
            )
    result = TableResult(STAFF_CHANGE_TABLE, rows=len(records), inserted=len(records))
    if dry_run or not records:
        return result
    first = allocate_ids(ws.conn, STAFF_CHANGE_TABLE, len(records))
    for offset, record in enumerate(records):
        record |= {"institution_id": ws.institution_id, "id": first + offset}
        record["effective_on"] = ws.as_of
    ws.conn.execute(insert(table_of(StaffChange)), records)
    result.written = len(records)
    result.sha256 = digest(
        pl.DataFrame(
            {
                "staff_id": [r["staff_id"] for r in records],
                "change": [repr((r["before"], r["after"])) for r in records],
            }
        )
    )
    return result
