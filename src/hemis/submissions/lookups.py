"""The institution's registry rows a file refers to, read once per import into polars (cached on
the workspace): programs with their discipline, campuses, learners, awards."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from hemis.submissions.workspace import Schema, Workspace


def _cached(ws: Workspace, key: str, sql: str, schema: Schema) -> pl.DataFrame:
    frame = ws.cache.get(key)
    if frame is None:
        frame = ws.fetch(sql, {"iid": ws.institution_id}, schema)
        ws.cache[key] = frame
    assert isinstance(frame, pl.DataFrame)
    return frame


def programs(ws: Workspace) -> pl.DataFrame:
    """program_code, program_id, status, opened_on, discipline validity."""
    return _cached(
        ws,
        "programs",
        "SELECT p.code, p.id, p.status, p.opened_on, d.valid_from, d.valid_to "
        "FROM program p LEFT JOIN discipline d ON d.code = p.discipline_code "
        "WHERE p.institution_id = :iid",
        {
            "program_code": pl.String,
            "program_id": pl.Int64,
            "program_status": pl.String,
            "program_opened_on": pl.Date,
            "discipline_from": pl.Date,
            "discipline_to": pl.Date,
        },
    )


def disciplines(ws: Workspace) -> pl.DataFrame:
    frame = ws.cache.get("disciplines")
    if frame is None:
        frame = ws.fetch(
            "SELECT code, valid_from, valid_to FROM discipline",
            {},
            {"discipline_code": pl.String, "valid_from": pl.Date, "valid_to": pl.Date},
        )
        ws.cache["disciplines"] = frame
    assert isinstance(frame, pl.DataFrame)
    return frame


def campuses(ws: Workspace) -> pl.DataFrame:
    return _cached(
        ws,
        "campuses",
        "SELECT code, id FROM campus WHERE institution_id = :iid",
        {"campus_code": pl.String, "campus_id": pl.Int64},
    )


def learners(ws: Workspace) -> pl.DataFrame:
    """student_code → learner id and person (for events, awards and re-linking checks)."""
    return _cached(
        ws,
        "learners",
        "SELECT student_code, id, person_id, status, status_date FROM learner "
        "WHERE institution_id = :iid",
        {
            "student_code": pl.String,
            "learner_id": pl.Int64,
            "db_person_id": pl.Int64,
            "db_status": pl.String,
            "db_status_date": pl.Date,
        },
    )


def awards(ws: Workspace) -> pl.DataFrame:
    return _cached(
        ws,
        "awards",
        "SELECT learner_id, diploma_number FROM award WHERE institution_id = :iid",
        {"learner_id": pl.Int64, "db_diploma_number": pl.String},
    )


def json_value(value: Any) -> Any:
    """A JSON column read through a plain statement (a str on SQLite, parsed on PostgreSQL)."""
    return json.loads(value) if isinstance(value, str) else value
