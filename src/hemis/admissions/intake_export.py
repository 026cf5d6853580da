"""The intake as a download: an .xlsx workbook (per program, then the list) or the list as CSV,
with Vietnamese headers. No national ID leaves: persons are named, with their candidate number.

Written through hemis.common.spreadsheet: a text cell stays text in the workbook, and CSV text
that a spreadsheet would take for a formula gets an apostrophe (docs/security.md)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl

from hemis.admissions.codes import label
from hemis.admissions.eligibility import in_vietnam
from hemis.admissions.queries_intake import IntakeLearner, ProgramIntake
from hemis.admissions.rules import from_h
from hemis.common.spreadsheet import csv_bytes, workbook
from hemis.errors import ValidationFailed

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
PROGRAM_HEADERS = {
    "code": "Mã ngành xét tuyển",
    "name_vi": "Tên ngành",
    "program_code": "Mã chương trình",
    "quota": "Chỉ tiêu",
    "admitted": "Trúng tuyển",
    "confirmed": "Xác nhận nhập học",
    "written": "Đã ghi vào CSDL",
}
LEARNER_HEADERS = {
    "offer_code": "Mã ngành xét tuyển",
    "program_code": "Mã chương trình",
    "candidate_number": "Số báo danh",
    "full_name": "Họ và tên",
    "round": "Đợt",
    "method": "Phương thức",
    "score": "Điểm xét tuyển",
    "confirmed_at": "Xác nhận lúc",
    "student_code": "Mã người học",
    "status": "Trạng thái",
}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"Định dạng không hỗ trợ: {fmt}.",
            f"Unsupported format: {fmt} (use {', '.join(FORMATS)}).",
            details={"format": fmt, "allowed": list(FORMATS)},
        )
    return fmt


def learner_frame(learners: Sequence[IntakeLearner]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "offer_code": [r.offer_code for r in learners],
            "program_code": [r.program_code for r in learners],
            "candidate_number": [r.candidate_number for r in learners],
            "full_name": [r.full_name for r in learners],
            "round": [f"{r.round_number} ({label('round_kind', r.round_kind)})" for r in learners],
            "method": [label("method", r.method) for r in learners],
            "score": [None if r.score_h is None else float(from_h(r.score_h)) for r in learners],
            "confirmed_at": [
                in_vietnam(r.confirmed_at).strftime("%d/%m/%Y %H:%M") for r in learners
            ],
            "student_code": [r.student_code or "" for r in learners],
            "status": ["Đã ghi vào CSDL" if r.student_code else "Chưa ghi" for r in learners],
        },
        schema={**dict.fromkeys(LEARNER_HEADERS, pl.String), "score": pl.Float64},
    )


def program_frame(programs: Sequence[ProgramIntake]) -> pl.DataFrame:
    return pl.DataFrame(
        {name: [getattr(p, name) for p in programs] for name in PROGRAM_HEADERS},
        schema={
            **dict.fromkeys(PROGRAM_HEADERS, pl.Int64),
            "code": pl.String,
            "name_vi": pl.String,
            "program_code": pl.String,
        },
    )


def to_bytes(
    fmt: str, year: int, programs: Sequence[ProgramIntake], learners: Sequence[IntakeLearner]
) -> bytes:
    check_format(fmt)
    frame = learner_frame(learners)
    if fmt == "csv":
        return csv_bytes(frame.rename(LEARNER_HEADERS), bom=True)
    return _workbook(year, program_frame(programs), frame)


def _workbook(year: int, programs: pl.DataFrame, learners: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    book = workbook(buffer, in_memory=True)
    head = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDE5F0", "border": 1})
    number = book.add_format({"num_format": "0.00"})
    for title, frame, headers in (
        (f"Theo ngành {year}", programs, PROGRAM_HEADERS),
        (f"Tân sinh viên {year}", learners, LEARNER_HEADERS),
    ):
        sheet = book.add_worksheet(title)
        for col, name in enumerate(frame.columns):
            sheet.write_string(0, col, headers[name], head)
            sheet.set_column(col, col, max(12, len(headers[name]) + 2))
        for row, values in enumerate(frame.iter_rows(), start=1):
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(row, col, value)
                elif isinstance(value, float):
                    sheet.write_number(row, col, value, number)
                else:
                    sheet.write_number(row, col, value)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
