"""Valid sample rows per entity and helpers to build frames and workbooks from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from hemis.competency.framework import framework
from hemis.imports import Report, get_entity, validate, validate_file

AS_OF = dt.date(2025, 12, 31)
COMPETENCY_CODES = framework().codes

BASE: dict[str, dict[str, str]] = {
    "campuses": {
        "code": "C1",
        "name": "Cơ sở chính",
        "address": "1 Đại Cồ Việt, Hà Nội",
        "province_code": "001",
        "is_main": "true",
        "land_area_m2": "10000",
        "floor_area_m2": "5000.5",
    },
    "facilities": {
        "campus_code": "C1",
        "kind": "classroom",
        "building_count": "1",
        "room_count": "10",
        "floor_area_m2": "500",
        "seats": "400",
    },
    "programs": {
        "code": "P1",
        "discipline_code": "7480201",
        "name_vi": "Công nghệ thông tin",
        "name_en": "Information technology",
        "level": "bachelor",
        "mode": "full_time",
        "language": "vi",
        "credits": "130",
        "duration_years": "4",
        "accreditation_status": "accredited",
        "accredited_on": "2020-01-01",
        "opened_on": "2010-09-01",
        "annual_quota": "200",
        "status": "open",
    },
    "finances": {
        "fiscal_year": "2024",
        "kind": "revenue",
        "source": "tuition_fees",
        "activity": "training",
        "category": "",
        "amount_vnd": "1000000000",
    },
    "assets": {
        "asset_code": "A1",
        "category": "building",
        "description": "Nhà học A",
        "acquired_on": "2015-01-01",
        "value_vnd": "5000000000",
    },
    "staff": {
        "staff_code": "S1",
        "national_id": "001080000123",
        "full_name": "Nguyễn Văn Hùng",
        "date_of_birth": "1980-05-05",
        "sex": "male",
        "nationality": "VN",
        "ethnicity": "01",
        "unit": "Khoa Công nghệ thông tin",
        "position": "lecturer",
        "contract_type": "indefinite",
        "full_time": "true",
        "permanent": "true",
        "fte": "1",
        "highest_degree": "doctor",
        "degree_country": "VN",
        "degree_year": "2010",
        "academic_title": "none",
        "civil_servant_id": "",
        "hired_on": "2005-09-01",
    },
    "learners": {
        "student_code": "SV1",
        "national_id": "001204000001",
        "full_name": "Trần Văn An",
        "date_of_birth": "2004-03-01",
        "sex": "male",
        "nationality": "VN",
        "ethnicity": "01",
        "program_code": "P1",
        "cohort_year": "2022",
        "admitted_on": "2022-09-05",
        "study_mode": "full_time",
        "funding_source": "self_funded",
        "status": "enrolled",
        "status_date": "2022-09-05",
        "gpa": "3.2",
        "credits_earned": "45",
        "graduated_on": "",
        "diploma_number": "",
    },
    "learner_status_events": {
        "student_code": "SV1",
        "status": "enrolled",
        "effective_on": "2022-09-05",
        "reason": "QĐ 123/QĐ-ĐHBK",
    },
    "awards": {
        "student_code": "SV1",
        "diploma_number": "D1",
        "awarded_on": "2024-06-30",
        "classification": "good",
    },
    "competency_targets": {"program_code": "P1", "competency_code": "1.1", "target_level": "5"},
    "digital_competencies": {
        "student_code": "SV1",
        "competency_code": "3.4",
        "level": "4",
        "assessed_on": "2024-06-01",
        "method": "exam",
        "evidence_ref": "KT-2024-01",
    },
    "digital_competencies_wide": {
        "student_code": "SV1",
        "assessed_on": "2024-06-01",
        "method": "certificate",
        "evidence_ref": "CC-0001",
        **{f"level_{code.replace('.', '_')}": "" for code in COMPETENCY_CODES},
        "level_1_1": "5",
    },
}

Overrides = Sequence[dict[str, str]]

# A second learner, distinct from BASE["learners"] in every key.
SECOND = {
    "student_code": "SV2",
    "national_id": "079305000002",
    "sex": "female",
    "date_of_birth": "2005-01-01",
}


def rows_frame(entity: str, overrides: Overrides = ({},)) -> pl.DataFrame:
    rows = [BASE[entity] | o for o in overrides]
    columns = list(BASE[entity])
    return pl.DataFrame(
        {c: [r.get(c) for r in rows] for c in columns}, schema=dict.fromkeys(columns, pl.String)
    )


def check(entity: str, overrides: Overrides = ({},), **kwargs: Any) -> Report:
    return validate(entity, rows_frame(entity, overrides), as_of=AS_OF, **kwargs)


def rules_hit(report: Report) -> set[str]:
    return set(report.issues["rule"].to_list())


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    sheet: str = "learners",
    setup: Callable[[xlsxwriter.Workbook, Any], None] | None = None,
    start_row: int = 0,
) -> Path:
    """Rows (the header first) written into one sheet; `setup` adds sheets, merges, formulas."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    for i, row in enumerate(rows):
        ws.write_row(start_row + i, 0, list(row))
    if setup is not None:
        setup(book, ws)
    book.close()
    return path


def learner_rows(overrides: Overrides = ({},)) -> list[list[str]]:
    header = list(BASE["learners"])
    return [header] + [[(BASE["learners"] | o)[c] for c in header] for o in overrides]


def check_file(path: Path, entity: str = "learners", **kwargs: Any) -> Report:
    return validate_file(path, entity, as_of=AS_OF, **kwargs)


def entity_names() -> list[str]:
    return [get_entity(name).name for name in BASE]
