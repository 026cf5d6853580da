"""Read side of the indicators for pages, the API and exports. Every query is an ORM statement
on the caller's scoped session, so an institution officer sees only their own institution's
results (the tenancy hooks, and row-level security on PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from hemis.errors import NotFound
from hemis.indicators.definitions import DEFINITIONS, Definition, by_id, criteria, quality
from hemis.indicators.models import IndicatorResult
from hemis.registry.codes import Ownership
from hemis.registry.labels import LABELS
from hemis.registry.models import Institution, Province

STATUS_LABELS = {
    "pass": ("Đạt", "Pass"),
    "fail": ("Không đạt", "Fail"),
    "unknown": ("Chưa xác định", "Unknown"),
    "na": ("Chưa áp dụng", "Not yet in force"),
    "info": ("Thông tin", "Information"),
}
# Derived from the one label table of the registry's code lists (hemis.registry.labels).
OWNERSHIP_LABELS: dict[str, tuple[str, str]] = {
    str(code): pair for code, pair in LABELS[Ownership].items()
}


def years(session: Session) -> list[int]:
    stmt = select(IndicatorResult.year).distinct().order_by(IndicatorResult.year.desc())
    return [int(y) for y in session.scalars(stmt)]


def latest_year(session: Session, year: int | None) -> int | None:
    if year is not None:
        return year
    found = years(session)
    return found[0] if found else None


def _current(stmt: Any) -> Any:
    """Only results of the current definition version of each indicator."""
    keys = [(d.id, d.version) for d in DEFINITIONS]
    return stmt.where(
        tuple_(IndicatorResult.indicator_id, IndicatorResult.definition_version).in_(keys)
    )


CELL_COLUMNS = (
    IndicatorResult.institution_id,
    IndicatorResult.indicator_id,
    IndicatorResult.definition_version,
    IndicatorResult.numerator,
    IndicatorResult.denominator,
    IndicatorResult.value,
    IndicatorResult.threshold,
    IndicatorResult.status,
    IndicatorResult.reason_vi,
    IndicatorResult.reason_en,
    IndicatorResult.threshold_verified,
    IndicatorResult.computed_at,
)


@dataclass
class MatrixRow:
    institution_id: int
    moet_code: str
    name_vi: str
    province_code: str
    ownership: str
    cells: dict[str, Any] = field(default_factory=dict)  # indicator id → result row

    def count(self, status: str) -> int:
        """How many of the institution's criteria (Circular 01/2024) have `status`. The cells
        also hold the data-quality indicators, which are no criteria: counted with them, the
        province page said "Chưa xác định 9" where the institution's own page said 5."""
        chosen = _criterion_ids()
        return sum(1 for i, c in self.cells.items() if i in chosen and c.status == status)


def _criterion_ids() -> frozenset[str]:
    return frozenset(d.id for d in criteria())


def matrix(
    session: Session,
    year: int,
    province: str = "",
    ownership: str = "",
    status: str = "",
    sort: str = "name",
    descending: bool = False,
) -> list[MatrixRow]:
    """Institutions × criteria (and the data-quality score) of `year`, filtered and sorted."""
    stmt = select(Institution).order_by(Institution.moet_code)
    if province:
        stmt = stmt.where(Institution.province_code == province)
    if ownership:
        stmt = stmt.where(Institution.ownership == ownership)
    rows = {
        i.id: MatrixRow(i.id, i.moet_code, i.name_vi, i.province_code, i.ownership)
        for i in session.scalars(stmt)
    }
    # Plain rows, not ORM objects: the national matrix holds ~11,000 results.
    results = session.execute(
        _current(select(*CELL_COLUMNS).where(IndicatorResult.year == year)).where(
            IndicatorResult.institution_id.in_(list(rows))
        )
    )
    for r in results:
        rows[r.institution_id].cells[r.indicator_id] = r
    out = [r for r in rows.values() if r.cells]
    if status in ("pass", "fail", "unknown"):
        out = [r for r in out if r.count(status) > 0]
    out.sort(key=_sort_key(sort), reverse=descending)
    if sort in by_id():  # rows without a value stay last in either order

        def unknown(row: MatrixRow) -> bool:
            cell = row.cells.get(sort)
            return cell is None or cell.value is None

        out.sort(key=unknown)
    return out


def _sort_key(sort: str) -> Any:
    if sort in by_id():

        def by_value(row: MatrixRow) -> tuple[int, float, str]:
            cell = row.cells.get(sort)
            value = cell.value if cell is not None else None
            return (value is None, value if value is not None else 0.0, row.moet_code)

        return by_value
    if sort in ("fail", "pass", "unknown"):
        return lambda row: (row.count(sort), row.moet_code)
    if sort == "code":
        return lambda row: row.moet_code
    if sort == "province":
        return lambda row: (row.province_code, row.moet_code)
    return lambda row: (row.name_vi.casefold(), row.moet_code)


def get_institution(session: Session, institution_id: int) -> Institution:
    inst = session.scalar(select(Institution).where(Institution.id == institution_id))
    if inst is None:
        raise NotFound("institution", institution_id)
    return inst


def institution_results(session: Session, institution_id: int, year: int) -> list[IndicatorResult]:
    stmt = _current(
        select(IndicatorResult).where(
            IndicatorResult.institution_id == institution_id, IndicatorResult.year == year
        )
    )
    order = {d.id: n for n, d in enumerate(DEFINITIONS)}
    return sorted(session.scalars(stmt), key=lambda r: order.get(r.indicator_id, 999))


def trends(session: Session, institution_id: int) -> dict[str, list[tuple[int, float | None]]]:
    """Per indicator: (year, value) over every computed year, oldest first."""
    stmt = _current(
        select(IndicatorResult.indicator_id, IndicatorResult.year, IndicatorResult.value).where(
            IndicatorResult.institution_id == institution_id
        )
    ).order_by(IndicatorResult.year)
    out: dict[str, list[tuple[int, float | None]]] = {}
    for indicator_id, year, value in session.execute(stmt):
        out.setdefault(indicator_id, []).append((int(year), value))
    return out


def compliance_summary(session: Session, year: int) -> dict[str, dict[str, int]]:
    """Per criterion: how many institutions pass, fail, are unknown or not yet in force."""
    stmt = _current(
        select(IndicatorResult.indicator_id, IndicatorResult.status, func.count())
        .where(IndicatorResult.year == year)
        .group_by(IndicatorResult.indicator_id, IndicatorResult.status)
    )
    out: dict[str, dict[str, int]] = {d.id: {} for d in criteria()}
    for indicator_id, status, n in session.execute(stmt):
        if indicator_id in out:
            out[indicator_id][status] = int(n)
    return out


def provinces(session: Session) -> dict[str, str]:
    stmt = select(Province.code, Province.name_vi).where(Province.generation == 34)
    return {str(code): str(name) for code, name in session.execute(stmt).all()}


def definitions_for(family: str) -> list[Definition]:
    return criteria() if family == "criterion" else quality()
