"""Reading workbooks with fastexcel (calamine), every cell as text.

Which sheet is read:
1. the sheet named with `--sheet`, if given (an error lists the sheets when it does not exist);
2. otherwise the visible sheet named like the entity (`learners`, or its Vietnamese label such as
   "Người học"), as in the templates;
3. otherwise the first visible sheet, with a `FILE.sheet.choice` warning when there are several.
Hidden sheets are never read (the templates keep their drop-down lists on one); a hidden sheet
named like the entity gets a `FILE.sheet.hidden` warning.

Formulas: calamine returns the result cached in the file by the program that saved it (a file
written by a tool that does not calculate may cache 0 or nothing); each formula cell in the data
gets a `FILE.cell.formula` warning. Merged cells: only the first cell of a merged range holds a
value, the others read as empty; each merged range gets a `FILE.cell.merged` error. Both are found
by scanning the sheet's XML inside the .xlsx; old .xls workbooks are read without these checks.

Before calamine sees an .xlsx, `hemis.imports.limits` checks its parts (count, inflated size,
compression ratio, no DTD) and the chosen sheet's declared range.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from hemis.common.text import fold
from hemis.imports.catalogue import Finding
from hemis.imports.clean import clean_value
from hemis.imports.limits import (
    PROLOG_WINDOW,
    ReadLimits,
    UnreadableFile,
    check_dimension,
    check_workbook_parts,
)
from hemis.imports.readers import RawTable, split_header

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b")
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)[0-9]+')
_CHUNK = 16 << 20
_OVERLAP = 512


@dataclass(frozen=True)
class SheetInfo:
    name: str
    visible: bool
    xml_path: str | None


def column_index(letters: bytes | str) -> int:
    """A → 0, Z → 25, AA → 26."""
    text = letters.decode() if isinstance(letters, bytes) else letters
    index = 0
    for ch in text:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR.findall(raw)}


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def workbook_sheets(book: zipfile.ZipFile) -> list[SheetInfo]:
    """Sheets in workbook order with their visibility and XML part."""
    targets: dict[str, str] = {}
    try:
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        rels = b""
    for raw in _REL.findall(rels):
        a = _attrs(raw)
        target = a.get("Target", "").lstrip("/")
        targets[a.get("Id", "")] = target if target.startswith("xl/") else f"xl/{target}"
    sheets = []
    for raw in _SHEET.findall(book.read("xl/workbook.xml")):
        a = _attrs(raw)
        sheets.append(
            SheetInfo(
                _unescape(a.get("name", "")),
                a.get("state", "visible") == "visible",
                targets.get(a.get("id", "")),
            )
        )
    return sheets


def _sheet_names_like(entity: str) -> set[str]:
    from hemis.imports.entities import get_entity

    spec = get_entity(entity)
    return {_key(spec.name), _key(spec.label_vi), _key(spec.label_en)}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(name))


def choose_sheet(
    sheets: list[SheetInfo], entity: str, wanted: str | None
) -> tuple[SheetInfo, list[Finding]]:
    names = [s.name for s in sheets]
    if wanted is not None:
        for sheet in sheets:
            if sheet.name == wanted:
                return sheet, []
        raise UnreadableFile(
            f"Không có trang tính '{wanted}'. Các trang: {', '.join(names)}.",
            f"No sheet named '{wanted}'. Sheets: {', '.join(names)}.",
            details={"sheets": names},
        )
    like = _sheet_names_like(entity)
    visible = [s for s in sheets if s.visible]
    findings = [
        Finding("FILE.sheet.hidden", None, detail=f"'{s.name}'")
        for s in sheets
        if not s.visible and _key(s.name) in like
    ]
    named = [s for s in visible if _key(s.name) in like]
    if named:
        return named[0], findings
    if not visible:
        raise UnreadableFile(
            "Sổ tính không có trang tính nào đang hiện.",
            "The workbook has no visible sheet.",
            details={"sheets": names},
        )
    if len(visible) > 1:
        findings.append(Finding("FILE.sheet.choice", None, detail=f"'{visible[0].name}'"))
    return visible[0], findings


def _chunks(book: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes in chunks that overlap by a little, so no tag is cut in two unseen."""
    tail = b""
    with book.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            yield tail + chunk
            tail = chunk[-_OVERLAP:]


