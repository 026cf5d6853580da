"""Every CSV and .xlsx file HEMIS writes for a person to open is written through this module, so
that no cell of it can become a live formula in a spreadsheet program (CSV / formula injection).

A value that starts like a formula — `=`, `+`, `-`, `@` (or their full-width forms), a tab, a
carriage return, a line feed or a NUL, or spaces then one of the first four — is text someone
typed, never a formula:

- CSV: such a text value gets a leading apostrophe (`'=HYPERLINK(…)`), which spreadsheet programs
  take as "this is text" (OWASP's CSV-injection guidance), and every non-numeric field is quoted,
  so a `;` inside a value cannot start a new cell where `;` is the list separator (vi-VN).
  Numeric columns are written as they are: -5 stays the number -5.
- xlsx: text is always written as a text cell (xlsxwriter's `strings_to_formulas`,
  `strings_to_urls` and `strings_to_numbers` off), so it keeps its exact value and is never
  evaluated; the file holds no formula unless the code writes one on purpose (no writer does).

tests/unit/test_spreadsheet_safety.py reads back every kind of file the system produces, and
fails when a module writes CSV or xlsx other than through here. Machine-only CSV (COPY into
PostgreSQL, digests) is listed there by name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import polars as pl
import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

# Full-width = + - @ as well: some spreadsheet programs take them for the ASCII ones.
_STARTERS = "=+\\-@\uff1d\uff0b\uff0d\uff20"
# One pattern for Python's `re` and for polars (Rust regex): no look-around.
FORMULA_START = rf"^(?:[{_STARTERS}\t\r\n\x00]|[ ]+[{_STARTERS}])"
_FORMULA = re.compile(FORMULA_START)
TEXT_MARK = "'"
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)

WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

__all__ = [
    "FORMULA_START",
    "Format",
    "Worksheet",
    "csv_bytes",
    "csv_text",
    "is_formula_like",
    "neutralise",
    "neutralise_frame",
    "workbook",
    "write_csv",
]


def is_formula_like(text: str) -> bool:
    return _FORMULA.match(text) is not None


def neutralise(text: str) -> str:
    """The CSV form of a text value: an apostrophe before one that starts like a formula."""
    return TEXT_MARK + text if is_formula_like(text) else text


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text column neutralised (vectorised); numbers, dates, booleans as
    they are."""
    text = [name for name, dtype in frame.schema.items() if isinstance(dtype, _TEXT_TYPES)]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(FORMULA_START))
        .then(pl.concat_str(pl.lit(TEXT_MARK), pl.col(name).cast(pl.String)))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text
    )


def _write(frame: pl.DataFrame, target: IO[bytes] | Path, *, bom: bool) -> None:
    neutralise_frame(frame).write_csv(target, include_bom=bom, quote_style="non_numeric")


def csv_bytes(frame: pl.DataFrame, *, bom: bool = False) -> bytes:
    """The frame as CSV (UTF-8, with a BOM for spreadsheet programs if asked), made safe."""
    buffer = io.BytesIO()
    _write(frame, buffer, bom=bom)
    return buffer.getvalue()


def write_csv(frame: pl.DataFrame, path: Path, *, bom: bool = False) -> None:
    _write(frame, path, bom=bom)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows of Python values as CSV text, made safe the same way (numbers unquoted)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(
            [neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in row]
        )
    return out.getvalue()


def workbook(target: str | Path | IO[bytes], **options: Any) -> xlsxwriter.Workbook:
    """A new xlsxwriter workbook in which a string is always a text cell."""
    return xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target, {**options, **WORKBOOK_OPTIONS}
    )
