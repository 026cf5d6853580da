"""The Circular 01/2024 criteria, computed set-based: one GROUP BY query per family of inputs
(learners, staff, campuses, resources, finance, quotas) over every institution at once, then a
judgement per institution on the few dozen aggregates (never a loop over records)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import polars as pl
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from hemis.indicators.definitions import (
    FIELD_WEIGHTS,
    LEVEL_WEIGHTS,
    MODE_WEIGHTS,
    ON_TIME_GRACE_DAYS,
    TRAINING_FLOOR_KINDS,
    WORKING_AGE_LIMIT,
    Definition,
    criteria,
)
from hemis.indicators.history import Statuses, history, joined, years_before
from hemis.indicators.rules import Outcome, judge, unknown
from hemis.indicators.sources import EmploymentCounts
from hemis.indicators.sql import (
    DI,
    EXP,
    PE,
    REV,
    UNDERGRADUATE,
    A,
    C,
    F,
    L,
    P,
    R,
    S,
    day_number,
    total,
    weight_of,
)
from hemis.registry.reference import ISCED_MAPPING_VERSION

Inputs = dict[str, float]
YEAR_DAYS = 365.25


def _rows(conn: Connection, stmt: Any) -> Iterable[dict[str, Any]]:
    return (dict(row._mapping) for row in conn.execute(stmt))


def converted_weight() -> ColumnElement[Any]:
    """Weight of a learner in "converted students": by the program's level and form of training
    (the form is the program's: see MODE_RULE in definitions.py)."""
    weight = weight_of(P.c.level, LEVEL_WEIGHTS) * weight_of(P.c.mode, MODE_WEIGHTS)
    if FIELD_WEIGHTS:
        weight = weight * weight_of(func.substr(P.c.discipline_code, 2, 2), FIELD_WEIGHTS)
    return weight


def learner_history(cutoff: dt.date, institution_id: int | None = None) -> Subquery:
    """Each learner's status on the dates the criteria count on (see history.py)."""
    return history(
        {
            "at_cutoff": cutoff,
            "at_start": previous_cutoff(cutoff),
            "at_3y": years_before(cutoff, 3),
        },
        anniversary_until=cutoff,
        institution_id=institution_id,
    )


def previous_cutoff(cutoff: dt.date) -> dt.date:
    """The start of the reporting year: the same day a year earlier (31 Dec 2024 → 31 Dec 2023,
    not 365 days earlier, which is 1 Jan 2024 in a leap year)."""
    return years_before(cutoff, 1)


def learner_conditions(
    year: int, cutoff: dt.date, status: Statuses
) -> dict[str, ColumnElement[bool]]:
    """The named sets of learners the criteria count, over learner ⋈ program ⟕ award (⟕ the
    learners' status history, as `status` reads it; the drill-down lists the records of the same
    sets). Every "on date D" set reads the status in force on D (history.py)."""
    under = P.c.level.in_(UNDERGRADUATE)
    studying = status.studying("at_cutoff", cutoff)
    at_start = status.studying("at_start", previous_cutoff(cutoff))
    admitted_day, awarded_day = day_number(L.c.admitted_on), day_number(A.c.awarded_on)
    awarded = and_(A.c.id.is_not(None), A.c.awarded_on <= cutoff)
    ext_end = L.c.cohort_year + P.c.duration_years + 2
    on_end = L.c.cohort_year + P.c.duration_years
    ext_cohort = and_(under, ext_end > year - 1, ext_end <= year)
    on_cohort = and_(under, on_end > year - 1, on_end <= year)
    first_year = and_(under, L.c.cohort_year == year - 1)
    return {
        "students": studying,
        "full_time_students": and_(studying, P.c.mode == "full_time"),
        "students_3y_ago": status.studying("at_3y", years_before(cutoff, 3)),
        "intake_3y": L.c.cohort_year.between(year - 2, year),
        "under_at_start": and_(under, at_start),
        # Studying at the start of the year and withdrawn at its end: the withdrawal took
        # effect within the year.
        "withdrawn": and_(under, at_start, status.on("at_cutoff", cutoff) == "withdrawn"),
        "first_year": first_year,
        # Withdrawn a year after admission (or at the cut-off, if sooner).
        "first_year_withdrawn": and_(first_year, status.anniversary(cutoff) == "withdrawn"),
        "ext_cohort": ext_cohort,
        "ext_graduated": and_(
            ext_cohort,
            awarded,
            awarded_day <= admitted_day + (P.c.duration_years + 2) * YEAR_DAYS + ON_TIME_GRACE_DAYS,
        ),
        "on_cohort": on_cohort,
        "on_graduated": and_(
            on_cohort,
            awarded,
            awarded_day <= admitted_day + P.c.duration_years * YEAR_DAYS + ON_TIME_GRACE_DAYS,
        ),
    }


def learner_source() -> Any:
    return L.join(
        P, and_(P.c.institution_id == L.c.institution_id, P.c.id == L.c.program_id)
    ).outerjoin(A, and_(A.c.institution_id == L.c.institution_id, A.c.learner_id == L.c.id))


def _learner_sums(year: int, cutoff: dt.date, status: Statuses) -> list[ColumnElement[Any]]:
    sets = learner_conditions(year, cutoff, status)
    weight = converted_weight()
    in_year = and_(A.c.awarded_on >= dt.date(year, 1, 1), A.c.awarded_on <= dt.date(year, 12, 31))
    return [
        *(total(cond).label(name) for name, cond in sets.items()),
        total(sets["students"], weight).label("converted"),
        total(sets["full_time_students"], weight).label("converted_full_time"),
        total(in_year).label("graduates"),
    ]


def learner_frame(conn: Connection, year: int, cutoff: dt.date) -> pl.DataFrame:
    """Every named set's count (and the converted weights, and the year's graduates) per
    institution, level, field, ISCED-F code and sex. The criteria sum it per institution; the
    national cube sums it per dimension.

    Two passes over learner ⋈ program ⋈ person ⟕ award: every learner read from its row, then,
    for the few learners whose history is longer than their row tells (history.py), the
    difference their replayed history makes. The first pass stays a plain parallel scan; a join
    to the history inside it would make PostgreSQL run the whole pass on one core."""
    # Grouped on plain columns (the planner then estimates the groups well and hashes them);
    # the program's level, field and ISCED-F code are attached afterwards from its small table.
    keys = (L.c.institution_id, L.c.program_id, PE.c.sex)
    from_row = _learner_sums(year, cutoff, Statuses.row())
    source = learner_source().join(PE, PE.c.id == L.c.person_id)
    counts = _frame(conn, select(*keys, *from_row).select_from(source).group_by(*keys))
    h = learner_history(cutoff)
    replayed = _learner_sums(year, cutoff, Statuses.replayed(h))
    delta = [(r - f).label(f.name) for r, f in zip(replayed, from_row, strict=True)]
    corrected = source.join(h, joined(h))
    deltas = _frame(conn, select(*keys, *delta).select_from(corrected).group_by(*keys))
    numbers = [c for c in counts.columns if c not in ("institution_id", "program_id", "sex")]
    key_names = ["institution_id", "program_id", "sex"]
    counts = (
        pl.concat([counts, deltas.select(counts.columns)])
        .group_by(key_names)
        .agg(pl.col(numbers).sum())
    )
    programs = conn.execute(
        select(
            P.c.institution_id,
            P.c.id,
            P.c.level,
            func.substr(P.c.discipline_code, 2, 2),
            func.coalesce(DI.c.isced_code, ""),
        ).select_from(
            P.outerjoin(
                DI,
                and_(
                    DI.c.mapping_version == ISCED_MAPPING_VERSION,
                    DI.c.discipline_code == P.c.discipline_code,
                ),
            )
        )
    )
    attributes = pl.DataFrame(
        [tuple(r) for r in programs],
        schema={
            "institution_id": pl.Int64,
            "program_id": pl.Int64,
            "level": pl.String,
            "field_code": pl.String,
            "isced_code": pl.String,
        },
        orient="row",
    )
    keys_out = ["institution_id", "level", "field_code", "isced_code", "sex"]
    return (
        counts.join(attributes, on=["institution_id", "program_id"], how="left")
        .group_by(keys_out)
        .agg(pl.col(numbers).sum())
    )


def _frame(conn: Connection, stmt: Any) -> pl.DataFrame:
    result = conn.execute(stmt)
    names = list(result.keys())
    schema: dict[str, Any] = dict.fromkeys(names, pl.Float64)
    schema.update(institution_id=pl.Int64, program_id=pl.Int64, sex=pl.String)
    return pl.DataFrame([tuple(r) for r in result], schema=schema, orient="row")


def learner_inputs(frame: pl.DataFrame) -> dict[int, Inputs]:
    """The learner frame summed per institution."""
    numbers = [c for c, t in frame.schema.items() if t == pl.Float64]
    summed = frame.group_by("institution_id").agg(pl.col(numbers).sum())
    return {int(r.pop("institution_id")): r for r in summed.to_dicts()}


def quota_inputs(conn: Connection, year: int) -> dict[int, Inputs]:
    """Quota of the last 3 years: the current annual quota of each program open in that year."""
    parts = [
        total(P.c.opened_on <= dt.date(y, 12, 31), P.c.annual_quota)
        for y in (year - 2, year - 1, year)
    ]
    stmt = select(P.c.institution_id, (parts[0] + parts[1] + parts[2]).label("quota_3y")).group_by(
        P.c.institution_id
    )
    return {int(r["institution_id"]): {"quota_3y": float(r["quota_3y"])} for r in _rows(conn, stmt)}


def staff_conditions(cutoff: dt.date) -> dict[str, ColumnElement[bool]]:
    """The named sets of staff the criteria count, over staff ⋈ person."""
    # Under the limit at the cut-off: born after the same day WORKING_AGE_LIMIT years earlier.
    oldest = years_before(cutoff, WORKING_AGE_LIMIT)
    lecturer = and_(
        S.c.position == "lecturer",
        S.c.full_time.is_(True),
        (S.c.hired_on.is_(None)) | (S.c.hired_on <= cutoff),
    )
    return {
        "lecturers": lecturer,
        "permanent_working_age": and_(
            lecturer, S.c.permanent.is_(True), PE.c.date_of_birth > oldest
        ),
        "doctorates": and_(lecturer, S.c.highest_degree == "doctor"),
    }


def staff_inputs(conn: Connection, cutoff: dt.date) -> dict[int, Inputs]:
    sets = staff_conditions(cutoff)
    stmt = (
        select(S.c.institution_id, *(total(c).label(n) for n, c in sets.items()))
        .select_from(S.join(PE, PE.c.id == S.c.person_id))
        .group_by(S.c.institution_id)
    )
    return {
        int(r.pop("institution_id")): {k: float(v) for k, v in r.items()} for r in _rows(conn, stmt)
    }


def facility_inputs(conn: Connection, year: int) -> dict[int, Inputs]:
    out: dict[int, Inputs] = defaultdict(dict)
    campus = select(
        C.c.institution_id,
        func.sum(C.c.land_area_m2).label("land"),
        func.sum(C.c.floor_area_m2).label("floor"),
    ).group_by(C.c.institution_id)
    for r in _rows(conn, campus):
        out[int(r["institution_id"])].update(land=float(r["land"]), floor=float(r["floor"]))
    # Floor area for training: only the kinds of rooms the Circular counts (FLOOR_RULE).
    rooms = select(
        F.c.institution_id,
        total(F.c.kind.in_(TRAINING_FLOOR_KINDS), F.c.floor_area_m2).label("training_floor"),
    ).group_by(F.c.institution_id)
    for r in _rows(conn, rooms):
        out[int(r["institution_id"])]["training_floor"] = float(r["training_floor"])
    res = select(R.c.institution_id, R.c.lecturer_workspaces).where(R.c.year == year)
    for r in _rows(conn, res):
        out[int(r["institution_id"])]["workspaces"] = float(r["lecturer_workspaces"])
    for table, key in ((REV, "revenue"), (EXP, "expenditure")):
        stmt = (
            select(table.c.institution_id, func.sum(table.c.amount_vnd).label("amount"))
            .where(table.c.fiscal_year == year)
            .group_by(table.c.institution_id)
        )
        for r in _rows(conn, stmt):
            out[int(r["institution_id"])][key] = float(r["amount"])
    return dict(out)


def judge_institution(
    year: int,
    data: Inputs,
    doctoral: bool,
    specialised: bool,
    employment: EmploymentCounts | None,
) -> dict[str, Outcome]:
    """Every criterion of one institution from its aggregates (missing → unknown with a reason):
    each as its definition declares it (`judged`), after its guard here, if it has one."""
    if employment is not None:
        data = {
            **data,
            "graduates_followed": float(employment.graduates),
            "matched": float(employment.matched),
            "employed": float(employment.employed),
        }
    flags = {"doctoral": doctoral, "specialised": specialised}
    out: dict[str, Outcome] = {}
    for d in criteria():
        guard = GUARDS.get(d.id)
        found = guard(d, year, data) if guard is not None else None
        out[d.id] = found if found is not None else judged(d, year, data, **flags)
    return out


def judged(
    d: Definition, year: int, data: Inputs, *, doctoral: bool = False, specialised: bool = False
) -> Outcome:
    """The common case: the declared numerator over the declared denominator, against the
    threshold in force (rules.judge); unknown when HEMIS does not collect what it counts."""
    if d.not_collected is not None:
        return unknown(*d.not_collected)
    num, den = d.numerator, d.denominator
    return judge(
        d,
        year,
        data.get(num.counted, num.missing),
        data.get(den.counted, den.missing),
        den.empty_reason(year),
        doctoral=doctoral,
        specialised=specialised,
    )


# Guards: what some criteria need before the common judgement. Each returns the outcome when it
# decides (an input missing), else None.
Guard = Callable[[Definition, int, Inputs], Outcome | None]
NO_CAMPUS = ("Chưa khai báo cơ sở (diện tích đất, sàn).", "No campus (land, floor area) recorded.")


def _lecturers_recorded(d: Definition, year: int, data: Inputs) -> Outcome | None:
    lecturers = data.get("lecturers", 0.0)
    if lecturers:
        return None
    return unknown(*d.denominator.empty_reason(year), data.get("converted"), lecturers)


def _campus_recorded(d: Definition, year: int, data: Inputs) -> Outcome | None:
    return unknown(*NO_CAMPUS) if "land" not in data else None


def _training_floor_recorded(d: Definition, year: int, data: Inputs) -> Outcome | None:
    if "land" not in data:
        return unknown(*NO_CAMPUS)
    if "training_floor" not in data:
        return unknown(
            "Chưa khai báo diện tích sàn theo loại công trình: không tách được phần phục vụ "
            "đào tạo.",
            "No floor area by kind of room recorded: the area for training cannot be told apart.",
            None,
            data.get("converted_full_time"),
        )
    return None


def _resources_reported(d: Definition, year: int, data: Inputs) -> Outcome | None:
    if "workspaces" in data:
        return None
    return unknown(
        f"Chưa có báo cáo tài nguyên năm {year}.",
        f"No resource summary for {year}.",
        None,
        data.get("lecturers", 0.0),
    )


def _finance_reported(d: Definition, year: int, data: Inputs) -> Outcome | None:
    if "revenue" in data and "expenditure" in data:
        return None
    return unknown(f"Không có dữ liệu tài chính năm {year}.", f"No finance data for {year}.")


def _employment(d: Definition, year: int, data: Inputs) -> Outcome:
    """Judged on the graduates matched in social insurance, always with the matching funnel."""
    if "matched" not in data:
        return unknown(
            "Chưa có dữ liệu đối sánh bảo hiểm xã hội.", "No social-insurance match data."
        )
    n, m, e = (int(data[k]) for k in ("graduates_followed", "matched", "employed"))
    funnel_vi = f"Phễu: {n} tốt nghiệp → {m} đã đối soát với CSDL BHXH → {e} có việc làm."
    funnel_en = f"Funnel: {n} graduates → {m} checked against social insurance → {e} employed."
    result = judged(d, year, data)
    return Outcome(
        result.numerator,
        result.denominator,
        result.value,
        result.threshold,
        result.status,
        ((result.reason_vi + " ") if result.reason_vi else "") + funnel_vi,
        ((result.reason_en + " ") if result.reason_en else "") + funnel_en,
    )


GUARDS: dict[str, Guard] = {
    "lecturer_ratio": _lecturers_recorded,
    "land_per_student": _campus_recorded,
    "floor_per_student": _training_floor_recorded,
    "lecturer_workspaces": _resources_reported,
    "employment": _employment,
    "finance_balance": _finance_reported,
}
