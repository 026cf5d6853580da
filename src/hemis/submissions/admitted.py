"""Learners written by the admissions intake, recognised in the institution's learners file.

The intake (admissions/intake.py) writes each confirmed candidate as a learner under a student
code it allocates. The institution then reports its new learners under its own codes. Before a
learners file is planned, each of its rows whose code the registry does not know is matched to
an intake learner of the same person (found by blind index) and program that still carries its
allocated code; the learner takes the file's code, so the plan updates it rather than adding a
second learner of the same person (and the cross-institution checks, which count a person's
enrolments, count it once). Only one-to-one matches are taken: a person with several unknown
rows, or several intake learners, in the same program is left as the file says. A learner whose
allocated code the file itself uses is matched by that code as any learner is.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from hemis.submissions.apply import TableResult, digest, existing_rows
from hemis.submissions.targets import LEARNER
from hemis.submissions.workspace import Workspace

PROVISIONAL_SQL = (
    "SELECT l.id, l.student_code, l.person_id, l.program_id FROM learner l "
    "JOIN learner_admission a ON a.institution_id = l.institution_id AND a.learner_id = l.id "
    "WHERE l.institution_id = :iid AND a.student_code = l.student_code"
)
KEY = ["person_id", "program_id"]


def one_to_one(unknown: pl.DataFrame, learners: pl.DataFrame) -> pl.DataFrame:
    """The file rows (student_code, person_id, program_id) and intake learners (id, old_code,
    person_id, program_id) of the same person and program, kept where the pair is the only one
    of each side."""
    return unknown.join(learners, on=KEY, how="inner").filter(
        (pl.len().over("student_code") == 1) & (pl.len().over("id") == 1)
    )


def recognise(
    ws: Workspace, frame: pl.DataFrame, *, dry_run: bool, now: dt.datetime
) -> TableResult | None:
    """Give the intake's learners that `frame` (the file's learner rows, person_id and
    program_id resolved) lists under other codes those codes: in the database (unless a dry
    run) and in the registry rows the plan compares with. None when there are none."""
    provisional = ws.fetch(
        PROVISIONAL_SQL,
        {"iid": ws.institution_id},
        {"id": pl.Int64, "student_code": pl.String, "person_id": pl.Int64, "program_id": pl.Int64},
    )
    if provisional.is_empty():
        return None
    existing = existing_rows(ws, LEARNER)
    codes = frame["student_code"]
    unknown = frame.select("student_code", *KEY).filter(
        ~pl.col("student_code").is_in(existing["student_code"].implode())
        & pl.col("person_id").is_not_null()
    )
    free = provisional.filter(~pl.col("student_code").is_in(codes.implode())).rename(
        {"student_code": "old_code"}
    )
    pairs = one_to_one(unknown, free)
    if pairs.is_empty():
        return None
    new_code = pl.col("id").replace_strict(
        pairs["id"], pairs["student_code"], default=None, return_dtype=pl.String
    )
    ws.cache[f"existing:{LEARNER.table}"] = existing.with_columns(
        pl.coalesce(new_code, pl.col("student_code")).alias("student_code")
    )
    ws.cache.pop("learners", None)
    changes = pairs.select("id", "old_code", "student_code").sort("id")
    result = TableResult(
        LEARNER.table,
        rows=changes.height,
        updated=changes.height,
        sha256=digest(changes.drop("id")),
    )
    if dry_run:
        return result
    ws.stage("stg_recode", changes.select("id", "student_code"))
    result.written = ws.execute(
        "UPDATE learner SET student_code = s.student_code, updated_at = :now "
        "FROM stg_recode s WHERE learner.institution_id = :iid AND learner.id = s.id",
        {"iid": ws.institution_id, "now": now},
    )
    return result
