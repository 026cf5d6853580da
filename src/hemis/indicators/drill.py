"""Drill-down: the records behind a numerator or a denominator, listed with the very predicates
the engine counted with (criteria.learner_conditions / staff_conditions), page by page. ORM
statements on the caller's session: an officer reaches only their own institution's records;
national IDs are never shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from hemis.errors import NotFound
from hemis.indicators.criteria import (
    converted_weight,
    learner_conditions,
    learner_history,
    staff_conditions,
)
from hemis.indicators.definitions import DEFINITIONS
from hemis.indicators.history import Statuses, joined
from hemis.registry.models import Award, Learner, Person, Program, Staff

PAGE_SIZE = 50

# indicator → part → (record family, named set), from the parts' declared records.
DRILL: dict[str, dict[str, tuple[str, str]]] = {
    d.id: parts
    for d in DEFINITIONS
    if (parts := {name: p.records for name, p in d.parts().items() if p.records is not None})
}
LEARNER_COLUMNS = (
    ("student_code", "Mã người học", "Student code"),
    ("full_name", "Họ và tên", "Full name"),
    ("program_code", "Chương trình", "Program"),
    ("level", "Trình độ", "Level"),
    ("study_mode", "Hình thức đào tạo (chương trình)", "Form of training (program)"),
    ("cohort_year", "Khoá", "Cohort"),
    ("admitted_on", "Ngày nhập học", "Admitted on"),
    ("status", "Tình trạng", "Status"),
    ("status_date", "Ngày tình trạng", "Status date"),
    ("awarded_on", "Ngày cấp bằng", "Awarded on"),
    ("weight", "Hệ số quy đổi", "Conversion weight"),
)
STAFF_COLUMNS = (
    ("staff_code", "Mã cán bộ", "Staff code"),
    ("full_name", "Họ và tên", "Full name"),
    ("unit", "Đơn vị", "Unit"),
    ("contract_type", "Loại hợp đồng", "Contract"),
    ("permanent", "Cơ hữu", "Permanent"),
    ("highest_degree", "Trình độ", "Degree"),
    ("date_of_birth", "Ngày sinh", "Date of birth"),
    ("hired_on", "Ngày tuyển dụng", "Hired on"),
)


@dataclass(frozen=True)
class Drill:
    indicator_id: str
    part: str
    family: str
    columns: tuple[tuple[str, str, str], ...]
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def parts_of(indicator_id: str) -> dict[str, tuple[str, str]]:
    return DRILL.get(indicator_id, {})


def drill(
    session: Session, institution_id: int, indicator_id: str, part: str, year: int, page: int = 1
) -> Drill:
    found = DRILL.get(indicator_id, {}).get(part)
    if found is None:
        raise NotFound("drill-down", f"{indicator_id}/{part}")
    family, name = found
    cutoff = _cutoff(session, year)
    if family == "learners":
        h = learner_history(cutoff, institution_id)
        condition = learner_conditions(year, cutoff, Statuses.either(h))[name]
        stmt: Any = (
            select(
                Learner.student_code,
                Person.full_name,
                Program.code.label("program_code"),
                Program.level,
                Program.mode.label("study_mode"),
                Learner.cohort_year,
                Learner.admitted_on,
                Learner.status,
                Learner.status_date,
                Award.awarded_on,
                converted_weight().label("weight"),
            )
            .select_from(Learner)
            .join(
                Program,
                and_(
                    Program.institution_id == Learner.institution_id,
                    Program.id == Learner.program_id,
                ),
            )
            .outerjoin(
                Award,
                and_(
                    Award.institution_id == Learner.institution_id, Award.learner_id == Learner.id
                ),
            )
            .outerjoin(h, joined(h))
            .join(Person, Person.id == Learner.person_id)
            .where(Learner.institution_id == institution_id, condition)
        )
        counted: Any = (
            select(func.count())
            .select_from(Learner)
            .join(
                Program,
                and_(
                    Program.institution_id == Learner.institution_id,
                    Program.id == Learner.program_id,
                ),
            )
            .outerjoin(
                Award,
                and_(
                    Award.institution_id == Learner.institution_id, Award.learner_id == Learner.id
                ),
            )
            .outerjoin(h, joined(h))
            .where(Learner.institution_id == institution_id, condition)
        )
        order: Any = Learner.student_code
        columns: tuple[tuple[str, str, str], ...] = LEARNER_COLUMNS
    else:
        condition = staff_conditions(cutoff)[name]
        stmt = (
            select(
                Staff.staff_code,
                Person.full_name,
                Staff.unit,
                Staff.contract_type,
                Staff.permanent,
                Staff.highest_degree,
                Person.date_of_birth,
                Staff.hired_on,
            )
            .select_from(Staff)
            .join(Person, Person.id == Staff.person_id)
            .where(Staff.institution_id == institution_id, condition)
        )
        counted = (
            select(func.count())
            .select_from(Staff)
            .join(Person, Person.id == Staff.person_id)
            .where(Staff.institution_id == institution_id, condition)
            .execution_options(person_lookup=True)
        )
        order = Staff.staff_code
        columns = STAFF_COLUMNS
    total = int(session.scalar(counted) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # The persons joined are those of the institution's own learners or staff (the tenant
    # criteria on Learner/Staff already restrict the rows), so the costly person criterion,
    # which re-derives that set, is skipped.
    listed = (
        stmt.order_by(order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .execution_options(person_lookup=True)
    )
    rows = [{k: _plain(v) for k, v in r._mapping.items()} for r in session.execute(listed)]
    return Drill(indicator_id, part, family, columns, rows, total, page, pages)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _cutoff(session: Session, year: int) -> dt.date:
    from hemis.registry.models import ReportingPeriod

    found = session.scalar(select(ReportingPeriod.cutoff_on).where(ReportingPeriod.year == year))
    return found if isinstance(found, dt.date) else dt.date(year, 12, 31)


__all__ = ["DRILL", "Drill", "drill", "parts_of"]
