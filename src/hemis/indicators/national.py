"""National indicators: a small cube of counts (learners studying at the cut-off, graduates of
the year, staff) by level, field (Vietnamese and ISCED-F), province, region, ownership, sex,
degree and title, built with three GROUP BY queries; the pages and exports aggregate it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.engine import Connection

from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.db.types import utcnow
from hemis.indicators.models import IndicatorCube
from hemis.indicators.sql import PE, A, I, L, P, S, studying_at
from hemis.registry.models import DisciplineIsced, Province
from hemis.registry.reference import ISCED_MAPPING_VERSION

CUBE = table_of(IndicatorCube)
DI = table_of(DisciplineIsced)
PR = table_of(Province)
DIMENSIONS = (
    "level", "field_code", "isced_code", "province_code", "region", "ownership", "sex",
    "degree", "title",
)  # fmt: skip


def _places() -> Any:
    return I.outerjoin(PR, and_(PR.c.generation == 34, PR.c.code == I.c.province_code))


def _learner_cube(
    conn: Connection, measure: str, where: Any, with_award: bool
) -> list[dict[str, Any]]:
    field = func.substr(P.c.discipline_code, 2, 2)
    source = L.join(P, and_(P.c.institution_id == L.c.institution_id, P.c.id == L.c.program_id))
    if with_award:
        source = source.join(
            A, and_(A.c.institution_id == L.c.institution_id, A.c.learner_id == L.c.id)
        )
    source = (
        source.join(_places(), I.c.id == L.c.institution_id)
        .join(PE, PE.c.id == L.c.person_id)
        .outerjoin(
            DI,
            and_(
                DI.c.mapping_version == ISCED_MAPPING_VERSION,
                DI.c.discipline_code == P.c.discipline_code,
            ),
        )
    )
    keys = (
        P.c.level,
        field.label("field_code"),
        func.coalesce(DI.c.isced_code, "").label("isced_code"),
        I.c.province_code,
        func.coalesce(PR.c.region, "").label("region"),
        I.c.ownership,
        PE.c.sex,
    )
    stmt = (
        select(*keys, func.count().label("count")).select_from(source).where(where).group_by(*keys)
    )
    return [{"measure": measure, **dict(r._mapping)} for r in conn.execute(stmt)]


def _staff_cube(conn: Connection, cutoff: dt.date) -> list[dict[str, Any]]:
    measure = case((S.c.position == "lecturer", "lecturers"), else_="staff")
    keys = (
        measure.label("measure"),
        S.c.highest_degree.label("degree"),
        S.c.academic_title.label("title"),
        I.c.province_code,
        func.coalesce(PR.c.region, "").label("region"),
        I.c.ownership,
        PE.c.sex,
    )
    stmt = (
        select(*keys, func.count().label("count"), func.sum(S.c.fte).label("fte"))
        .select_from(
            S.join(_places(), I.c.id == S.c.institution_id).join(PE, PE.c.id == S.c.person_id)
        )
        .where((S.c.hired_on.is_(None)) | (S.c.hired_on <= cutoff))
        .group_by(*keys)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def build_cube(conn: Connection, year: int, cutoff: dt.date) -> int:
    """Replace the year's cube; returns its row count."""
    rows = _learner_cube(conn, "enrolled", studying_at(cutoff), with_award=False)
    awarded = and_(A.c.awarded_on >= dt.date(year, 1, 1), A.c.awarded_on <= dt.date(year, 12, 31))
    rows += _learner_cube(conn, "graduates", awarded, with_award=True)
    rows += _staff_cube(conn, cutoff)
    conn.execute(delete(CUBE).where(CUBE.c.year == year))
    if not rows:
        return 0
    first = allocate_ids(conn, CUBE.name, len(rows))
    now = utcnow()
    values = []
    for offset, row in enumerate(rows):
        item: dict[str, Any] = {name: str(row.get(name) or "") for name in DIMENSIONS}
        item.update(
            id=first + offset,
            year=year,
            measure=row["measure"],
            count=int(row["count"]),
            fte=float(row.get("fte") or 0.0),
            computed_at=now,
        )
        values.append(item)
    conn.execute(insert(CUBE), values)
    return len(values)


__all__ = ["CUBE", "DIMENSIONS", "build_cube"]
