"""Submission templates: an .xlsx (data sheet with the header row, drop-down lists on coded
columns, date formats, and a data-dictionary sheet) or a UTF-8 CSV with the header only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from hemis.common.spreadsheet import workbook, write_csv
from hemis.imports.entities import Column, ColumnType, Entity
from hemis.imports.readers import excel_column

DATA_ROWS = 5000  # rows that get the drop-downs and formats in the template
INLINE_LIST = 255  # Excel's limit for a list typed into the validation itself
INLINE_CODES = 20  # longer lists go on the hidden lists sheet
LISTS_SHEET = "_lists"
DICTIONARY_SHEET = "data_dictionary"
TYPE_VI = {
    ColumnType.string: "văn bản",
    ColumnType.integer: "số nguyên",
    ColumnType.decimal: "số",
    ColumnType.date: "ngày",
    ColumnType.boolean: "đúng/sai",
    ColumnType.code: "mã",
}


def allowed_text(column: Column, limit: int = 0) -> str:
    """The allowed codes, or where they come from when there are more than `limit`."""
    codes = column.allowed
    if not codes:
        if column.type is ColumnType.boolean:
            return "true, false"
        return ""
    if limit and len(codes) > limit:
        source = column.codes.source if column.codes else ""
        return f"{len(codes)} codes: {source}"
    return ", ".join(codes)


def dictionary_rows(entity: Entity) -> list[list[str]]:
    rows = []
    for c in entity.columns:
        rows.append(
            [
                c.name,
                c.label_vi,
                f"{c.type.value} ({TYPE_VI[c.type]})",
                "yes / có" if c.required else "",
                allowed_text(c),
                c.description_vi,
                c.description_en,
            ]
        )
    return rows


DICTIONARY_HEADER = [
    "column / cột",
    "label (vi) / tên",
    "type / kiểu",
    "required / bắt buộc",
    "allowed codes / mã cho phép",
    "description (vi) / mô tả",
    "description (en)",
]


def write_csv_template(entity: Entity, path: Path) -> None:
    write_csv(pl.DataFrame(schema=dict.fromkeys(entity.names, pl.String)), path)


def write_xlsx_template(entity: Entity, path: Path) -> None:
    book = workbook(path)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    data = book.add_worksheet(entity.name)
    dictionary = book.add_worksheet(DICTIONARY_SHEET)
    lists = None
    for col, c in enumerate(entity.columns):
        data.write_string(0, col, c.name, required if c.required else header)
        data.write_comment(
            0, col, f"{c.label_vi}\n{c.description_vi}\n{c.description_en}", {"x_scale": 2}
        )
        if c.type is ColumnType.date:
            data.set_column(col, col, 14, date)
        elif c.type in (ColumnType.string, ColumnType.code):
            data.set_column(col, col, max(14, len(c.name) + 2), text)
        else:
            data.set_column(col, col, max(12, len(c.name) + 2))
        options = _validation(c)
        if options is None and c.allowed:
            if lists is None:
                lists = book.add_worksheet(LISTS_SHEET)
                lists.hide()
            list_col = excel_column(col)
            lists.write_string(0, col, c.name)
            for i, code in enumerate(c.allowed, start=1):
                lists.write_string(i, col, code)
            source = f"='{LISTS_SHEET}'!${list_col}$2:${list_col}${len(c.allowed) + 1}"
            options = {"validate": "list", "source": source}
        if options is not None:
            options.update(
                {
                    "error_title": c.name,
                    "error_message": f"{c.label_vi}: {_hint(c)}"[:255],
                    "error_type": "warning",
                }
            )
            data.data_validation(1, col, DATA_ROWS, col, options)
    data.freeze_panes(1, 0)
    data.activate()
    dictionary.write_row(0, 0, DICTIONARY_HEADER, header)
    for i, row in enumerate(dictionary_rows(entity), start=1):
        dictionary.write_row(i, 0, row, wrap)
    dictionary.set_column(0, 0, 22)
    dictionary.set_column(1, 3, 16)
    dictionary.set_column(4, 6, 45)
    book.close()


def _validation(c: Column) -> dict[str, object] | None:
    """Drop-down / checks typed into the validation (None: the list goes on the lists sheet)."""
    if c.type is ColumnType.boolean:
        return {"validate": "list", "source": ["true", "false"]}
    if c.type is ColumnType.date:
        return {"validate": "date", "criteria": ">=", "value": dt.date(1900, 1, 1)}
    if c.allowed:
        if len(c.allowed) <= INLINE_CODES and len(",".join(c.allowed)) <= INLINE_LIST:
            return {"validate": "list", "source": list(c.allowed)}
        return None
    return None


def _hint(c: Column) -> str:
    if c.type is ColumnType.date:
        return "ngày dd/mm/yyyy / a date (dd/mm/yyyy)"
    return allowed_text(c, 20)


def write_template(entity: Entity, fmt: str, path: Path) -> None:
    if fmt == "csv":
        write_csv_template(entity, path)
    else:
        write_xlsx_template(entity, path)
