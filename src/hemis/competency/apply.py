"""How the competency entities' clean rows become registry rows, for the submission pipeline's
set-based apply (hemis.submissions.apply: plan by natural key, upsert, audit, all in the
import's transaction).

Targets are one row per (program, competency). Assessments are stored one row per sitting —
(learner, date, method, evidence reference) — with its levels one character per competency
position; the long file's rows are gathered into sittings here, the wide file's rows already are
sittings. A learner's rows on a date replace that learner's sittings of that date: sittings of a
(learner, date) in the file that the file no longer holds are deleted (`after_write`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import polars as pl

from hemis.competency.entities import (
    COMPETENCY_TARGETS,
    DIGITAL_COMPETENCIES,
    DIGITAL_COMPETENCIES_WIDE,
    wide_column,
)
from hemis.competency.framework import CURRENT_VERSION, NO_LEVEL, framework
from hemis.submissions import lookups
from hemis.submissions.apply import Plan, TableResult, Target
from hemis.submissions.workspace import Workspace

S, N, D = pl.String, pl.Int64, pl.Date
ASSESSMENT_TABLE = "competency_assessment"
TARGET = Target(
    "program_competency_target",
    ("program_id", "competency_code"),
    ("level", "framework_version"),
    {"program_id": N, "competency_code": S, "level": N, "framework_version": S},
)
SITTING_KEY = ("learner_id", "assessed_on", "method", "evidence_ref")
ASSESSMENT = Target(
    ASSESSMENT_TABLE,
    SITTING_KEY,
    ("framework_version", "levels"),
    {
        "learner_id": N,
        "assessed_on": D,
        "method": S,
        "evidence_ref": S,
        "framework_version": S,
        "levels": S,
    },
)
# Entities whose file rows are gathered into fewer registry rows (the importer's check that
# every row found its place counts sittings, not rows, for these).
GROUPED = frozenset({DIGITAL_COMPETENCIES.name})


LEARNERS_SQL = "SELECT student_code, id, admitted_on FROM learner WHERE institution_id = :iid"
LEARNERS_SCHEMA = {"student_code": S, "learner_id": N, "admitted_on": D}
UNIT, BLOCKS = "\x1f", 1024


def learners(ws: Workspace) -> pl.DataFrame:
    """student_code → learner id and admission date (read once per import)."""
    frame = ws.cache.get("competency_learners")
    if frame is None:
        frame = _learners_in_blocks(ws) if ws.postgres else None
        if frame is None:
            frame = ws.fetch(LEARNERS_SQL, {"iid": ws.institution_id}, LEARNERS_SCHEMA)
        ws.cache["competency_learners"] = frame
    assert isinstance(frame, pl.DataFrame)
    return frame


def _learners_in_blocks(ws: Workspace) -> pl.DataFrame | None:
    """The institution's learners as about a thousand text blocks joined by the server: COPY
    sends one message per row, and at millions of rows the client's per-message cost was most
    of an import's lookups. Each block travels as one CSV field (so no character of a student
    code is escaped away); fields are split by U+001F and lines by a line feed, which no cleaned
    student code holds — None (the caller reads row by row) if the text does not parse into
    exactly the institution's learners."""
    raw: Any = ws.conn.connection.driver_connection
    line = f"student_code || E'{UNIT}' || id || E'{UNIT}' || admitted_on"
    query = (
        f"SELECT string_agg({line}, E'\\n') FROM learner "  # noqa: S608 - constant SQL
        f"WHERE institution_id = {int(ws.institution_id)} GROUP BY id % {BLOCKS}"
    )
    parts: list[str] = []
    with raw.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
        for block in copy:
            parts.extend(row[0] for row in csv.reader(io.StringIO(bytes(block).decode())))
    expected = ws.scalar(
        "SELECT count(*) FROM learner WHERE institution_id = :iid", {"iid": ws.institution_id}
    )
    if not parts:
        return pl.DataFrame(schema=LEARNERS_SCHEMA) if not expected else None
    try:
        frame = pl.read_csv(
            io.StringIO("\n".join(parts)),
            has_header=False,
            separator=UNIT,
            quote_char=None,
            new_columns=list(LEARNERS_SCHEMA),
            schema_overrides={"student_code": S, "learner_id": N, "admitted_on": S},
        ).with_columns(pl.col("admitted_on").str.to_date("%Y-%m-%d"))
    except pl.exceptions.PolarsError:
        return None
    return frame if frame.height == expected else None


