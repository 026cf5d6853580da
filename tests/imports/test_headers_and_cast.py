"""Header mapping (missing, extra, renamed columns) and the typed-casting step."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from hemis.imports import get_entity
from hemis.imports.cast import parse_boolean, parse_date, parse_decimal, parse_integer
from hemis.imports.entities import entities
from hemis.imports.headers import map_headers

from .samples import check, rows_frame, rules_hit

LEARNERS = get_entity("learners")


def test_headers_are_matched_loosely() -> None:
    mapping, findings = map_headers(LEARNERS, ["Student Code", "national-id", " FULL_NAME "])
    assert mapping == {
        "Student Code": "student_code",
        "national-id": "national_id",
        " FULL_NAME ": "full_name",
    }
    assert {f.rule for f in findings} == {"FILE.header.missing"}


@pytest.mark.parametrize(
    ("header", "meant"),
    [
        ("Mã người học", "student_code"),
        ("studentcode", "student_code"),
        ("student_cod", "student_code"),
        ("Ngày sinh", "date_of_birth"),
        ("date_of_brith", "date_of_birth"),
    ],
)
def test_renamed_columns_name_the_column_meant(header: str, meant: str) -> None:
    frame = rows_frame("learners").rename({meant: header})
    report = check_frame(frame)
    renamed = report.issues.filter(pl.col("rule") == "FILE.header.renamed").row(0, named=True)
    assert renamed["column"] == header
    assert meant in renamed["message_en"]
    assert meant in renamed["message"]
    assert renamed["row"] == 1
    assert "FILE.header.missing" not in rules_hit(report)
    assert f"LRN.{meant}.required" not in rules_hit(report)  # no flood of per-row issues


def check_frame(frame: pl.DataFrame) -> object:
    from hemis.imports import validate

    from .samples import AS_OF

    return validate("learners", frame, as_of=AS_OF)


def test_missing_required_column_is_one_issue_not_one_per_row() -> None:
    frame = pl.concat([rows_frame("learners")] * 50).drop("program_code")
    report = check_frame(frame)
    missing = report.issues.filter(pl.col("rule") == "FILE.header.missing")
    assert missing.select("row", "column").rows() == [(1, "program_code")]
    assert report.has_errors
    assert "LRN.program_code.required" not in rules_hit(report)


def test_extra_columns_are_a_warning_and_ignored() -> None:
    frame = rows_frame("learners").with_columns(pl.lit("x").alias("ghi chú"))
    report = check_frame(frame)
    assert rules_hit(report) == {"FILE.header.unknown"}
    assert not report.has_errors
    assert "ghi chú" not in report.data.columns


def test_missing_optional_column_is_fine() -> None:
    report = check_frame(rows_frame("learners").drop("gpa", "diploma_number"))
    assert report.issues.is_empty()
    assert report.data["gpa"].to_list() == [None]


def test_a_staff_file_uploaded_as_learners_names_the_right_kind_first() -> None:
    report = check_frame(rows_frame("staff"))
    first = report.issues.row(0, named=True)
    assert (first["rule"], first["value"], first["severity"]) == (
        "FILE.entity.other",
        "staff",
        "error",
    )
    assert "«Nhân sự»" in first["message"]
    assert "'Staff'" in first["message_en"]
    assert "Nhân sự" not in first["message_en"]


def test_the_right_kind_gets_no_suggestion() -> None:
    assert "FILE.entity.other" not in rules_hit(check("learners"))
    # a learners file missing most columns is the learners file, badly filled: no other kind
    _, findings = map_headers(LEARNERS, ["student_code", "full_name", "ghi chú"])
    assert "FILE.entity.other" not in {f.rule for f in findings}


@pytest.mark.parametrize("shown", list(entities()))
def test_a_template_under_another_kind_never_names_a_third(shown: str) -> None:
    """Each kind's full header row, uploaded under every other kind: the suggestion, when one
    is made, is the kind the headers come from."""
    headers = list(entities()[shown].names)
    for chosen in entities().values():
        if chosen.name == shown:
            continue
        _, findings = map_headers(chosen, headers)
        named = {f.value for f in findings if f.rule == "FILE.entity.other"}
        assert named <= {shown}, (shown, chosen.name, named)


def evaluate(expr: pl.Expr, values: list[str | None]) -> list[object]:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr)["v"].to_list()


def test_integers() -> None:
    values = ["12", "+7", "-3", "1234.0", "1.234.567", "1,234,567", "12.5", "1e3", "x", None]
    assert evaluate(parse_integer(pl.col("v")), values) == [
        12,
        7,
        -3,
        1234,
        1234567,
        1234567,
        None,
        None,
        None,
        None,
    ]


def test_decimals() -> None:
    values = ["3.5", "3,5", ".5", "1.234,5", "1,234.5", "1.234.567", "1,5,6", "inf", "nan", "-2"]
    assert evaluate(parse_decimal(pl.col("v")), values) == [
        3.5,
        3.5,
        0.5,
        1234.5,
        1234.5,
        1234567.0,
        None,
        None,
        None,
        -2.0,
    ]


def test_dates() -> None:
    values = [
        "2024-09-05",
        "2024-09-05 00:00:00",
        "2024-09-05T10:30:00",
        "5/9/2024",
        "05-09-2024",
        "05.09.2024",
        "2024/09/05",
        "45540",
        "45540.75",
        "2024",
        "31/02/2024",
        "1899-12-31",
        "2024-9-5",
        "09/05/2024x",
    ]
    day = dt.date(2024, 9, 5)
    assert evaluate(parse_date(pl.col("v")), values) == [
        day,
        day,
        day,
        day,
        day,
        day,
        day,
        day,
        day,
        None,
        None,
        None,
        None,
        None,
    ]


def test_booleans() -> None:
    values = ["TRUE", "false", "1", "0", "Có", "không", "x", "yes", "N", "maybe"]
    assert evaluate(parse_boolean(pl.col("v")), values) == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        None,
    ]


def test_codes_are_read_forgivingly_but_stored_canonically() -> None:
    report = check(
        "learners",
        [
            {
                "study_mode": "Full-Time",
                "funding_source": "SELF FUNDED",
                "ethnicity": "1",
                "nationality": "VN",
            }
        ],
    )
    assert report.issues.is_empty()
    row = report.data.row(0, named=True)
    assert (row["study_mode"], row["funding_source"], row["ethnicity"]) == (
        "full_time",
        "self_funded",
        "01",
    )


def test_repeated_text_kept_for_the_report_is_compact_and_reported_as_written() -> None:
    # Many rows repeating a few values: the text kept for the report is an Enum of them, and
    # every issue still shows the value as written.
    rows = [{"date_of_birth": "31/02/2004", "sex": "nam?"}, {"admitted_on": "2022/13/01"}] * 20
    report = check("learners", rows)
    kept = report.data["date_of_birth__raw"]
    assert isinstance(kept.dtype, pl.Enum)
    assert set(kept.dtype.categories.to_list()) == {"2004-03-01", "31/02/2004"}
    shown = report.issues.filter(pl.col("column").is_in(["date_of_birth", "sex", "admitted_on"]))
    assert set(shown["value"].to_list()) == {"31/02/2004", "nam?", "2022/13/01"}
    assert shown.height >= 60


def test_distinct_text_kept_for_the_report_stays_text() -> None:
    rows = [{"student_code": f"SV{i}", "credits_earned": f"{i}x"} for i in range(10)]
    report = check("learners", rows)
    assert report.data["credits_earned__raw"].dtype == pl.String
    values = report.issues.filter(pl.col("column") == "credits_earned")["value"].to_list()
    assert sorted(values) == sorted(f"{i}x" for i in range(10))
