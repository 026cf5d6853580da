"""What each entity of a submission file writes: its target tables, natural keys and columns,
and how its rows become registry rows (codes resolved to ids, defaults filled, decimals rounded to
the column's scale so that an unchanged row compares equal).

Assets have no natural key in the registry (the table has no asset code), so they can be checked
but not applied yet.
"""

from __future__ import annotations

import polars as pl

from hemis.errors import HemisError
from hemis.imports.entities import FinanceKind
from hemis.submissions import lookups
from hemis.submissions.apply import Plan, TableResult, Target
from hemis.submissions.workspace import Workspace

S, N, F, D, B = pl.String, pl.Int64, pl.Float64, pl.Date, pl.Boolean  # N: integer

CAMPUS = Target(
    "campus",
    ("code",),
    ("name", "address", "province_code", "is_main", "land_area_m2", "floor_area_m2"),
    {
        "code": S,
        "name": S,
        "address": S,
        "province_code": S,
        "is_main": B,
        "land_area_m2": F,
        "floor_area_m2": F,
    },
)
FACILITY = Target(
    "facility",
    ("campus_id", "kind"),
    ("building_count", "room_count", "floor_area_m2", "seats"),
    {
        "campus_id": N,
        "kind": S,
        "building_count": N,
        "room_count": N,
        "floor_area_m2": F,
        "seats": N,
    },
)
PROGRAM_VALUES = (
    "discipline_code",
    "name_vi",
    "name_en",
    "level",
    "mode",
    "language",
    "credits",
    "duration_years",
    "accreditation_status",
    "accredited_on",
    "opened_on",
    "annual_quota",
    "status",
)
PROGRAM = Target(
    "program",
    ("code",),
    PROGRAM_VALUES,
    {
        "code": S,
        **dict.fromkeys(PROGRAM_VALUES, S),
        "credits": N,
        "duration_years": F,
        "accredited_on": D,
        "opened_on": D,
        "annual_quota": N,
    },
)
STAFF_VALUES = (
    "person_id",
    "unit",
    "position",
    "contract_type",
    "full_time",
    "permanent",
    "fte",
    "highest_degree",
    "degree_country",
    "degree_year",
    "academic_title",
    "civil_servant_id",
    "hired_on",
)
STAFF = Target(
    "staff",
    ("staff_code",),
    STAFF_VALUES,
    {
        "staff_code": S,
        **dict.fromkeys(STAFF_VALUES, S),
        "person_id": N,
        "full_time": B,
        "permanent": B,
        "fte": F,
        "degree_year": N,
        "hired_on": D,
    },
)
LEARNER_VALUES = (
    "person_id",
    "program_id",
    "cohort_year",
    "study_mode",
    "funding_source",
    "admitted_on",
    "status",
    "status_date",
    "gpa",
    "credits_earned",
    "graduated_on",
    "diploma_number",
)
LEARNER = Target(
    "learner",
    ("student_code",),
    LEARNER_VALUES,
    {
        "student_code": S,
        "person_id": N,
        "program_id": N,
        "cohort_year": N,
        "study_mode": S,
        "funding_source": S,
        "admitted_on": D,
        "status": S,
        "status_date": D,
        "gpa": F,
        "credits_earned": N,
        "graduated_on": D,
        "diploma_number": S,
    },
)
STATUS_EVENT = Target(
    "learner_status_event",
    ("learner_id", "effective_on", "status"),
    ("reason",),
    {"learner_id": N, "effective_on": D, "status": S, "reason": S},
    unique_key=False,
    timestamps=False,
)
AWARD = Target(
    "award",
    ("diploma_number",),
    ("learner_id", "awarded_on", "classification"),
    {"diploma_number": S, "learner_id": N, "awarded_on": D, "classification": S},
    timestamps=False,
)
REVENUE = Target(
    "revenue",
    ("fiscal_year", "source", "activity"),
    ("amount_vnd",),
    {"fiscal_year": N, "source": S, "activity": S, "amount_vnd": N},
)
EXPENDITURE = Target(
    "expenditure",
    ("fiscal_year", "category"),
    ("amount_vnd",),
    {"fiscal_year": N, "category": S, "amount_vnd": N},
)

APPLICABLE = (
    "campuses",
    "facilities",
    "programs",
    "staff",
    "learners",
    "learner_status_events",
    "awards",
    "finances",
    # hemis.competency: program targets and learners' assessed levels
    "competency_targets",
    "digital_competencies",
    "digital_competencies_wide",
)
COMPETENCY = ("competency_targets", "digital_competencies", "digital_competencies_wide")


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
