"""What each entity of a submission file writes: its target tables, natural keys and columns
(read from the SQLAlchemy tables, so a column added to a table is written without a second
list to update), where each template column is stored, and how its rows become registry rows
(codes resolved to ids, defaults filled, decimals rounded to the column's scale so that an
unchanged row compares equal).

Assets have no natural key in the registry (the table has no asset code), so they can be checked
but not applied yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
from sqlalchemy import Column, UniqueConstraint

from hemis.db.base import Base, table_of
from hemis.errors import HemisError
from hemis.imports.entities import FinanceKind
from hemis.registry.models import (
    Award,
    Campus,
    Expenditure,
    Facility,
    Learner,
    LearnerStatusEvent,
    Program,
    Revenue,
    Staff,
)
from hemis.submissions import lookups
from hemis.submissions.apply import Plan, TableResult, Target
from hemis.submissions.workspace import Workspace

# Columns every tenant table has that no file sets: ids, the tenant, timestamps and versions.
BOOKKEEPING = frozenset({"id", "institution_id", "created_at", "updated_at", "row_version"})
_POLARS: dict[type, Any] = {
    int: pl.Int64,
    str: pl.String,
    float: pl.Float64,
    dt.date: pl.Date,
    bool: pl.Boolean,
}


def target(model: type[Base], key: tuple[str, ...]) -> Target:
    """The Target of a registry table, read from its SQLAlchemy table: every column but the
    bookkeeping ones is written (key first, then the rest in the table's order), typed by its
    Python type; ON CONFLICT is used when (institution_id, *key) is a unique constraint."""
    table = table_of(model)
    columns = [c for c in table.columns if c.name not in BOOKKEEPING]
    missing = set(key) - {c.name for c in columns}
    if missing:
        raise ValueError(f"{table.name} has no column {sorted(missing)}")
    unique = {
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    }
    return Target(
        table.name,
        key,
        tuple(c.name for c in columns if c.name not in key),
        {c.name: _POLARS[c.type.python_type] for c in sorted(columns, key=_key_first(key))},
        unique_key=("institution_id", *key) in unique,
        timestamps="created_at" in table.columns,
    )


def _key_first(key: tuple[str, ...]) -> Callable[[Column[Any]], int]:
    return lambda c: key.index(c.name) if c.name in key else len(key)


CAMPUS = target(Campus, ("code",))
FACILITY = target(Facility, ("campus_id", "kind"))
PROGRAM = target(Program, ("code",))
STAFF = target(Staff, ("staff_code",))
LEARNER = target(Learner, ("student_code",))
STATUS_EVENT = target(LearnerStatusEvent, ("learner_id", "effective_on", "status"))
AWARD = target(Award, ("diploma_number",))
REVENUE = target(Revenue, ("fiscal_year", "source", "activity"))
EXPENDITURE = target(Expenditure, ("fiscal_year", "category"))
# What each applicable entity of a file writes (finances: one table per kind of line).
TARGETS: dict[str, tuple[Target, ...]] = {
    "campuses": (CAMPUS,),
    "facilities": (FACILITY,),
    "programs": (PROGRAM,),
    "staff": (STAFF,),
    "learners": (LEARNER,),
    "learner_status_events": (STATUS_EVENT,),
    "awards": (AWARD,),
    "finances": (REVENUE, EXPENDITURE),
}

# hemis.competency: program targets and learners' assessed levels (their rows are built by
# hemis.competency.apply, imported late: it builds on this module).
COMPETENCY = ("competency_targets", "digital_competencies", "digital_competencies_wide")
APPLICABLE = (*TARGETS, *COMPETENCY)
# A template column is stored under its own name in one of its entity's target tables, unless
# it is listed here: a code resolved to the id of the row it names, or a person's detail kept
# in the national person table (persons.py).
PERSON_STORED = {
    "national_id": "person.national_id_index",
    "full_name": "person.full_name",
    "date_of_birth": "person.date_of_birth",
    "sex": "person.sex",
    "nationality": "person.nationality",
    "ethnicity": "person.ethnicity_code",
}
STORED_AS: dict[str, dict[str, str]] = {
    "facilities": {"campus_code": "facility.campus_id"},
    "staff": PERSON_STORED,
    "learners": {**PERSON_STORED, "program_code": "learner.program_id"},
    "learner_status_events": {"student_code": "learner_status_event.learner_id"},
    "awards": {"student_code": "award.learner_id"},
}
# Template columns read and checked but not stored, with why.
CHECK_ONLY: dict[str, dict[str, str]] = {
    "finances": {"kind": "chooses the table a line is written to (revenue or expenditure)"},
}
# Whole entities checked but not applied, with why.
NOT_APPLIED = {"assets": "the registry has no asset code to key an asset by"}


def stored_as(entity: str, column: str) -> str | None:
    """Where a template column is stored ("table.column"), or None if it is check-only."""
    if entity in NOT_APPLIED or column in CHECK_ONLY.get(entity, {}):
        return None
    renamed = STORED_AS.get(entity, {}).get(column)
    if renamed is not None:
        return renamed
    for t in TARGETS[entity]:
        if column in t.schema:
            return f"{t.table}.{column}"
    raise KeyError(f"{entity}.{column} is neither stored nor declared check-only")


class NotApplicable(HemisError):
    code = "import.not_applicable"
    status = 422


def check_applicable(entity: str) -> None:
    if entity not in APPLICABLE:
        raise NotApplicable(
            f"Chưa thể ghi '{entity}' vào cơ sở dữ liệu (chưa có khóa tự nhiên trong hệ thống); "
            "chỉ kiểm tra được bằng `hemis validate`.",
            f"'{entity}' cannot be applied yet (the registry has no natural key for it); "
            "check it with `hemis validate`.",
            details={"entity": entity, "applicable": list(APPLICABLE)},
        )


def _defaults(**values: object) -> list[pl.Expr]:
    return [pl.col(name).fill_null(value) for name, value in values.items()]


def rows_for(ws: Workspace, entity: str, data: pl.DataFrame) -> list[tuple[Target, pl.DataFrame]]:
    """The registry rows of a clean file, per target table (persons resolved by the caller:
    `data` has person_id for people entities)."""
    if entity == "campuses":
        return [
            (
                CAMPUS,
                data.with_columns(pl.col("land_area_m2", "floor_area_m2").round(2)),
            )
        ]
    if entity == "facilities":
        frame = data.join(lookups.campuses(ws), on="campus_code", how="inner")
        frame = frame.with_columns(
            *_defaults(building_count=0, seats=0), pl.col("floor_area_m2").round(2)
        )
        return [(FACILITY, frame)]
    if entity == "programs":
        frame = data.with_columns(
            *_defaults(language="vi", accreditation_status="none", status="open"),
            pl.col("duration_years").round(1),
        )
        return [(PROGRAM, frame)]
    if entity == "staff":
        frame = data.with_columns(*_defaults(academic_title="none"), pl.col("fte").round(2))
        return [(STAFF, frame)]
    if entity == "learners":
        programs = lookups.programs(ws)
        # The id looked up by code (codes are unique within the institution), not joined: a
        # join would copy every column of millions of rows. GPA as the database keeps it (two
        # decimals), so an unchanged file compares equal.
        program_id = pl.col("program_code").replace_strict(
            programs["program_code"], programs["program_id"], default=None, return_dtype=pl.Int64
        )
        frame = data.with_columns(program_id.alias("program_id"), pl.col("gpa").round(2))
        if frame["program_id"].null_count():  # a program gone since the checks: left out
            frame = frame.filter(pl.col("program_id").is_not_null())
        return [(LEARNER, frame)]
    if entity in ("learner_status_events", "awards"):
        known = lookups.learners(ws).select("student_code", "learner_id")
        frame = data.join(known, on="student_code", how="inner")
        return [(STATUS_EVENT if entity == "learner_status_events" else AWARD, frame)]
    if entity in COMPETENCY:
        from hemis.competency.apply import rows_for as competency_rows

        return competency_rows(ws, entity, data)
    if entity == "finances":
        kind = pl.col("kind")
        return [
            (REVENUE, data.filter(kind == FinanceKind.revenue.value)),
            (EXPENDITURE, data.filter(kind == FinanceKind.expenditure.value)),
        ]
    check_applicable(entity)
    return []


def grouped(entity: str) -> bool:
    """Whether a file's rows are gathered into fewer registry rows (a learner's competency
    levels of one sitting: one row), so they cannot be counted row for row."""
    from hemis.competency.apply import GROUPED

    return entity in GROUPED


def after_write(
    ws: Workspace, target: Target, step: Plan, frame: pl.DataFrame, *, dry_run: bool
) -> list[TableResult]:
    """What writing a target entails beyond its own rows: the competency sittings a file
    replaces (hemis.competency.apply)."""
    if target.table != "competency_assessment":
        return []
    from hemis.competency.apply import after_write as competency_after

    return competency_after(ws, target, step, frame, dry_run=dry_run)
