"""Reading submitted files (Excel, CSV, Parquet) into a table of strings.

Every value is read as text (typing happens later, in `cast`), with the row number a person sees:
the header is row 1 and the first data row row 2 (in a workbook: the sheet's own row numbers).

- The format is taken from the extension and checked against the file's first bytes: a PDF,
  a zip archive or binary data under a `.csv`/`.xlsx` name is refused with a clear message.
- CSV: UTF-8 with or without BOM; UTF-16 with a BOM is converted; a file that is not valid UTF-8
  but decodes as Windows-1258 to text with Vietnamese letters is converted; anything else is
  refused. The separator is the one of `,`, `;` or tab that occurs most in the header line.
- Excel: see `hemis.imports.xlsx` (sheet choice, hidden sheets, merged cells, formulas).
- Parquet: every column is cast to text; a binary column that is not UTF-8 is refused.

Before and after reading, `hemis.imports.limits` caps what a file may cost (columns, cell length,
an .xlsx's parts and declared range); callers that read files from outside do so through
`hemis.imports.sandbox`, in a process of its own with hard memory and time limits.

Failures raise `UnreadableFile` (the CLI exits 2); everything else becomes report issues.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from hemis.imports.catalogue import Finding
from hemis.imports.clean import clean_frame, clean_value
from hemis.imports.limits import (
    ReadLimits,
    UnreadableFile,
    check_header_line,
    check_parquet_schema,
    check_table,
    refuse,
)

EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".parquet": "parquet"}
MAGIC = (
    (b"%PDF", "pdf", "a PDF document", "tài liệu PDF"),
    (b"PK\x03\x04", "zip", "a zip archive", "tệp nén zip"),
    (
        b"\xd0\xcf\x11\xe0",
        "ole",
        "an old Office file (.xls/.doc) or a password-protected workbook",
        "tệp Office cũ (.xls/.doc) hoặc sổ tính có mật khẩu",
    ),
    (b"PAR1", "parquet", "a Parquet file", "tệp Parquet"),
    (b"\x89PNG", "png", "a PNG image", "ảnh PNG"),
    (b"\xff\xd8\xff", "jpeg", "a JPEG image", "ảnh JPEG"),
)
HEADER_SEARCH = 1000  # rows searched for the header before cleaning the whole file
HEADER_READ = 1 << 20  # bytes read first: the format's magic and a CSV's header line
VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
DEFAULT_LIMITS = ReadLimits()
__all__ = ["RawTable", "UnreadableFile", "read_table", "sniff"]


@dataclass
class RawTable:
    """Strings as read: `__row__` (Int64) and one String column per header, in file order."""

    frame: pl.DataFrame
    format: str
    header_row: int = 1
    sheet: str | None = None
    encoding: str | None = None
    findings: list[Finding] = field(default_factory=list)


def sniff(head: bytes) -> tuple[str, str, str] | None:
    """(kind, description in English, in Vietnamese) of a file known by its first bytes."""
    for magic, kind, en, vi in MAGIC:
        if head.startswith(magic):
            return kind, en, vi
    return None


_refuse = refuse


def read_table(
    path: Path,
    entity: str,
    sheet: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    name: str | None = None,
) -> RawTable:
    """Read FILE for ENTITY; raise UnreadableFile when it cannot be read at all. NAME is the
    file's own name (its extension gives the format) when PATH does not carry it."""
    name = name or path.name
    suffix = Path(name).suffix
    if not path.exists() or path.is_dir():
        raise _refuse(f"Không tìm thấy tệp {name}.", f"File {name} not found.")
    kind = EXTENSIONS.get(suffix.lower())
    if kind is None:
        raise _refuse(
            f"Không hỗ trợ đuôi tệp '{suffix}'. Dùng .xlsx, .xls, .csv hoặc .parquet.",
            f"Unsupported file extension '{suffix}'. Use .xlsx, .xls, .csv or .parquet.",
        )
    with path.open("rb") as fh:
        head = fh.read(HEADER_READ)
    if not head:
        raise _refuse("Tệp rỗng (0 byte).", "The file is empty (0 bytes).")
    found = sniff(head)
    expected = {"xlsx": "zip", "xls": "ole", "parquet": "parquet", "csv": None}[kind]
    if (kind == "csv" and found is not None) or (kind != "csv" and (found or ("",))[0] != expected):
        _, what_en, what_vi = found or ("", "not in a format we know", "không rõ định dạng")
        raise _refuse(
            f"Tệp {name} không phải là {kind.upper()}: nội dung là {what_vi}.",
            f"File {name} is not {kind.upper()}: its content is {what_en}.",
            extension=suffix,
            content=what_en,
        )
    if kind in ("xlsx", "xls"):
        from hemis.imports.xlsx import read_workbook

        table = read_workbook(path, entity, sheet, kind, limits, name)
    elif kind == "parquet":
        table = read_parquet(path, limits)
    else:
        table = read_csv(path, head, limits)
    check_table(table.frame, limits)
    return table


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text; a binary column must hold UTF-8 (named when it does not)."""
    columns = []
    for name, dtype in frame.schema.items():
        try:
            columns.append(frame.select(pl.col(name).cast(pl.String)).to_series())
        except pl.exceptions.PolarsError as exc:
            raise _refuse(
                f"Cột '{name}' của tệp Parquet không đọc được thành văn bản UTF-8 ({dtype}).",
                f"Column '{name}' of the Parquet file cannot be read as UTF-8 text ({dtype}).",
                column=name,
                error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            ) from exc
    return pl.DataFrame(columns)


def read_parquet(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> RawTable:
    check_parquet_schema(path, limits)
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise _refuse(
            "Không đọc được tệp Parquet.",
            "The Parquet file cannot be read.",
            error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        ) from exc
    frame = _as_text(frame)
    frame = frame.rename({c: clean_value(c) for c in frame.columns})
    frame = frame.with_row_index("__row__", offset=2).with_columns(pl.col("__row__").cast(pl.Int64))
    return RawTable(frame, "parquet")


def _utf16(path: Path) -> bytes:
    try:
        return path.read_bytes().decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse("Tệp UTF-16 bị hỏng.", "The UTF-16 file is damaged.", error=str(exc)) from exc


def _cp1258(path: Path, error: str) -> bytes:
    """A file that is not UTF-8: Windows-1258 if it decodes to text with Vietnamese letters."""
    try:
        text = path.read_bytes().decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if not looks_vietnamese(text):
        raise _refuse(
            "Tệp không phải UTF-8 và không nhận ra bảng mã; hãy lưu lại dạng CSV UTF-8.",
            "The file is not UTF-8 and its encoding is not recognised; save it again as CSV UTF-8.",
            error=error,
        )
    return text.encode("utf-8")


def looks_vietnamese(text: str, sample: int = 1 << 20) -> bool:
    """Text (decoded as Windows-1258) whose non-ASCII characters are, once composed, nearly all
    Latin letters with diacritics, at least one of them Vietnamese. Text in another encoding
    decoded this way turns into symbols and stray combining marks."""
    counts = Counter(ch for ch in unicodedata.normalize("NFC", text[:sample]) if ord(ch) > 127)
    if not VIETNAMESE_LETTERS.intersection(counts):
        return False
    foreign = 0
    for ch, n in counts.items():
        base = unicodedata.normalize("NFD", ch)[0]
        if not (base.isascii() and base.isalpha()) and ch not in "đĐ":
            foreign += n
    return foreign <= 0.02 * sum(counts.values())


def _separator(first_line: bytes) -> str:
    counts = {sep: first_line.count(sep.encode()) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _parse_csv(source: bytes | Path, separator: str) -> pl.DataFrame:
    return pl.read_csv(
        source if isinstance(source, Path) else io.BytesIO(source),
        has_header=False,
        infer_schema=False,
        separator=separator,
        encoding="utf8",
    )


def read_csv(path: Path, head: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> RawTable:
    source: bytes | Path = path
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        source, encoding = _utf16(path), "utf-16"
    elif b"\x00" in head:
        raise _refuse(
            "Tệp CSV chứa dữ liệu nhị phân (byte 0); hãy lưu lại dạng CSV UTF-8.",
            "The CSV file contains binary data (zero bytes); save it again as CSV UTF-8.",
        )
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError as exc:
            source, encoding = _cp1258(path, str(exc)), "windows-1258"
    first = source[:HEADER_READ] if isinstance(source, bytes) else head
    separator = _separator(first.split(b"\n", 1)[0])
    whole = isinstance(source, bytes) or len(head) < HEADER_READ
    check_header_line(first, separator, whole, limits)
    try:
        try:
            frame = _parse_csv(source, separator)
        except pl.exceptions.ComputeError as exc:
            if "utf-8" not in str(exc).lower() or isinstance(source, bytes):
                raise
            source, encoding = _cp1258(path, str(exc).splitlines()[0]), "windows-1258"
            frame = _parse_csv(source, separator)
    except pl.exceptions.NoDataError:
        raise _refuse("Tệp rỗng.", "The file is empty.") from None
    except pl.exceptions.ComputeError as exc:
        raise _refuse(
            "Không đọc được tệp CSV (số cột không đều hoặc dấu ngoặc kép sai).",
            "The CSV file cannot be read (uneven number of fields or broken quotes).",
            error=str(exc).splitlines()[0],
        ) from exc
    table = split_header(frame.with_row_index("__row__", offset=1), "csv")
    table.encoding = encoding
    return table


def excel_column(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_header(
    frame: pl.DataFrame, fmt: str, first_column: int = 0, sheet: str | None = None
) -> RawTable:
    """Take the first non-empty row as the header; name the columns after it.

    A column without a header is kept (as "column C") only when it holds data; a header that
    appears twice keeps its first column and is reported.
    """
    cells = [c for c in frame.columns if c != "__row__"]
    head = frame.head(HEADER_SEARCH)
    non_empty = clean_frame(head).filter(pl.any_horizontal(pl.col(cells).is_not_null()))
    if non_empty.is_empty() and frame.height > HEADER_SEARCH:
        non_empty = clean_frame(frame).filter(pl.any_horizontal(pl.col(cells).is_not_null()))
    if non_empty.is_empty():
        raise _refuse("Tệp không có dữ liệu.", "The file holds no data.", sheet=sheet)
    header = non_empty.row(0, named=True)
    header_row = int(header["__row__"])
    data = frame.filter(pl.col("__row__") > header_row)
    findings: list[Finding] = []
    names: dict[str, str] = {}
    for position, cell in enumerate(cells):
        name = clean_value(header[cell] or "")
        if not name:
            if data[cell].is_null().all():
                continue
            name = f"(cột {excel_column(first_column + position)} / column "
            name += f"{excel_column(first_column + position)})"
        if name in names.values():
            findings.append(Finding("FILE.header.duplicate", header_row, name))
            continue
        names[cell] = name
    data = data.select(
        pl.col("__row__").cast(pl.Int64), *(pl.col(c).alias(n) for c, n in names.items())
    )
    return RawTable(data, fmt, header_row=header_row, sheet=sheet, findings=findings)
