"""Limits on reading a submitted file, and the checks made before a reader is let near it.

A file comes from outside: a few kilobytes can ask a reader for hundreds of gigabytes (a sheet
whose cells span A1:XFD1048576, a zip bomb, a one-line CSV of millions of fields). So:

- before reading: an .xlsx's parts are listed (their count, their total uncompressed size and
  the compression ratio of every large part are capped), no XML part may declare a DTD
  (`<!DOCTYPE`, `<!ENTITY`: external entities and entity expansion), the chosen sheet's
  declared `<dimension>` is capped in columns and cells; a CSV's header line is capped in
  length and fields; a Parquet file's columns are counted from its schema;
- after reading, before the table is handed on: its columns and its longest cell are capped;
- around the whole read: the reader runs in a process of its own with hard memory and time
  limits (`hemis.imports.sandbox`), which stops whatever the checks above cannot see (a sheet
  whose cells lie outside its declared range, zip sizes that lie, a decoder that misbehaves).

Every refusal is an `UnreadableFile` (code `import.unreadable`) whose details name the limit.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from hemis.errors import HemisError

if TYPE_CHECKING:
    from hemis.config import Settings

MAX_PARTS = 10_000  # zip members of one workbook (real ones have tens)
RATIO_FROM = 1 << 20  # parts smaller than this may compress as well as they like
PROLOG_WINDOW = 64 << 10  # an XML part's DTD, if any, sits before its root element, in here
HEADER_LINE = 1 << 20  # a CSV header line longer than this is not a header
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,4})\$?([0-9]{1,8})(?::\$?([A-Z]{1,4})\$?([0-9]{1,8}))?"',
    re.IGNORECASE,
)
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT = re.compile(rb"<[A-Za-z_]")


class UnreadableFile(HemisError):
    code = "import.unreadable"
    status = 422


@dataclass(frozen=True)
class ReadLimits:
    """What one read may cost; the defaults are those of the settings (`HEMIS_IMPORT_*`)."""

    memory_mb: int = 4096
    seconds: int = 300
    max_columns: int = 1000
    max_cell_chars: int = 32767
    max_sheet_cells: int = 30_000_000
    max_unzipped_mb: int = 1024
    max_zip_ratio: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(
            memory_mb=settings.import_reader_memory_mb,
            seconds=settings.import_reader_seconds,
            max_columns=settings.import_max_columns,
            max_cell_chars=settings.import_max_cell_chars,
            max_sheet_cells=settings.import_max_sheet_cells,
            max_unzipped_mb=settings.import_max_unzipped_mb,
            max_zip_ratio=settings.import_max_zip_ratio,
        )


def refuse(vi: str, en: str, **details: object) -> UnreadableFile:
    return UnreadableFile(vi, en, details=details or None)


def too_many_columns(found: int, limits: ReadLimits) -> UnreadableFile:
    return refuse(
        f"Tệp có {found:,} cột, quá giới hạn {limits.max_columns:,} cột.",
        f"The file has {found:,} columns, more than the limit of {limits.max_columns:,}.",
        limit="columns",
        max=limits.max_columns,
        found=found,
    )


def _column_number(letters: bytes) -> int:
    """A → 1, XFD → 16384."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def check_workbook_parts(book: zipfile.ZipFile, limits: ReadLimits) -> None:
    """The zip's parts: how many, how large once inflated, how compressed; no DTD anywhere."""
    parts = book.infolist()
    if len(parts) > MAX_PARTS:
        raise refuse(
            f"Sổ tính có {len(parts):,} phần, quá nhiều.",
            f"The workbook has {len(parts):,} parts, too many.",
            limit="parts",
            max=MAX_PARTS,
            found=len(parts),
        )
    total = sum(p.file_size for p in parts)
    if total > limits.max_unzipped_mb << 20:
        raise refuse(
            f"Sổ tính giải nén ra {total / 2**20:,.0f} MB, quá giới hạn {limits.max_unzipped_mb:,}"
            " MB.",
            f"The workbook inflates to {total / 2**20:,.0f} MB, more than the limit of "
            f"{limits.max_unzipped_mb:,} MB.",
            limit="unzipped_mb",
            max=limits.max_unzipped_mb,
            found=round(total / 2**20),
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= RATIO_FROM and ratio > limits.max_zip_ratio:
            raise refuse(
                f"Phần {part.filename} của sổ tính nén tới {ratio:,.0f} lần (tệp nén độc hại?).",
                f"Part {part.filename} of the workbook is compressed {ratio:,.0f} times (a zip "
                "bomb?).",
                limit="zip_ratio",
                max=limits.max_zip_ratio,
                found=round(ratio),
                part=part.filename,
            )
    for part in parts:
        if part.filename.lower().endswith((".xml", ".rels", ".vml")):
            _check_prolog(book, part.filename)


def _check_prolog(book: zipfile.ZipFile, name: str) -> None:
    with book.open(name) as fh:
        head = fh.read(PROLOG_WINDOW)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    element = _ELEMENT.search(head)
    prolog = head[: element.start()] if element else head
    if _DTD.search(prolog) or (element is None and len(head) == PROLOG_WINDOW):
        raise refuse(
            f"Phần {name} của sổ tính khai báo DTD (DOCTYPE/ENTITY); sổ tính Excel không dùng "
            "DTD nên tệp bị từ chối.",
            f"Part {name} of the workbook declares a DTD (DOCTYPE/ENTITY); Excel workbooks never "
            "do, so the file is refused.",
            limit="dtd",
            part=name,
        )


def check_dimension(head: bytes, limits: ReadLimits) -> None:
    """The sheet's declared used range (`<dimension ref="A1:R5000"/>`, near the start of its
    XML), in columns and cells."""
    found = _DIMENSION.search(head)
    if found is None:
        return
    c1, r1, c2, r2 = found.groups()
    columns = abs(_column_number(c2 or c1) - _column_number(c1)) + 1
    rows = abs(int(r2 or r1) - int(r1)) + 1
    ref = found.group(0).split(b'"')[1].decode()
    if columns > limits.max_columns:
        raise refuse(
            f"Trang tính khai báo vùng {ref}: {columns:,} cột, quá giới hạn "
            f"{limits.max_columns:,}.",
            f"The sheet declares the range {ref}: {columns:,} columns, more than the limit of "
            f"{limits.max_columns:,}.",
            limit="columns",
            max=limits.max_columns,
            found=columns,
            dimension=ref,
        )
    if rows * columns > limits.max_sheet_cells:
        raise refuse(
            f"Trang tính khai báo vùng {ref}: {rows * columns:,} ô, quá giới hạn "
            f"{limits.max_sheet_cells:,}.",
            f"The sheet declares the range {ref}: {rows * columns:,} cells, more than the limit "
            f"of {limits.max_sheet_cells:,}.",
            limit="sheet_cells",
            max=limits.max_sheet_cells,
            found=rows * columns,
            dimension=ref,
        )


def check_header_line(head: bytes, separator: str, complete: bool, limits: ReadLimits) -> None:
    """A CSV's first line: it must end within HEADER_LINE bytes (unless it is the whole file)
    and hold at most max_columns fields (quoted separators counted too: an upper bound)."""
    end = head.find(b"\n")
    if end < 0 and not complete and len(head) >= HEADER_LINE:
        raise refuse(
            "Dòng đầu của tệp CSV dài quá 1 MB: không phải dòng tiêu đề.",
            "The CSV file's first line is longer than 1 MB: it is not a header line.",
            limit="header_line",
            max=HEADER_LINE,
        )
    line = head if end < 0 else head[:end]
    fields = line.count(separator.encode()) + 1
    if fields > limits.max_columns:
        raise too_many_columns(fields, limits)


def check_table(frame: pl.DataFrame, limits: ReadLimits) -> None:
    """A table as read: its width and its longest cell. Bytes bound characters from above, so
    characters are counted only in a column whose longest value has too many bytes."""
    if frame.width > limits.max_columns + 1:  # (+ the row numbers)
        raise too_many_columns(frame.width - 1, limits)
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text:
        return
    longest = frame.select(pl.col(text).str.len_bytes().max()).row(0)
    for name, size in zip(text, longest, strict=True):
        if size is None or size <= limits.max_cell_chars:
            continue
        chars = frame.select(pl.col(name).str.len_chars().max()).item()
        if chars > limits.max_cell_chars:
            row = frame.filter(pl.col(name).str.len_chars() > limits.max_cell_chars)
            where = int(row["__row__"][0]) if "__row__" in row.columns else None
            raise refuse(
                f"Cột '{name}' có ô dài {chars:,} ký tự (dòng {where}), quá giới hạn "
                f"{limits.max_cell_chars:,}.",
                f"Column '{name}' has a cell of {chars:,} characters (row {where}), more than the "
                f"limit of {limits.max_cell_chars:,}.",
                limit="cell_chars",
                max=limits.max_cell_chars,
                found=chars,
                column=name,
                row=where,
            )


def check_parquet_schema(path: Path, limits: ReadLimits) -> None:
    try:
        schema = pl.read_parquet_schema(path)
    except Exception as exc:  # polars raises several kinds for a damaged footer
        raise refuse(
            "Không đọc được tệp Parquet.",
            "The Parquet file cannot be read.",
            error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        ) from exc
    if len(schema) > limits.max_columns:
        raise too_many_columns(len(schema), limits)
