"""Reading back what the system wrote, the way a spreadsheet program sees it: every cell of a CSV,
and every cell of an .xlsx straight from its XML (type, value, whether it holds a formula)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how xlsx stores control characters
NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


@dataclass(frozen=True)
class Cell:
    ref: str
    kind: str  # the cell's t attribute: s / inlineStr (text), n (number), b, str (formula), e
    value: str | None
    formula: bool


@dataclass(frozen=True)
class Sheet:
    cells: list[Cell]
    hyperlinks: int

    def texts(self) -> list[str]:
        return [c.value for c in self.cells if c.kind in ("s", "inlineStr") and c.value]


def _text(node: ElementTree.Element) -> str:
    raw = "".join(t.text or "" for t in node.iter(f"{MAIN}t"))
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), raw)


def xlsx_sheets(data: bytes) -> list[Sheet]:
    """The workbook's sheets in order (sheet1.xml, sheet2.xml, …)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 - ours
            shared = [_text(si) for si in root.iter(f"{MAIN}si")]
        paths = sorted(
            (n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
            key=lambda n: int(re.findall(r"\d+", n)[-1]),
        )
        sheets = []
        for path in paths:
            root = ElementTree.fromstring(book.read(path))  # noqa: S314 - files we wrote
            cells = []
            for c in root.iter(f"{MAIN}c"):
                kind = c.get("t", "n")
                v = c.find(f"{MAIN}v")
                if kind == "s":
                    assert v is not None
                    assert v.text is not None
                    value: str | None = shared[int(v.text)]
                elif kind == "inlineStr":
                    value = _text(c)
                else:
                    value = None if v is None else v.text
                formula = c.find(f"{MAIN}f") is not None
                cells.append(Cell(c.get("r", ""), kind, value, formula))
            sheets.append(Sheet(cells, len(list(root.iter(f"{MAIN}hyperlink")))))
        return sheets


def xlsx_text(data: bytes) -> bytes:
    """Every member of the zip, uncompressed and joined (to search for a string)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return b"\n".join(book.read(n) for n in book.namelist())


def csv_cells(data: bytes | str) -> list[list[str]]:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
