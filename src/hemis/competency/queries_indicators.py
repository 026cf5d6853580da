"""Read side of the competency indicators: the cube summed nationally, for one institution, or
by institution, field, region or sex. Officers read their own institution only (the caller
passes it; the cube is national data keyed by institution)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.competency.models import CompetencyIndicator
from hemis.competency.queries_targets import CoverageBy, group_names

CI = CompetencyIndicator


class GroupBy(StrEnum):
    institution = "institution"
    field = "field"
    region = "region"
    sex = "sex"


GROUP_LABELS = {
    GroupBy.institution: ("Cơ sở đào tạo", "Institution"),
    GroupBy.field: ("Lĩnh vực", "Field"),
    GroupBy.region: ("Vùng", "Region"),
    GroupBy.sex: ("Giới tính", "Sex"),
}
POPULATION_LABELS = {
    "learners": ("Người học đang học", "Learners studying"),
    "graduates": ("Người tốt nghiệp trong năm", "Graduates of the year"),
}
_COLUMNS = {
    GroupBy.institution: CI.institution_id,
    GroupBy.field: CI.field_code,
    GroupBy.region: CI.region,
    GroupBy.sex: CI.sex,
}


@dataclass(frozen=True)
class Cell:
    with_target: int
    assessed: int
    met: int
    below: int
    gap_sum: int

    @property
    def share_met(self) -> float | None:
        return self.met / self.assessed if self.assessed else None

    @property
    def share_assessed(self) -> float | None:
        return self.assessed / self.with_target if self.with_target else None

    @property
    def mean_gap(self) -> float | None:
        return self.gap_sum / self.below if self.below else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "with_target": self.with_target,
            "assessed": self.assessed,
            "met": self.met,
            "below": self.below,
            "gap_sum": self.gap_sum,
            "share_met": self.share_met,
            "share_assessed": self.share_assessed,
            "mean_gap": self.mean_gap,
        }


def years(session: Session) -> list[int]:
    return [int(y) for y in session.scalars(select(CI.year).distinct().order_by(CI.year.desc()))]


def latest_year(session: Session, year: int | None) -> int | None:
    if year is not None:
        return year
    found = years(session)
    return found[0] if found else None


def _sums() -> tuple[Any, ...]:
    return (
        func.sum(CI.with_target),
        func.sum(CI.assessed),
        func.sum(CI.met),
        func.sum(CI.below),
        func.sum(CI.gap_sum),
    )


def _cell(values: Any) -> Cell:
    return Cell(*(int(v or 0) for v in values))


def summary(
    session: Session, year: int, population: str, institution_id: int | None = None
) -> dict[str, Cell]:
    """code (competency or domain "D1"…) → its cell, nationally or for one institution."""
    stmt = select(CI.code, *_sums()).where(CI.year == year, CI.population == population)
    if institution_id is not None:
        stmt = stmt.where(CI.institution_id == institution_id)
    return {str(row[0]): _cell(row[1:]) for row in session.execute(stmt.group_by(CI.code))}


def grouped(
    session: Session,
    year: int,
    population: str,
    by: GroupBy,
    institution_id: int | None = None,
) -> tuple[list[tuple[str, str]], dict[tuple[str, str], Cell]]:
    """The groups (key, name) and each (group, code)'s cell."""
    column = _COLUMNS[by]
    stmt = select(column, CI.code, *_sums()).where(CI.year == year, CI.population == population)
    if institution_id is not None:
        stmt = stmt.where(CI.institution_id == institution_id)
    cells = {
        (str(row[0]), str(row[1])): _cell(row[2:])
        for row in session.execute(stmt.group_by(column, CI.code))
    }
    keys = {k for k, _ in cells}
    if by is GroupBy.sex:
        names = {k: k for k in keys}
    else:
        names = group_names(session, CoverageBy(by.value), keys)
    groups = sorted(((k, names.get(k, k) or "—") for k in keys), key=lambda g: g[1])
    return groups, cells
