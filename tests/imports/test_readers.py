"""Bad input, each with a clear answer: encodings, wrong file kinds, empty files, sheets,
merged cells and formulas, numbers as text, Excel serial dates, non-NFC text, stray spaces."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from pathlib import Path

import polars as pl
import pytest

from hemis.imports import UnreadableFile, read_table

from .samples import BASE, SECOND, check_file, learner_rows, rules_hit, write_xlsx

HEADER = ",".join(BASE["learners"])
ROW = ",".join(BASE["learners"].values())


def csv_text(*overrides: dict[str, str]) -> str:
    rows = [",".join((BASE["learners"] | o).values()) for o in overrides or ({},)]
    return HEADER + "\n" + "\n".join(rows) + "\n"


def test_utf8_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text().encode())
    report = check_file(path)
    assert report.issues.is_empty()
    assert report.data["full_name"][0] == "Trần Văn An"


def test_utf16_with_bom_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(csv_text(), encoding="utf-16")
    table = read_table(path, "learners")
    assert table.encoding == "utf-16"
    assert check_file(path).data["full_name"][0] == "Trần Văn An"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 has precomposed ă â ê ô ơ ư đ but tone marks only as combining characters."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
            letter = unicodedata.normalize(
                "NFC", base + "".join(m for m in marks if m not in tones)
            )
            out += (letter + "".join(tones)).encode("cp1258")
    return out


def test_windows_1258_is_detected_and_converted(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(to_cp1258(csv_text({"full_name": "Nguyễn Thị Hương"})))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert read_table(path, "learners").encoding == "windows-1258"
    report = check_file(path)
    assert report.issues.is_empty()
    assert report.data["full_name"][0] == "Nguyễn Thị Hương"  # NFC again


def test_other_encodings_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(csv_text({"full_name": "日本語の名前"}).encode("shift_jis"))
    with pytest.raises(UnreadableFile) as caught:
        read_table(path, "learners")
    assert "UTF-8" in caught.value.message_en


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("l.xlsx", b"%PDF-1.7\n%...", "PDF"),
        ("l.csv", b"%PDF-1.7\n%...", "PDF"),
        ("l.csv", b"PK\x03\x04" + b"\x00" * 40, "zip"),
        ("l.csv", b"a,b\n\x00\x01\x02\x03", "binary"),
        ("l.parquet", b"a,b\n1,2\n", "not PARQUET"),
        ("l.xls", b"PK\x03\x04" + b"\x00" * 40, "zip"),
        ("l.txt", b"a,b\n", "Unsupported file extension"),
        ("l.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 40, "password-protected"),
        ("l.xlsx", b"just some text", "not in a format we know"),
        ("l.csv", b"\x89PNG\r\n\x1a\n", "PNG image"),
        ("l.csv", b"", "empty"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(
    tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        read_table(path, "learners")
    assert says in caught.value.message_en


def test_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(UnreadableFile) as caught:
        read_table(path, "learners")
    assert "not an Excel workbook" in caught.value.message_en


def test_a_workbook_named_csv_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", learner_rows())
    renamed = path.rename(tmp_path / "l.csv")
    with pytest.raises(UnreadableFile, match="not CSV"):
        read_table(renamed, "learners")


def test_blank_file_and_uneven_rows_are_refused(tmp_path: Path) -> None:
    blank = tmp_path / "blank.csv"
    blank.write_text(",,\n , ,\n\u200b,,\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no data"):
        read_table(blank, "learners")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2,3\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="uneven"):
        read_table(ragged, "learners")


def test_only_a_header_gives_a_clear_empty_result(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    report = check_file(path)
    assert report.rows == 0
    assert not report.has_errors
    assert rules_hit(report) == {"FILE.no_rows"}


def test_semicolon_separated_csv(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(csv_text().replace(",", ";"), encoding="utf-8")
    assert check_file(path).issues.is_empty()


def test_csv_row_numbers_count_the_header_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    second = csv_text(SECOND | {"admitted_on": "not a date"})
    path.write_text(f"{HEADER}\n{ROW}\n\n{second.splitlines()[1]}\n", encoding="utf-8")
    report = check_file(path)
    assert report.issues.select("row", "rule").rows() == [(4, "LRN.admitted_on.type")]


def test_xlsx_rows_are_sheet_rows_even_below_blank_rows(tmp_path: Path) -> None:
    rows = learner_rows([{}, SECOND | {"gpa": "9"}])
    path = write_xlsx(tmp_path / "l.xlsx", rows, start_row=2)
    report = check_file(path)
    assert report.issues.select("row", "rule").rows() == [(5, "LRN.gpa.range")]


def test_merged_and_formula_cells_are_located(tmp_path: Path) -> None:
    def setup(_book: object, ws: object) -> None:
        ws.merge_range(1, 2, 2, 2, "Trần Văn An")  # type: ignore[attr-defined]
        ws.write_formula(2, 8, "=2020+2", None, 2022)  # type: ignore[attr-defined]

    path = write_xlsx(
        tmp_path / "l.xlsx", learner_rows([{}, SECOND | {"full_name": ""}]), setup=setup
    )
    issues = check_file(path).issues
    merged = issues.filter(pl.col("rule") == "FILE.cell.merged").row(0, named=True)
    assert (merged["row"], merged["column"]) == (2, "full_name")
    assert "C2:C3" in merged["message_en"]
    formula = issues.filter(pl.col("rule") == "FILE.cell.formula").row(0, named=True)
    assert (formula["row"], formula["column"]) == (3, "cohort_year")
    # the empty half of the merge is also a missing name on row 3
    assert (3, "LRN.full_name.required") in issues.select("row", "rule").rows()


def test_explicit_sheet_and_unknown_sheet(tmp_path: Path) -> None:
    def setup(book: object, _ws: object) -> None:
        other = book.add_worksheet("Sheet2")  # type: ignore[attr-defined]
        for i, row in enumerate(learner_rows([{"gpa": "7"}])):
            other.write_row(i, 0, row)

    path = write_xlsx(tmp_path / "l.xlsx", learner_rows(), sheet="Sheet1", setup=setup)
    assert rules_hit(check_file(path, sheet="Sheet2")) == {"LRN.gpa.range"}
    with pytest.raises(UnreadableFile, match="No sheet named"):
        check_file(path, sheet="nope")


def test_sheet_named_in_vietnamese_is_chosen(tmp_path: Path) -> None:
    def setup(book: object, _ws: object) -> None:
        book.add_worksheet("Ghi chú").write(0, 0, "x")  # type: ignore[attr-defined]

    path = write_xlsx(tmp_path / "l.xlsx", learner_rows(), sheet="Người học", setup=setup)
    report = check_file(path)
    assert report.issues.is_empty()


def test_numbers_dates_and_ids_stored_as_numbers_or_text(tmp_path: Path) -> None:
    header = list(BASE["learners"])
    text_row = [BASE["learners"][c] for c in header]
    number_row = list(text_row)

    def put(row: list[object], column: str, value: object) -> None:
        row[header.index(column)] = value

    put(number_row, "student_code", "SV2")
    put(number_row, "national_id", 79305000002)  # leading zeros lost by Excel
    put(number_row, "sex", "female")
    put(number_row, "date_of_birth", 38353)  # serial number of 2005-01-01
    put(number_row, "cohort_year", 2022)
    put(number_row, "gpa", 3.25)
    put(number_row, "credits_earned", 45.0)
    put(number_row, "ethnicity", 1)

    def setup(book: object, ws: object) -> None:
        fmt = book.add_format({"num_format": "dd/mm/yyyy"})  # type: ignore[attr-defined]
        ws.write_datetime(2, header.index("admitted_on"), dt.datetime(2022, 9, 5), fmt)  # type: ignore[attr-defined]

    path = write_xlsx(tmp_path / "l.xlsx", [header, text_row, number_row], setup=setup)
    report = check_file(path)
    assert report.issues.is_empty(), report.issues.to_dicts()
    second = report.data.row(1, named=True)
    assert second["national_id"] == "079305000002"
    assert second["date_of_birth"] == dt.date(2005, 1, 1)
    assert second["admitted_on"] == dt.date(2022, 9, 5)
    assert second["gpa"] == 3.25
    assert second["ethnicity"] == "01"


def test_non_nfc_text_whitespace_and_zero_width_characters(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    messy = {
        "student_code": " SV1\u200b ",
        "full_name": unicodedata.normalize("NFD", "  Trần\u00a0 Văn  An\t"),
        "sex": " Male ",
        "study_mode": "Full time",
    }
    path.write_text(csv_text(messy, {"student_code": "SV1"}), encoding="utf-8")
    report = check_file(path)
    assert report.data["full_name"][0] == "Trần Văn An"
    assert unicodedata.is_normalized("NFC", report.data["full_name"][0])
    assert report.data["student_code"][0] == "SV1"
    assert report.data["sex"][0] == "male"
    assert "LRN.student_code.duplicate" in rules_hit(report)


def test_parquet_is_read_with_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "l.parquet"
    frame = pl.DataFrame([BASE["learners"]]).with_columns(
        pl.col("date_of_birth").str.to_date(),
        pl.col("cohort_year").cast(pl.Int32),
        pl.col("gpa").cast(pl.Float64),
    )
    frame.write_parquet(path)
    report = check_file(path)
    assert report.issues.is_empty(), report.issues.to_dicts()
    assert report.data["date_of_birth"][0] == dt.date(2004, 3, 1)
