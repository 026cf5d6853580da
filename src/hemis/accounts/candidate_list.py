"""A high school's list of candidates (CSV or Excel): read through the imports' readers, its
columns found by their English code or Vietnamese name, every row checked; problems name the
row and the column in Vietnamese."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from hemis.common.text import clean, fold
from hemis.imports.cast import parse_date
from hemis.imports.readers import read_table
from hemis.registry.codes import Sex
from hemis.registry.rules import national_id_problems

MAX_ROWS = 5000  # a high school's graduating year is a few hundred pupils

# column → (Vietnamese name, English name, other accepted headers)
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "national_id": (
        "Số định danh cá nhân",
        "National ID",
        ("so dinh danh", "cccd", "so cccd", "can cuoc cong dan"),
    ),
    "full_name": ("Họ và tên", "Full name", ("ho ten",)),
    "date_of_birth": ("Ngày sinh", "Date of birth", ()),
    "sex": ("Giới tính", "Sex", ()),
}
SEXES = {
    "nam": Sex.male,
    "male": Sex.male,
    "m": Sex.male,
    "nu": Sex.female,
    "female": Sex.female,
    "f": Sex.female,
}
TEMPLATE_CSV = (
    "national_id,full_name,date_of_birth,sex\n001207000001,Nguyễn Văn An,15/03/2007,Nam\n"
)


@dataclass(frozen=True)
class ListedCandidate:
    row: int
    national_id: str
    full_name: str
    birth_date: dt.date
    sex: Sex


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str
    message_en: str

    @property
    def column_vi(self) -> str:
        return COLUMNS[self.field][0] if self.field in COLUMNS else self.field


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(header)).strip()


def _header_map(headers: list[str]) -> dict[str, str]:
    """{column: header in the file}."""
    found: dict[str, str] = {}
    for header in headers:
        key = _key(header)
        for column, (vi, en, others) in COLUMNS.items():
            names = {_key(column), _key(vi), _key(en), *others}
            if key in names and column not in found:
                found[column] = header
    return found


def read_candidate_list(
    path: Path, today: dt.date
) -> tuple[list[ListedCandidate], list[RowProblem]]:
    """The candidates of a file and every problem found (UnreadableFile if it cannot be read)."""
    # The sheet is chosen as for a learners file: a single-sheet workbook is read as it is.
    table = read_table(path, "learners")
    headers = [c for c in table.frame.columns if c != "__row__"]
    mapping = _header_map(headers)
    problems = [
        RowProblem(
            table.header_row,
            column,
            f"Thiếu cột “{vi}” (hoặc “{column}”).",
            f"Column “{en}” ({column}) is missing.",
        )
        for column, (vi, en, _) in COLUMNS.items()
        if column not in mapping
    ]
    if problems:
        return [], problems
    frame = table.frame.select(
        pl.col("__row__"),
        *(pl.col(header).alias(column) for column, header in mapping.items()),
        parse_date(pl.col(mapping["date_of_birth"]).str.strip_chars()).alias("_born"),
    )
    if frame.height == 0:
        return [], [
            RowProblem(table.header_row, "national_id", "Danh sách trống.", "The list is empty.")
        ]
    if frame.height > MAX_ROWS:
        return [], [
            RowProblem(
                table.header_row,
                "national_id",
                f"Danh sách có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp.",
                f"The list has more than {MAX_ROWS} rows; split it into several files.",
            )
        ]
    rows: list[ListedCandidate] = []
    seen: dict[str, int] = {}
    for record in frame.iter_rows(named=True):
        row_problems = _row_problems(record, seen, today)
        problems += row_problems
        if not row_problems:
            born = record["_born"]
            assert isinstance(born, dt.date)
            rows.append(
                ListedCandidate(
                    int(record["__row__"]),
                    str(record["national_id"]).strip(),
                    clean(str(record["full_name"])),
                    born,
                    SEXES[fold(str(record["sex"])).strip()],
                )
            )
    return rows, problems


def _row_problems(
    record: dict[str, object], seen: dict[str, int], today: dt.date
) -> list[RowProblem]:
    row = int(str(record["__row__"]))
    out: list[RowProblem] = []

    def problem(column: str, vi: str, en: str) -> None:
        out.append(RowProblem(row, column, vi, en))

    name = clean(str(record["full_name"] or ""))
    if not name:
        problem("full_name", "Thiếu họ và tên.", "The full name is missing.")
    elif len(name) > 150 or any(ch.isdigit() for ch in name):
        problem(
            "full_name",
            "Họ và tên không được có chữ số và dài tối đa 150 ký tự.",
            "A name has no digits and at most 150 characters.",
        )
    born = record["_born"]
    if not isinstance(born, dt.date) or born > today:
        problem(
            "date_of_birth",
            "Ngày sinh không hợp lệ (ngày/tháng/năm).",
            "The date of birth is not valid (day/month/year).",
        )
        born = None
    sex = SEXES.get(fold(str(record["sex"] or "")).strip())
    if sex is None:
        problem("sex", "Giới tính phải là Nam hoặc Nữ.", "Sex must be Nam (male) or Nữ (female).")
    national_id = str(record["national_id"] or "").strip()
    found = national_id_problems(national_id, sex, born)
    if found:
        problem("national_id", found[0].message_vi, found[0].message_en)
    elif national_id in seen:
        problem(
            "national_id",
            f"Số định danh trùng với dòng {seen[national_id]}.",
            f"The national ID repeats row {seen[national_id]}.",
        )
    else:
        seen[national_id] = row
    return out
