"""Loading the population-by-age table (the denominator of the gross enrolment ratio) from a
CSV: `year,age,sex,population[,source]`. All or nothing: a bad row changes nothing; the years in
the file replace what was loaded for them before."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from hemis.db.base import table_of
from hemis.db.tenancy import get_scope
from hemis.errors import Forbidden, ValidationFailed
from hemis.indicators.models import PopulationByAge

POP = table_of(PopulationByAge)
COLUMNS = ("year", "age", "sex", "population")


def read_population(path: Path, default_source: str) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ValidationFailed(
            f"Không đọc được tệp dân số: {exc}.", f"Cannot read the population file: {exc}."
        ) from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationFailed(
            f"Thiếu cột: {', '.join(missing)}.",
            f"Missing columns: {', '.join(missing)}.",
            details={"missing": missing},
        )
    if "source" not in frame.columns:
        frame = frame.with_columns(pl.lit(default_source).alias("source"))
    typed = frame.select(
        pl.col("year").str.strip_chars().cast(pl.Int64, strict=False),
        pl.col("age").str.strip_chars().cast(pl.Int64, strict=False),
        pl.col("sex").str.strip_chars().str.to_lowercase(),
        pl.col("population").str.strip_chars().cast(pl.Int64, strict=False),
        pl.col("source").fill_null(default_source).str.slice(0, 300),
    ).with_row_index("line", offset=2)
    bad = typed.filter(
        pl.col("year").is_null()
        | ~pl.col("year").is_between(1900, 2100)
        | pl.col("age").is_null()
        | ~pl.col("age").is_between(0, 120)
        | ~pl.col("sex").is_in(["male", "female", "total"])
        | pl.col("population").is_null()
        | (pl.col("population") < 0)
    )
    duplicated = typed.filter(pl.struct("year", "age", "sex").is_duplicated())
    if not bad.is_empty() or not duplicated.is_empty():
        lines = sorted(set(bad["line"].to_list()) | set(duplicated["line"].to_list()))
        raise ValidationFailed(
            f"Dòng không hợp lệ hoặc trùng: {lines[:20]}.",
            f"Invalid or duplicate lines: {lines[:20]}.",
            details={"lines": lines[:100]},
        )
    return typed.drop("line")


def load_population(session: Session, frame: pl.DataFrame) -> int:
    """Replace the population of the years in `frame`; returns the rows written."""
    scope = get_scope(session)
    if not scope.national or not scope.writable:
        raise Forbidden()
    years = sorted(set(frame["year"].to_list()))
    session.execute(delete(POP).where(POP.c.year.in_(years)))
    if not frame.is_empty():
        session.execute(insert(POP), frame.to_dicts())
    session.commit()
    return frame.height
