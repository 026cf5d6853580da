"""Text that is safe to open in a spreadsheet: a cell that starts like a formula is written with
a leading apostrophe, so Excel or LibreOffice shows it instead of evaluating it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (UTF-8 with a byte-order mark, so Excel reads Vietnamese) of formula-safe cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        writer.writerow([formula_safe(v) for v in row])
    return "\ufeff" + out.getvalue()
