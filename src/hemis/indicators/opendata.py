"""The public open-data export: national tables from the cube (no institution, no person), with
small-cell suppression (suppression.py) so that no published cell counts fewer than 5 persons
and no suppressed cell can be recovered from the totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.indicators.models import IndicatorCube
from hemis.indicators.suppression import MIN_CELL, Suppressed, suppress

# (table id, measure, row dimension, column dimension, Vietnamese title, English title)
TABLES = (
    (
        "enrolled_province_level",
        "enrolled",
        "province_code",
        "level",
        "Người học theo tỉnh và trình độ",
        "Learners by province and level",
    ),
    (
        "enrolled_field_sex",
        "enrolled",
        "field_code",
        "sex",
        "Người học theo lĩnh vực và giới tính",
        "Learners by field and sex",
    ),
    (
        "graduates_province_level",
        "graduates",
        "province_code",
        "level",
        "Người tốt nghiệp theo tỉnh và trình độ",
        "Graduates by province and level",
    ),
    (
        "lecturers_degree_sex",
        "lecturers",
        "degree",
        "sex",
        "Giảng viên theo trình độ và giới tính",
        "Lecturers by degree and sex",
    ),
)
SUPPRESSED = "x"


@dataclass(frozen=True)
class OpenTable:
    id: str
    title_vi: str
    title_en: str
    rows: list[str]
    columns: list[str]
    result: Suppressed

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "rows": self.rows,
            "columns": self.columns,
            "cells": self.result.cells,
            "row_totals": self.result.row_totals,
            "column_totals": self.result.column_totals,
            "grand_total": self.result.grand_total,
            "min_cell": MIN_CELL,
        }

    def frame(self) -> pl.DataFrame:
        """Long form: row, column, value (null and suppressed=true where hidden); totals as
        rows with column or row "TOTAL"."""
        out: list[dict[str, Any]] = []
        r = self.result
        for i, row in enumerate(self.rows):
            for j, col in enumerate(self.columns):
                out.append(_cell(self.id, row, col, r.cells[i][j]))
            out.append(_cell(self.id, row, "TOTAL", r.row_totals[i]))
        for j, col in enumerate(self.columns):
            out.append(_cell(self.id, "TOTAL", col, r.column_totals[j]))
        out.append(_cell(self.id, "TOTAL", "TOTAL", r.grand_total))
        schema = {
            "table": pl.String,
            "row": pl.String,
            "column": pl.String,
            "value": pl.Int64,
            "suppressed": pl.Boolean,
        }
        return pl.DataFrame(out, schema=schema)


def _cell(table: str, row: str, col: str, value: int | None) -> dict[str, Any]:
    return {"table": table, "row": row, "column": col, "value": value, "suppressed": value is None}


def open_tables(session: Session, year: int) -> list[OpenTable]:
    out = []
    q = IndicatorCube
    for table_id, measure, row_dim, col_dim, title_vi, title_en in TABLES:
        r, c = getattr(q, row_dim), getattr(q, col_dim)
        stmt = (
            select(r, c, func.sum(q.count))
            .where(q.year == year, q.measure == measure)
            .group_by(r, c)
        )
        cells = {(str(a), str(b)): int(n) for a, b, n in session.execute(stmt).all()}
        rows = sorted({a for a, _ in cells})
        cols = sorted({b for _, b in cells})
        matrix = [[cells.get((a, b), 0) for b in cols] for a in rows]
        out.append(OpenTable(table_id, title_vi, title_en, rows, cols, suppress(matrix)))
    return out


def open_frame(tables: list[OpenTable]) -> pl.DataFrame:
    frames = [t.frame() for t in tables]
    return pl.concat(frames) if frames else pl.DataFrame()