def scan_sheet_xml(book: zipfile.ZipFile, part: str) -> tuple[int, list[tuple[str, int, int, str]]]:
    """(first used column, [(kind, row, column, range)]) of merges and formula cells, streamed
    through the sheet's XML without holding it in memory."""
    first_column = 0
    found: dict[tuple[str, int, int, str], None] = {}  # ordered set: overlaps repeat matches
    for n, chunk in enumerate(_chunks(book, part)):
        if n == 0:
            dim = _DIMENSION.search(chunk[:4096])
            first_column = column_index(dim.group(1)) if dim else 0
        if b"mergeCell" in chunk:
            for c1, r1, c2, r2 in _MERGE.findall(chunk):
                ref = f"{c1.decode()}{r1.decode()}:{c2.decode()}{r2.decode()}"
                found[("merged", int(r1), column_index(c1), ref)] = None
        if b"<f" in chunk or b":f" in chunk:
            for attrs in _FORMULA.findall(chunk):
                ref_match = _REF.search(attrs)
                if ref_match:
                    col, row = ref_match.groups()
                    found[("formula", int(row), column_index(col), "")] = None
    return first_column, list(found)


def _check_zip(path: Path, name: str, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
            if "xl/workbook.xml" not in names:
                raise UnreadableFile(
                    f"Tệp {name} là tệp nén zip nhưng không phải sổ tính Excel.",
                    f"File {name} is a zip archive but not an Excel workbook.",
                    details={"content": "zip"},
                )
            check_workbook_parts(book, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, EOFError, OSError) as exc:
        # (RuntimeError: an encrypted part; OSError, EOFError: a truncated one)
        raise UnreadableFile(
            "Tệp .xlsx bị hỏng (không phải zip hợp lệ).",
            "The .xlsx file is damaged (not a valid zip archive).",
            details={"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__},
        ) from exc


def _check_sheet_range(book: zipfile.ZipFile, sheet: SheetInfo, limits: ReadLimits) -> None:
    """The sheet's declared range, before calamine allocates it (a range the cells exceed
    anyway is stopped by the reader process's memory limit)."""
    if sheet.xml_path is None or sheet.xml_path not in book.namelist():
        return
    with book.open(sheet.xml_path) as fh:
        check_dimension(fh.read(PROLOG_WINDOW), limits)


def read_workbook(
    path: Path,
    entity: str,
    wanted: str | None,
    kind: str,
    limits: ReadLimits | None = None,
    name: str | None = None,
) -> RawTable:
    limits = limits or ReadLimits()
    if kind == "xlsx":
        _check_zip(path, name or path.name, limits)
        with zipfile.ZipFile(path) as parts:
            chosen, _ = choose_sheet(workbook_sheets(parts), entity, wanted)
            _check_sheet_range(parts, chosen, limits)
    try:
        reader = fastexcel.read_excel(path)
    except Exception as exc:
        raise UnreadableFile(
            "Không mở được sổ tính Excel (tệp hỏng hoặc có mật khẩu).",
            "The Excel workbook cannot be opened (damaged or password-protected).",
            details={"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__},
        ) from exc
    book = zipfile.ZipFile(path) if kind == "xlsx" else None
    try:
        if book is not None:
            sheets = workbook_sheets(book)
        else:
            sheets = [SheetInfo(n, True, None) for n in reader.sheet_names]
        sheet, findings = choose_sheet(sheets, entity, wanted)
        try:
            loaded = reader.load_sheet(sheet.name, header_row=None, skip_rows=0, dtypes="string")
            frame = loaded.to_polars()
            del loaded, reader
        except Exception as exc:
            raise UnreadableFile(
                f"Không đọc được trang tính '{sheet.name}'.",
                f"Sheet '{sheet.name}' cannot be read.",
                details={"error": str(exc).splitlines()[0]},
            ) from exc
        if frame.width == 0 or frame.height == 0:
            raise UnreadableFile(
                f"Trang tính '{sheet.name}' trống.",
                f"Sheet '{sheet.name}' is empty.",
                details={"sheet": sheet.name},
            )
        first_column, cells = (
            scan_sheet_xml(book, sheet.xml_path) if book and sheet.xml_path else (0, [])
        )
    finally:
        if book is not None:
            book.close()
    frame = frame.select(pl.all().cast(pl.String)).with_row_index("__row__", offset=1)
    table = split_header(frame, kind, first_column, sheet.name)
    table.findings = findings + table.findings + _cell_findings(table, cells, first_column, frame)
    return table


def _cell_findings(
    table: RawTable,
    cells: list[tuple[str, int, int, str]],
    first_column: int,
    frame: pl.DataFrame,
) -> list[Finding]:
    header = frame.filter(pl.col("__row__") == table.header_row).drop("__row__").row(0)
    findings = []
    for kind, row, col, ref in cells:
        position = col - first_column
        value = header[position] if 0 <= position < len(header) else None
        name = clean_value(value) if value is not None else None
        if kind == "merged":
            findings.append(Finding("FILE.cell.merged", row, name, detail=ref))
        elif row > table.header_row:
            findings.append(Finding("FILE.cell.formula", row, name))
    return findings
