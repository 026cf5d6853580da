"""The typed-casting step: cleaned strings → typed columns, as polars expressions.

Everything is read as text first, so the same rules apply to every file format:

- integer: `1234`, `+12`, `1234.0` (a number Excel stored as a float), grouped thousands
  `1.234.567` or `1,234,567`.
- decimal: `3.5`, `3,5` (Vietnamese decimal comma; a single comma is always a decimal comma),
  `1.234,5` and `1,234.5` (grouped thousands).
- date: ISO `2024-09-05` (a time part is ignored), `5/9/2024`, `05-09-2024`, `05.09.2024`
  (day first, the Vietnamese order), `2024/09/05`, and Excel serial numbers of 5 digits
  (`45540` = 2024-09-05; 1927–2173; a 4-digit number is a year, not a date). Dates outside
  1900–2100 are refused.
- boolean: true/false, 1/0, yes/no, y/n, có/không, co/khong, x (= true), any case.
- code: case-insensitive; spaces and hyphens read as underscores; digits-only codes (ethnicity,
  province) left-padded with zeros to their width.

A value that does not parse becomes null in the typed column; the raw text stays in
`<column>__raw` for the report. String columns are their own raw column.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from hemis.imports.clean import via_uniques
from hemis.imports.entities import Column, ColumnType, Entity

EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
_DAYS_TO_EXCEL_EPOCH = (EXCEL_EPOCH - dt.date(1970, 1, 1)).days

TRUE_WORDS = ("true", "1", "yes", "y", "có", "co", "x", "đúng", "dung")
FALSE_WORDS = ("false", "0", "no", "n", "không", "khong", "sai")


def raw_name(column: Column) -> str:
    return column.name if column.type is ColumnType.string else f"{column.name}__raw"


def parse_integer(e: pl.Expr) -> pl.Expr:
    digits = (
        pl.when(e.str.contains(r"^[+-]?[0-9]+(\.0*)?$"))
        .then(e.str.replace(r"\.0*$", ""))
        .when(e.str.contains(r"^[0-9]{1,3}(\.[0-9]{3})+$"))
        .then(e.str.replace_all(".", "", literal=True))
        .when(e.str.contains(r"^[0-9]{1,3}(,[0-9]{3})+$"))
        .then(e.str.replace_all(",", "", literal=True))
    )
    return digits.cast(pl.Int64, strict=False)


def parse_decimal(e: pl.Expr) -> pl.Expr:
    text = (
        pl.when(e.str.contains(r"^[+-]?[0-9]*\.?[0-9]+$"))
        .then(e)
        .when(e.str.contains(r"^[+-]?[0-9]+,[0-9]+$"))
        .then(e.str.replace(",", ".", literal=True))
        .when(e.str.contains(r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$"))
        .then(e.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(e.str.contains(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"))
        .then(e.str.replace_all(",", "", literal=True))
    )
    return text.cast(pl.Float64, strict=False)


def parse_date(e: pl.Expr) -> pl.Expr:
    iso = pl.when(
        e.str.contains(
            r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?$"
        )
    ).then(e.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
    day_first = pl.when(e.str.contains(r"^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}$")).then(
        e.str.replace_all(r"[.-]", "/").str.to_date("%d/%m/%Y", strict=False)
    )
    year_first = pl.when(e.str.contains(r"^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}$")).then(
        e.str.to_date("%Y/%m/%d", strict=False)
    )
    serial = pl.when(e.str.contains(r"^[0-9]{5}(\.[0-9]+)?$")).then(
        (e.str.replace(r"\..*$", "").cast(pl.Int64, strict=False) + _DAYS_TO_EXCEL_EPOCH)
        .cast(pl.Int32)
        .cast(pl.Date)
    )
    parsed = pl.coalesce(iso, day_first, year_first, serial)
    return pl.when(parsed.is_between(MIN_DATE, MAX_DATE)).then(parsed)


def parse_boolean(e: pl.Expr) -> pl.Expr:
    mapping = dict.fromkeys(TRUE_WORDS, True) | dict.fromkeys(FALSE_WORDS, False)
    return e.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.Boolean)


def normalise_code(column: Column, e: pl.Expr) -> pl.Expr:
    """The code as stored: lower case, underscores; digit codes left-padded."""
    allowed = column.allowed
    if allowed and all(a.isdigit() for a in allowed):
        return pad_digits(e, len(max(allowed, key=len)), 1)
    if allowed and all(a.isupper() for a in allowed):
        return e.str.to_uppercase()
    return e.str.to_lowercase().str.replace_all(r"[ -]+", "_")


def pad_digits(e: pl.Expr, width: int, shortest: int) -> pl.Expr:
    short = e.str.contains(r"^[0-9]+$") & e.str.len_chars().is_between(shortest, width - 1)
    return pl.when(short).then(e.str.zfill(width)).otherwise(e)


def parse_column(column: Column, e: pl.Expr) -> pl.Expr:
    match column.type:
        case ColumnType.integer:
            return parse_integer(e)
        case ColumnType.decimal:
            return parse_decimal(e)
        case ColumnType.date:
            return parse_date(e)
        case ColumnType.boolean:
            return parse_boolean(e)
        case ColumnType.code:
            code = normalise_code(column, e)
            return pl.when(code.is_in(list(column.allowed))).then(code)
        case _:
            if column.pad_to:
                return pad_digits(e, column.pad_to, column.pad_from)
            return e


def cast_frame(entity: Entity, frame: pl.DataFrame) -> pl.DataFrame:
    """From cleaned strings named after the spec columns (all present, missing ones null) to
    `__row__` + typed spec columns + `<name>__raw` for every non-string column. Parsing runs on
    the distinct values of a column and is mapped back (`via_uniques`)."""
    columns: list[pl.Series] = [frame["__row__"]]
    for column in entity.columns:
        source = frame[column.name]
        if column.type is ColumnType.string and not column.pad_to:
            columns.append(source)
            continue
        typed = via_uniques(source, parse_column(column, pl.col(column.name)))
        columns.append(typed.alias(column.name))
        if column.type is not ColumnType.string:
            columns.append(compact_text(source).alias(raw_name(column)))
    return pl.DataFrame(columns)


def compact_text(series: pl.Series) -> pl.Series:
    """Text kept only for the report, as an Enum of its own distinct values when they repeat:
    one to four bytes a row instead of a 16-byte string view (a file of millions of rows keeps
    a dozen such columns through every check)."""
    distinct = series.drop_nulls().unique()
    if len(distinct) * 2 > len(series):
        return series
    return series.cast(pl.Enum(distinct.sort()))
