"""Reports (JSON, CSV, annotated xlsx, masking, summary), templates and generated docs."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from hemis import docs
from hemis.imports import entities, get_entity
from hemis.imports.docs import data_dictionary_md, rules_md
from hemis.imports.report import Report, mask_id
from hemis.imports.templates import write_template

from .samples import SECOND, check, check_file

BAD = [
    {"national_id": "001204000009", "sex": "female", "gpa": "4.5"},
    SECOND | {"admitted_on": "not a date"},
]


def test_national_ids_are_masked_everywhere(tmp_path: Path) -> None:
    report = check("learners", BAD)
    values = report.issues.filter(pl.col("column") == "national_id")["value"].to_list()
    assert values == ["*********009"]
    for suffix in (".json", ".csv", ".xlsx"):
        path = tmp_path / f"r{suffix}"
        report.write(path)
        if suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                text = b"".join(book.read(n) for n in book.namelist() if "comments" in n)
        else:
            text = path.read_bytes()
        assert b"001204000009" not in text


def test_mask_keeps_only_the_last_three_characters() -> None:
    values = ["001204000009", "12345", "12", None]
    masked = pl.DataFrame({"v": values}).select(mask_id(pl.col("v")).alias("v"))["v"].to_list()
    assert masked == ["*********009", "**345", "**", None]


def test_json_report_has_summary_and_issues(tmp_path: Path) -> None:
    report = check("learners", BAD)
    path = tmp_path / "r.json"
    report.write(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["entity"] == "learners"
    assert data["rows"] == 2
    assert data["errors"] == report.errors == 3
    assert {s["rule"]: s["count"] for s in data["summary"]} == {
        "LRN.national_id.sex": 1,
        "LRN.gpa.range": 1,
        "LRN.admitted_on.type": 1,
    }
    first = data["issues"][0]
    assert set(first) == {
        "row",
        "column",
        "rule",
        "severity",
        "tier",
        "value",
        "message",
        "message_en",
    }
    assert [i["row"] for i in data["issues"]] == [2, 2, 3]


def test_csv_report_opens_in_excel_with_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    check("learners", BAD).write(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["rule"] == "LRN.national_id.sex"
    assert "giới tính" in rows[0]["message"]


def test_annotated_copy_highlights_cells_and_keeps_row_numbers(tmp_path: Path) -> None:
    report = check("learners", BAD)
    path = tmp_path / "r.xlsx"
    report.write(path)
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names == ["learners", "issues"]
    data = reader.load_sheet("learners", dtypes="string").to_polars()
    assert data.columns == list(get_entity("learners").names)
    assert data["admitted_on"].to_list()[1] == "not a date"
    assert data["gpa"].to_list()[0] == "4.5"
    with zipfile.ZipFile(path) as book:
        comments = b"".join(book.read(n) for n in book.namelist() if "comments" in n).decode()
    assert "LRN.gpa.range" in comments
    assert "LRN.admitted_on.type" in comments
    # National IDs are not given back: the column keeps the last 3 characters only.
    ids = [v for v in data["national_id"].to_list() if v]
    assert ids
    assert all(v[:-3] == "*" * (len(v) - 3) for v in ids)
    # Checked again, the copy gives the same issues — but on the national_id column, which is
    # now masked.
    again = check_file(path)

    def elsewhere(r: Report) -> list[tuple[int, str]]:
        return r.issues.filter(pl.col("column") != "national_id").select("row", "rule").rows()

    assert elsewhere(again) == elsewhere(report)


def test_unknown_report_format_is_refused(tmp_path: Path) -> None:
    from hemis.errors import HemisError

    with pytest.raises(HemisError, match="Unsupported report format"):
        check("learners").write(tmp_path / "r.txt")


@pytest.mark.parametrize("entity", list(entities()))
def test_xlsx_template_round_trips(entity: str, tmp_path: Path) -> None:
    spec = get_entity(entity)
    path = tmp_path / f"{entity}.xlsx"
    write_template(spec, "xlsx", path)
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names[:2] == [entity, "data_dictionary"]
    header = reader.load_sheet(entity, header_row=None, dtypes="string").to_polars().row(0)
    assert list(header) == list(spec.names)
    dictionary = reader.load_sheet("data_dictionary", dtypes="string").to_polars()
    assert dictionary[:, 0].to_list() == list(spec.names)
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        workbook_xml = book.read("xl/workbook.xml").decode()
    coded = [c for c in spec.columns if c.allowed]
    assert sheet.count("<dataValidation ") >= len(coded)
    if any(len(c.allowed) > 20 for c in coded):
        assert 'name="_lists" sheetId="3" state="hidden"' in workbook_xml
    # an empty template is a valid (empty) submission
    report = check_file(path, entity=entity)
    assert report.rows == 0
    assert not report.has_errors


def test_csv_template_is_the_header_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_template(get_entity("staff"), "csv", path)
    text = path.read_text(encoding="utf-8")
    assert list(csv.reader(text.splitlines())) == [list(get_entity("staff").names)]


def test_generated_docs_cover_every_column_and_rule() -> None:
    dictionary, rules = data_dictionary_md(), rules_md()
    for spec in entities().values():
        for column in spec.columns:
            assert f"| `{column.name}` |" in dictionary
    from hemis.imports import catalogue

    for rule_id in catalogue():
        assert f"`{rule_id}`" in rules
    assert docs.GENERATED["data-dictionary.md"] is data_dictionary_md
    assert docs.GENERATED["rules.md"] is rules_md
