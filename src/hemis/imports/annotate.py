"""The annotated copy: the data rewritten with each bad cell highlighted (red: error, yellow:
warning) and a comment holding its messages, plus an `issues` sheet listing every issue.

Data rows keep their row numbers, so "row 17" in the report is row 17 of this copy. Only the
template's columns are written, under their proper names. National IDs are not given back (ADR
0003): the national-ID column shows the last three characters of each value, and a 12- or 9-digit
run in any other text cell is masked the same way — so corrections are made in the institution's
own file, found by row number. Comments are capped at MAX_COMMENTS (Excel slows down with more);
every issue is still on the `issues` sheet (up to Excel's row limit).

Text is written as text cells (hemis.common.spreadsheet): a value that looks like a formula is
shown, never evaluated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from hemis.common.national_ids import mask_series, mask_text
from hemis.common.spreadsheet import Format, Worksheet, workbook
from hemis.imports.cast import raw_name
from hemis.imports.entities import Column, ColumnType
from hemis.imports.report import mask_id

if TYPE_CHECKING:
    from hemis.imports.report import Report

MAX_COMMENTS = 20_000
EXCEL_ROWS = 1_048_576


def _cells(report: Report) -> dict[tuple[int, str], list[tuple[str, str]]]:
    """(row, column) → [(severity, text)] for issues that point at a cell."""
    cells: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    located = report.issues.filter(report.issues["row"].is_not_null())
    for row, column, rule, severity, message, message_en in located.select(
        "row", "column", "rule", "severity", "message", "message_en"
    ).iter_rows():
        cells[(row, column)].append((severity, f"{rule}: {message} / {message_en}"))
    return cells


def _shown(report: Report, columns: list[Column]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Each column's typed and raw values, their text masked as the module says."""

    def hide(values: pl.Series, column: Column) -> pl.Series:
        values = values.cast(pl.String)
        if column.sensitive:
            return pl.select(mask_id(pl.lit(values))).to_series()
        return mask_series(values)

    typed, raw = [], []
    for c in columns:
        value = report.data[c.name]
        if c.type in (ColumnType.string, ColumnType.code):
            value = hide(value, c)
        typed.append(value.to_list())
        raw.append(hide(report.data[raw_name(c)], c).to_list())
    return typed, raw


def _writer(kind: ColumnType, ws: Worksheet, date_format: Format) -> Any:
    def write(row: int, col: int, typed: Any, raw: Any, fmt: Format | None) -> None:
        if typed is None:
            if raw is not None:
                ws.write_string(row, col, str(raw), fmt)
            elif fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif kind is ColumnType.date and isinstance(typed, dt.date):
            ws.write_datetime(row, col, typed, fmt or date_format)
        elif kind in (ColumnType.integer, ColumnType.decimal):
            ws.write_number(row, col, typed, fmt)
        elif kind is ColumnType.boolean:
            ws.write_boolean(row, col, typed, fmt)
        else:
            ws.write_string(row, col, str(typed), fmt)

    return write


def write_annotated(report: Report, path: Path) -> None:
    entity = report.entity
    book = workbook(path, constant_memory=True)
    formats = {
        "error": book.add_format({"bg_color": "#F4B6B6"}),
        "warning": book.add_format({"bg_color": "#FFE699"}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    ws = book.add_worksheet(entity.name)
    columns = list(entity.columns)
    cells = _cells(report)
    comments = 0

    def mark(row: int, col: int, name: str) -> Format | None:
        nonlocal comments
        found = cells.get((row, name))
        if not found:
            return None
        if comments < MAX_COMMENTS:
            ws.write_comment(
                row - 1, col, "\n".join(t for _, t in found)[:32000], {"x_scale": 3, "y_scale": 2}
            )
            comments += 1
        severe = any(s == "error" for s, _ in found)
        return formats["error" if severe else "warning"]

    header_row = 1
    for col, column in enumerate(columns):
        issue_format = mark(header_row, col, column.name)
        ws.write_string(0, col, column.name, issue_format or formats["header"])
        ws.set_column(col, col, max(12, len(column.name) + 2))
    writers = [_writer(c.type, ws, formats["date"]) for c in columns]
    typed, raw = _shown(report, columns)
    for index, row in enumerate(report.data["__row__"].to_list()):
        if row > EXCEL_ROWS:
            break
        for col, column in enumerate(columns):
            fmt = mark(row, col, column.name)
            writers[col](row - 1, col, typed[col][index], raw[col][index], fmt)
    ws.freeze_panes(1, 0)
    _issues_sheet(book, report)
    book.close()


def _issues_sheet(book: Any, report: Report) -> None:
    ws = book.add_worksheet("issues")
    names = ["row", "column", "rule", "severity", "tier", "value", "message", "message_en"]
    ws.write_row(0, 0, names, book.add_format({"bold": True}))
    for i, values in enumerate(report.issues.select(names).iter_rows(), start=1):
        if i >= EXCEL_ROWS:
            break
        shown = [mask_text(v) if isinstance(v, str) else v for v in values]
        ws.write_row(i, 0, ["" if v is None else v for v in shown])
    ws.set_column(6, 7, 60)