def _learner_ids(ws: Workspace, data: pl.DataFrame) -> pl.DataFrame:
    known = learners(ws)
    # Looked up by code rather than joined: a join would copy every column of the file.
    learner_id = pl.col("student_code").replace_strict(
        known["student_code"], known["learner_id"], default=None, return_dtype=pl.Int64
    )
    return data.with_columns(learner_id.alias("learner_id"))


def _sittings_of_long(data: pl.DataFrame) -> pl.DataFrame:
    """One row per (learner, date, method, evidence) with its levels string."""
    fw = framework()
    position = pl.col("competency_code").replace_strict(
        list(fw.codes), list(range(fw.size)), default=None, return_dtype=pl.Int64
    )
    rows = data.select(
        *SITTING_KEY[:3],
        pl.col("evidence_ref").fill_null(""),
        position.alias("_at"),
        pl.col("level").cast(pl.String),
    )
    slots = [
        pl.col("level").filter(pl.col("_at") == i).first().alias(f"_p{i}") for i in range(fw.size)
    ]
    grouped = rows.group_by(list(SITTING_KEY)).agg(slots)
    return grouped.select(
        *SITTING_KEY,
        pl.concat_str([pl.col(f"_p{i}").fill_null(NO_LEVEL) for i in range(fw.size)]).alias(
            "levels"
        ),
    )


def _sittings_of_wide(data: pl.DataFrame) -> pl.DataFrame:
    columns = [wide_column(code) for code in framework().codes]
    return data.select(
        *SITTING_KEY[:3],
        pl.col("evidence_ref").fill_null(""),
        pl.concat_str([pl.col(c).cast(pl.String).fill_null(NO_LEVEL) for c in columns]).alias(
            "levels"
        ),
    )


def rows_for(ws: Workspace, entity: str, data: pl.DataFrame) -> list[tuple[Target, pl.DataFrame]]:
    version = pl.lit(CURRENT_VERSION).alias("framework_version")
    if entity == COMPETENCY_TARGETS.name:
        programs = lookups.programs(ws)
        program_id = pl.col("program_code").replace_strict(
            programs["program_code"], programs["program_id"], default=None, return_dtype=pl.Int64
        )
        frame = data.select(
            program_id.alias("program_id"),
            "competency_code",
            pl.col("target_level").alias("level"),
            version,
        ).filter(pl.col("program_id").is_not_null())  # a program gone since the checks
        return [(TARGET, frame)]
    with_ids = _learner_ids(ws, data)
    if with_ids["learner_id"].null_count():
        from hemis.submissions.importer import DataChanged

        raise DataChanged(
            "Dữ liệu tham chiếu đã thay đổi trong lúc nhập; hãy thử lại.",
            "Referenced data changed during the import; try again.",
        )
    if entity == DIGITAL_COMPETENCIES.name:
        sittings = _sittings_of_long(with_ids)
    elif entity == DIGITAL_COMPETENCIES_WIDE.name:
        sittings = _sittings_of_wide(with_ids)
    else:
        raise KeyError(entity)
    return [(ASSESSMENT, sittings.with_columns(version))]


def after_write(
    ws: Workspace, target: Target, step: Plan, frame: pl.DataFrame, *, dry_run: bool
) -> list[TableResult]:
    """The sittings a file replaces: those of a (learner, date) the file holds, under a key the
    file no longer has. Deleted (unless a dry run), counted, audited with the batch."""
    if target is not ASSESSMENT:
        return []
    pairs = frame.select("learner_id", "assessed_on").unique()
    keys = list(SITTING_KEY)
    stale = (
        step.existing.select("id", *keys)
        .join(pairs, on=["learner_id", "assessed_on"], how="semi")
        .join(frame.select(keys), on=keys, how="anti")
    )
    result = TableResult(ASSESSMENT_TABLE, rows=stale.height, deleted=stale.height)
    if dry_run or stale.is_empty():
        return [result] if stale.height else []
    ws.stage("stg_replaced", stale.select("id"))
    result.written = ws.execute(
        f"DELETE FROM {ASSESSMENT_TABLE} WHERE institution_id = :iid "  # noqa: S608
        "AND id IN (SELECT id FROM stg_replaced)",
        {"iid": ws.institution_id},
    )
    return [result]
