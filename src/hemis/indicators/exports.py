"""Exports of the indicators: a formatted workbook with Vietnamese headers (xlsxwriter), CSV and
Parquet for analysts (one row per institution × indicator, every field of the stored result),
JSON; and the public open-data tables (opendata.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from hemis.common.spreadsheet import csv_bytes
from hemis.common.spreadsheet import workbook as new_workbook
from hemis.errors import ValidationFailed
from hemis.indicators.definitions import DEFINITIONS, by_id, criteria
from hemis.indicators.queries import OWNERSHIP_LABELS, STATUS_LABELS, MatrixRow

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}
LONG_HEADERS_VI = {
    "year": "Năm",
    "institution_id": "Mã định danh cơ sở",
    "moet_code": "Mã cơ sở",
    "institution": "Tên cơ sở đào tạo",
    "province_code": "Mã tỉnh",
    "ownership": "Loại hình",
    "indicator_id": "Mã chỉ số",
    "indicator": "Chỉ số",
    "definition_version": "Phiên bản định nghĩa",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "value": "Giá trị",
    "threshold": "Ngưỡng",
    "status": "Kết quả",
    "reason_vi": "Lý do",
    "reason_en": "Reason (English)",
    "threshold_verified": "Ngưỡng đã xác minh",
    "computed_at": "Thời điểm tính",
}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"Định dạng không hỗ trợ: {fmt}.",
            f"Unsupported format: {fmt} (use {', '.join(FORMATS)}).",
            details={"format": fmt, "allowed": list(FORMATS)},
        )
    return fmt


def long_frame(rows: Sequence[MatrixRow], year: int) -> pl.DataFrame:
    """One row per institution × indicator, every stored field (for analysts)."""
    records: list[dict[str, Any]] = []
    for row in rows:
        for indicator_id, r in row.cells.items():
            d = by_id().get(indicator_id)
            records.append(
                {
                    "year": year,
                    "institution_id": row.institution_id,
                    "moet_code": row.moet_code,
                    "institution": row.name_vi,
                    "province_code": row.province_code,
                    "ownership": row.ownership,
                    "indicator_id": indicator_id,
                    "indicator": d.name_vi if d else indicator_id,
                    "definition_version": r.definition_version,
                    "numerator": r.numerator,
                    "denominator": r.denominator,
                    "value": r.value,
                    "threshold": r.threshold,
                    "status": r.status,
                    "reason_vi": r.reason_vi,
                    "reason_en": r.reason_en,
                    "threshold_verified": r.threshold_verified,
                    "computed_at": r.computed_at.isoformat(),
                }
            )
    schema = {
        **dict.fromkeys(LONG_HEADERS_VI, pl.String),
        "year": pl.Int64,
        "institution_id": pl.Int64,
        "definition_version": pl.Int64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "value": pl.Float64,
        "threshold": pl.Float64,
        "threshold_verified": pl.Boolean,
    }
    return pl.DataFrame(records, schema=schema)


def to_bytes(
    frame: pl.DataFrame,
    fmt: str,
    rows: Sequence[MatrixRow],
    year: int,
    province_names: Mapping[str, str] | None = None,
) -> bytes:
    check_format(fmt)
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="zstd")
        return buffer.getvalue()
    if fmt == "csv":
        # Vietnamese headers; a BOM so spreadsheet programs read UTF-8.
        renamed = frame.rename({k: v for k, v in LONG_HEADERS_VI.items() if k in frame.columns})
        return csv_bytes(renamed, bom=True)
    if fmt == "json":
        body = {"year": year, "items": frame.to_dicts()}
        return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    return workbook(rows, year, province_names)


def workbook(
    rows: Sequence[MatrixRow], year: int, province_names: Mapping[str, str] | None = None
) -> bytes:
    """The compliance matrix: one sheet, institutions × criteria, status-coloured, with the
    definitions (formula, threshold, whether it was verified) on a second sheet."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, in_memory=True)
    head = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDE5F0", "border": 1}
    )
    fmt = {
        "pass": book.add_format({"bg_color": "#D9F2DD", "num_format": "0.00"}),
        "fail": book.add_format({"bg_color": "#F8D7DA", "num_format": "0.00"}),
        "unknown": book.add_format({"bg_color": "#EEEEEE", "italic": True}),
        "na": book.add_format({"bg_color": "#FFF4D6", "num_format": "0.00"}),
        "info": book.add_format({"num_format": "0.00"}),
    }
    sheet = book.add_worksheet("Tuân thủ chuẩn")
    columns = [*criteria(), by_id()["dq_score"]]
    fixed = ["Mã cơ sở", "Tên cơ sở đào tạo", "Tỉnh", "Loại hình", "Số tiêu chí không đạt"]
    names = province_names or {}
    for c, title in enumerate(fixed):
        sheet.write(0, c, title, head)
    for n, d in enumerate(columns):
        title = d.name_vi + ("" if d.threshold_verified else " (ngưỡng chưa xác minh)")
        sheet.write(0, len(fixed) + n, title, head)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(
            r,
            0,
            [
                row.moet_code,
                row.name_vi,
                names.get(row.province_code, row.province_code),
                OWNERSHIP_LABELS.get(row.ownership, (row.ownership,))[0],
                row.count("fail"),
            ],
        )
        for n, d in enumerate(columns):
            cell = row.cells.get(d.id)
            col = len(fixed) + n
            if cell is None:
                continue
            if cell.value is None:
                sheet.write(r, col, STATUS_LABELS["unknown"][0], fmt["unknown"])
                if cell.reason_vi:
                    sheet.write_comment(r, col, cell.reason_vi)
            else:
                sheet.write_number(r, col, cell.value, fmt.get(cell.status, fmt["info"]))
    sheet.freeze_panes(1, 2)
    sheet.set_row(0, 60)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 18)
    sheet.set_column(3, 4, 12)
    sheet.set_column(5, 5 + len(columns), 14)
    sheet.autofilter(0, 0, max(1, len(rows)), len(fixed) + len(columns) - 1)
    _definitions_sheet(book, head, year)
    book.close()
    return buffer.getvalue()


