"""Import of exam scores and other methods' results from CSV: read → validate → apply.

One file per method and year. Exam and transcript files are wide: `candidate_number` and one
column per subject code (math, literature, physics, english, …; an empty cell = not taken).
Competency-test files (hsa, vact, tsa) have `candidate_number,score`. The whole file is checked
first, vectorised (polars): numbers, range, and the step of each score — for the exam, per
subject and exam year (rules.exam_step_h: multiples of 0.05 from 2025) — and every problem is
reported as "row N, field: message"; nothing is written unless the whole file is clean. A
clean file becomes one batch (source, time, actor, SHA-256 of the file) that every imported
score points to, replacing earlier scores of the same candidate, method and subject (a corrected
result), and one audit entry.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import polars as pl
from sqlalchemy import text
from sqlalchemy.orm import Session

from hemis.admissions import access
from hemis.admissions.codes import (
    LANGUAGE_SUBJECT,
    METHOD_MAX_H,
    TECHNOLOGY_SUBJECT,
    TOTAL,
    Elective,
    Method,
    Subject,
)
from hemis.admissions.frames import is_postgres, read_frame, write_frame
from hemis.admissions.models import ResultBatch
from hemis.admissions.rules import exam_step_h
from hemis.admissions.service import get_year
from hemis.audit.recorder import record_bulk
from hemis.db.rows import commit
from hemis.db.tenancy import get_scope
from hemis.errors import ValidationFailed

MAX_REPORTED = 200
KEY = "candidate_number"


@dataclass(frozen=True)
class ImportReport:
    batch_id: int
    method: str
    rows: int  # file rows
    scores: int  # scores written
    sha256: str


def _problem(row: int, field: str, code: str, en: str, vi: str) -> dict[str, object]:
    return {"row": row, "field": field, "code": code, "message": vi, "message_en": en}


def _score_columns(method: Method, columns: list[str]) -> tuple[list[str], list[dict[str, object]]]:
    problems: list[dict[str, object]] = []
    if KEY not in columns:
        problems.append(_problem(1, KEY, "import.header", "missing column", "thiếu cột"))
    others = [c for c in columns if c != KEY]
    allowed = (
        {s.value for s in Subject} if method in (Method.exam, Method.transcript) else {"score"}
    )
    for column in others:
        if column not in allowed:
            problems.append(
                _problem(1, column, "import.column", "unknown column", "cột không hợp lệ")
            )
    if not others:
        problems.append(_problem(1, "", "import.empty", "no score column", "không có cột điểm"))
    return others, problems


def _long(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """One row per (file row, subject) with a non-empty cell; `row` is the 1-based file line."""
    frame = frame.with_row_index("row", offset=2)
    long = frame.unpivot(index=["row", KEY], on=columns, variable_name="subject", value_name="raw")
    return long.filter(pl.col("raw").is_not_null() & (pl.col("raw").str.strip_chars() != ""))


def _step_expr(method: Method, year: int) -> pl.Expr:
    """The step (hundredths) each score must be a multiple of: per subject and exam year for
    the exam (rules.exam_step_h), whole points for HSA and V-ACT, two decimals otherwise."""
    if method in (Method.hsa, Method.vact):
        return pl.lit(100, dtype=pl.Int64)
    if method is not Method.exam:
        return pl.lit(1, dtype=pl.Int64)
    steps = {s.value: exam_step_h(year, s.value) for s in Subject}
    return pl.col("subject").replace_strict(steps, default=1, return_dtype=pl.Int64)


def _check_values(
    long: pl.DataFrame, method: Method, year: int
) -> tuple[pl.DataFrame, list[dict[str, object]]]:
    value = pl.col("raw").str.strip_chars().str.replace(",", ".").cast(pl.Float64, strict=False)
    long = long.with_columns(value.alias("value"), _step_expr(method, year).alias("step_h"))
    long = long.with_columns((pl.col("value") * 100).round(0).cast(pl.Int64).alias("score_h"))
    max_h = METHOD_MAX_H[method]
    bad_number = pl.col("value").is_null()
    off_grid = ((pl.col("value") * 100) - pl.col("score_h")).abs() > 1e-6
    out_of_range = (pl.col("score_h") < 0) | (pl.col("score_h") > max_h)
    off_step = (pl.col("score_h") % pl.col("step_h")) != 0
    flagged = long.with_columns(
        pl.when(bad_number)
        .then(pl.lit("import.number"))
        .when(out_of_range)
        .then(pl.lit("import.range"))
        .when(off_grid | off_step)
        .then(pl.lit("import.step"))
        .otherwise(None)
        .alias("problem")
    )

    def message(code: str, step_h: int) -> tuple[str, str]:
        if code == "import.number":
            return "not a number", "không phải là số"
        if code == "import.range":
            return f"must be within 0–{max_h / 100:g}", f"phải trong khoảng 0–{max_h / 100:g}"
        return f"must be a multiple of {step_h / 100:g}", f"phải là bội của {step_h / 100:g}"

    problems = [
        _problem(row, subject, code, *message(code, step_h))
        for row, subject, code, step_h in flagged.filter(pl.col("problem").is_not_null())
        .select("row", "subject", "problem", "step_h")
        .iter_rows()
    ]
    return flagged.filter(pl.col("problem").is_null()).drop("step_h"), problems


def _registrations(session: Session, year: int) -> pl.DataFrame:
    return read_frame(
        session,
        "SELECT person_id, candidate_number, elective1, elective2, foreign_language, "
        "technology_track FROM exam_registration WHERE year = :year",
        {
            "person_id": pl.Int64,
            KEY: pl.String,
            "elective1": pl.String,
            "elective2": pl.String,
            "foreign_language": pl.String,
            "technology_track": pl.String,
        },
        {"year": year},
    )


def _elective_subject(column: str) -> pl.Expr:
    """The scored subject of an elective (eligibility.registered_subjects, vectorised)."""
    languages = {k.value: v.value for k, v in LANGUAGE_SUBJECT.items()}
    tracks = {k.value: v.value for k, v in TECHNOLOGY_SUBJECT.items()}
    elective = pl.col(column)
    return (
        pl.when(elective == Elective.foreign_language.value)
        .then(pl.col("foreign_language").replace_strict(languages, default=None))
        .when(elective == Elective.technology.value)
        .then(pl.col("technology_track").replace_strict(tracks, default=None))
        .otherwise(elective)
    )


def _registered_pairs(registrations: pl.DataFrame) -> pl.DataFrame:
    """(candidate_number, subject) of every subject each candidate sits."""
    subjects = registrations.select(
        KEY,
        pl.lit(Subject.math.value).alias("s1"),
        pl.lit(Subject.literature.value).alias("s2"),
        _elective_subject("elective1").alias("s3"),
        _elective_subject("elective2").alias("s4"),
    )
    pairs = subjects.unpivot(index=KEY, value_name="subject").drop("variable")
    return pairs.filter(pl.col("subject").is_not_null())


def validate(
    session: Session, year: int, method: Method, content: bytes
) -> tuple[pl.DataFrame, list[dict[str, object]], int]:
    """(valid scores with person_id, problems, file rows) of a results file."""
    try:
        frame = pl.read_csv(io.BytesIO(content), infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise ValidationFailed(
            "Không đọc được tệp CSV.", "The CSV file could not be read.", details=[str(exc)[:200]]
        ) from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    columns, problems = _score_columns(method, frame.columns)
    if problems:
        return pl.DataFrame(), problems, frame.height
    frame = frame.with_columns(pl.col(KEY).str.strip_chars())
    long, problems = _check_values(_long(frame, columns), method, year)
    dup = frame.with_row_index("row", offset=2).filter(pl.col(KEY).is_duplicated())
    problems += [
        _problem(row, KEY, "import.duplicate", "repeated candidate number", "số báo danh bị lặp")
        for row in dup["row"].to_list()[1:]
    ]
    registrations = _registrations(session, year)
    known = long.join(registrations.select(KEY, "person_id"), on=KEY, how="left")
    unknown = known.filter(pl.col("person_id").is_null()).unique("row", keep="first")
    problems += [
        _problem(row, KEY, "import.unknown", "no such candidate number", "không có số báo danh")
        for row in unknown["row"].to_list()
    ]
    known = known.filter(pl.col("person_id").is_not_null())
    if method is Method.exam:
        sits = _registered_pairs(registrations)
        checked = known.join(
            sits.with_columns(pl.lit(True).alias("sits")), on=[KEY, "subject"], how="left"
        )
        absent = checked.filter(pl.col("sits").is_null())
        problems += [
            _problem(
                row,
                subject,
                "import.not_registered",
                "subject not registered",
                "thí sinh không đăng ký môn này",
            )
            for row, subject in absent.select("row", "subject").iter_rows()
        ]
    if method not in (Method.exam, Method.transcript):
        known = known.with_columns(pl.lit(TOTAL).alias("subject"))
    problems.sort(key=lambda p: (int(str(p["row"])), str(p["field"])))
    return known.select("person_id", "subject", "score_h"), problems, frame.height


def import_results(
    session: Session, year: int, method: Method, content: bytes, source: str
) -> ImportReport:
    """Validate a whole file, then write it as one batch (or nothing, with every problem)."""
    access.require_ministry(session)
    get_year(session, year)
    scores, problems, rows = validate(session, year, method, content)
    if problems:
        raise ValidationFailed(
            f"Tệp kết quả có {len(problems)} lỗi; không ghi dữ liệu nào.",
            f"The results file has {len(problems)} problems; nothing was written.",
            details={"total": len(problems), "problems": problems[:MAX_REPORTED]},
        )
    digest = hashlib.sha256(content).hexdigest()
    scope = get_scope(session)
    batch = ResultBatch(
        year=year,
        method=method.value,
        source=source[:200],
        actor=scope.actor[:100],
        rows=rows,
        sha256=digest,
    )
    session.add(batch)
    session.flush()
    frame = scores.with_columns(
        pl.lit(year).alias("year"),
        pl.lit(method.value).alias("method"),
        pl.lit(batch.id).alias("batch_id"),
    ).select("year", "person_id", "method", "subject", "score_h", "batch_id")
    _upsert(session, frame)
    record_bulk(
        session, "result_score", frame.height, digest, batch_id=batch.id, method=method.value
    )
    commit(session)
    return ImportReport(batch.id, method.value, rows, frame.height, digest)


def _upsert(session: Session, frame: pl.DataFrame) -> None:
    """Insert the scores, replacing the same (year, person, method, subject)."""
    conflict = (
        "ON CONFLICT (year, person_id, method, subject) DO UPDATE SET "
        "score_h = excluded.score_h, batch_id = excluded.batch_id, "
        "row_version = result_score.row_version + 1"
    )
    if is_postgres(session):
        session.execute(
            text(
                "CREATE TEMP TABLE result_score_in (LIKE result_score INCLUDING DEFAULTS) "
                "ON COMMIT DROP"
            )
        )
        write_frame(session, "result_score_in", frame)
        session.execute(text(f"INSERT INTO result_score SELECT * FROM result_score_in {conflict}"))  # noqa: S608
        return
    insert = (
        "INSERT INTO result_score (year, person_id, method, subject, score_h, batch_id) "
        "VALUES (:year, :person_id, :method, :subject, :score_h, :batch_id) "
    )
    session.execute(text(insert + conflict), frame.to_dicts())
