"""What a round's snapshot reads besides wishes and results: bonus points per (candidate,
institution), and the admissions decided outside the matching (direct and priority admission).

Bonus: each institution's tables (bonus_table) joined with the candidates' certificates and
awards (candidate_achievement): per kind the best row a candidate qualifies for, the kinds added
and capped at 3 — rules.bonus_points, vectorised (tests check that the two agree).

Paths: the accepted direct and priority admissions of the year (service_paths.py), each scored
for its offer like a wish; a direct admission always stands, a priority admission only when the
score reaches the offer's floor (a score at all: the offer is open and the result counts).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions.codes import AdmissionPath
from hemis.admissions.frames import read_frame
from hemis.admissions.models import BonusTable
from hemis.admissions.rules import MAX_BONUS, to_h

I64 = NDArray[np.int64]
PATH_CODES = {AdmissionPath.direct.value: 1, AdmissionPath.priority.value: 2}
PATH_NAMES = {code: name for name, code in PATH_CODES.items()}
ACCEPTED_SQL = (
    "SELECT person_id, institution_id, offer_id, path FROM direct_admission "
    "WHERE year = :year AND status = 'accepted'"  # PathStatus.accepted
)
NO_PATHS = pl.DataFrame(
    schema={
        "person_id": pl.Int64,
        "institution_id": pl.Int64,
        "offer_id": pl.Int64,
        "path": pl.Int64,
    }
)


def read_bonus(session: Session, year: int) -> pl.DataFrame:
    """person_id, institution_id → bonus_h (30-point scale, capped at 3) for every candidate
    whose certificates or awards earn something in an institution's tables."""
    tables = _bonus_tables(session, year)
    held = read_frame(
        session,
        "SELECT person_id, kind, code, score_h FROM candidate_achievement WHERE year = :year",
        {"person_id": pl.Int64, "kind": pl.String, "code": pl.String, "score_h": pl.Int64},
        {"year": year},
    )
    empty = pl.DataFrame(
        schema={"person_id": pl.Int64, "institution_id": pl.Int64, "bonus_h": pl.Int64}
    )
    if tables.is_empty() or held.is_empty():
        return empty
    earned = (
        held.join(tables, on=["kind", "code"], how="inner")
        .filter(pl.col("score_h").is_null() | (pl.col("score_h") >= pl.col("minimum_h")))
        .group_by("person_id", "institution_id", "kind")
        .agg(pl.col("points_h").max())
        .group_by("person_id", "institution_id")
        .agg(pl.col("points_h").sum().clip(upper_bound=to_h(MAX_BONUS)).alias("bonus_h"))
    )
    return earned.select("person_id", "institution_id", "bonus_h")


def _bonus_tables(session: Session, year: int) -> pl.DataFrame:
    """Every row of every bonus table of the year: institution_id, kind, code, minimum_h,
    points_h (the entries are JSON, read through the ORM: a few thousand rows)."""
    rows = [
        (t.institution_id, t.kind, str(code), int(low), int(points))
        for t in session.scalars(select(BonusTable).where(BonusTable.year == year))
        for code, low, points in t.entries
    ]
    return pl.DataFrame(
        rows,
        schema={
            "institution_id": pl.Int64,
            "kind": pl.String,
            "code": pl.String,
            "minimum_h": pl.Int64,
            "points_h": pl.Int64,
        },
        orient="row",
    )


def bonus_of_wishes(bonus: pl.DataFrame, wishes: pl.DataFrame) -> I64:
    """The bonus of each wish (person_id, institution_id columns, in order), 0 when none."""
    if wishes.is_empty():
        return np.zeros(0, dtype=np.int64)
    joined = wishes.select("person_id", "institution_id").join(
        bonus, on=["person_id", "institution_id"], how="left", maintain_order="left"
    )
    out: I64 = joined["bonus_h"].fill_null(0).to_numpy().astype(np.int64)
    return out


def read_paths(session: Session, year: int) -> pl.DataFrame:
    """The accepted direct and priority admissions of the year: person_id, institution_id,
    offer_id, path (1 direct, 2 priority)."""
    rows = read_frame(
        session,
        ACCEPTED_SQL,
        {
            "person_id": pl.Int64,
            "institution_id": pl.Int64,
            "offer_id": pl.Int64,
            "path": pl.String,
        },
        {"year": year},
    )
    return rows.with_columns(pl.col("path").replace_strict(PATH_CODES, return_dtype=pl.Int64)).sort(
        "person_id"
    )