def _definitions_sheet(book: Any, head: Any, year: int) -> None:
    sheet = book.add_worksheet("Định nghĩa")
    titles = [
        "Mã chỉ số",
        "Phiên bản",
        "Tên",
        "Công thức",
        "Tử số",
        "Mẫu số",
        "Ngưỡng năm " + str(year),
        "Ngưỡng đã xác minh",
        "Ghi chú",
        "Căn cứ",
        "Quy tắc tính",
    ]
    for c, title in enumerate(titles):
        sheet.write(0, c, title, head)
    for r, d in enumerate(DEFINITIONS, start=1):
        threshold = d.threshold(year)
        sheet.write_row(
            r,
            0,
            [
                d.id,
                d.version,
                d.name_vi,
                d.formula,
                d.numerator_vi,
                d.denominator_vi,
                "" if threshold is None else threshold,
                "có" if d.threshold_verified else "chưa",
                d.note_vi,
                d.source,
                "\n".join(
                    f"{r.text_vi} (Căn cứ: {r.source}{'' if r.verified else '; chưa đối chiếu'})"
                    for r in d.all_rules()
                ),
            ],
        )
    sheet.set_column(0, 0, 22)
    sheet.set_column(2, 5, 40)
    sheet.set_column(8, 10, 60)


def open_workbook(tables: Sequence[Any], year: int) -> bytes:
    """The open-data tables, one sheet each, "x" where a cell is suppressed (fewer than 5
    persons, or a complement that would reveal one)."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, in_memory=True)
    head = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1})
    for table in tables:
        sheet = book.add_worksheet(table.id[:31])
        sheet.write(0, 0, f"{table.title_vi} — {year}", head)
        sheet.write_row(2, 0, ["", *table.columns, "Tổng"], head)
        r = table.result
        for i, row in enumerate(table.rows):
            values = [*r.cells[i], r.row_totals[i]]
            sheet.write(3 + i, 0, row, head)
            for j, v in enumerate(values):
                sheet.write(3 + i, 1 + j, "x" if v is None else v)
        last = 3 + len(table.rows)
        sheet.write(last, 0, "Tổng", head)
        for j, v in enumerate([*r.column_totals, r.grand_total]):
            sheet.write(last, 1 + j, "x" if v is None else v)
        sheet.write(last + 2, 0, "x: ô bị ẩn để bảo vệ dữ liệu cá nhân (dưới 5 người).")
        sheet.set_column(0, 0, 24)
    book.close()
    return buffer.getvalue()
