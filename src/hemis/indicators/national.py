"""National indicators: a small cube of counts (learners studying at the cut-off, graduates of
the year, staff) by level, field (Vietnamese and ISCED-F), province, region, ownership, sex,
degree and title, built with three GROUP BY queries; the pages and exports aggregate it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.engine import Connection

from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.db.types import utcnow
from hemis.indicators.models import IndicatorCube
from hemis.indicators.sql import PE, I, S
from hemis.registry.models import Province

CUBE = table_of(IndicatorCube)
PR = table_of(Province)
DIMENSIONS = (
    "level", "field_code", "isced_code", "province_code", "region", "ownership", "sex",
    "degree", "title",
)  # fmt: skip


def _places() -> Any:
    return I.outerjoin(PR, and_(PR.c.generation == 34, PR.c.code == I.c.province_code))


def _learner_cube(conn: Connection, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The learner frame (criteria.learner_frame) summed over the cube's dimensions."""
    if frame.is_empty():
        return []
    places = conn.execute(
        select(
            I.c.id, I.c.province_code, func.coalesce(PR.c.region, ""), I.c.ownership
        ).select_from(_places())
    ).all()
    where = pl.DataFrame(
        [tuple(p) for p in places],
        schema={
            "institution_id": pl.Int64,
            "province_code": pl.String,
            "region": pl.String,
            "ownership": pl.String,
        },
        orient="row",
    )
    keys = ["level", "field_code", "isced_code", "province_code", "region", "ownership", "sex"]
    joined = frame.join(where, on="institution_id", how="left").with_columns(
        pl.col(keys).fill_null("")
    )
    out: list[dict[str, Any]] = []
    for measure, column in (("enrolled", "students"), ("graduates", "graduates")):
        summed = (
            joined.group_by(keys)
            .agg(pl.col(column).sum().alias("count"))
            .filter(pl.col("count") > 0)
        )
        out += [{"measure": measure, **row} for row in summed.to_dicts()]
    return out


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


def build_cube(conn: Connection, year: int, cutoff: dt.date, learners: pl.DataFrame) -> int:
    """Replace the year's cube; returns its row count."""
    rows = _learner_cube(conn, learners)
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
