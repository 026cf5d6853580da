"""Verification of a round from its stored snapshot alone: solve it again and compare with
everything stored — each candidate's outcome, the explanation each candidate is shown (every wish
considered with its score, flag and the criterion that decided a tie, round_results.py), and each
program's counts and cutoff, and the score distributions published with the round. Tampering
with any of them is a difference. A published round's read model (what the result page reads,
published.py) must equal what the stored results give: a changed row is a difference too."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hemis.admissions import access, published
from hemis.admissions.codes import RoundStatus
from hemis.admissions.frames import read_frame
from hemis.admissions.models import RoundDistribution, RoundOfferResult
from hemis.admissions.round_results import (
    candidate_frame,
    distribution_rows,
    outcome_of,
    program_frame,
)
from hemis.admissions.rounds import get_round, load_snapshot, wrong_state
from hemis.admissions.schemas import Verification
from hemis.admissions.snapshot import to_problem
from hemis.matching import solve

CANDIDATE_COLUMNS = {
    "person_id": pl.Int64,
    "institution_id": pl.Int64,
    "offer_id": pl.Int64,
    "bucket": pl.String,
    "rank": pl.Int64,
    "score_h": pl.Int64,
    "path": pl.String,
}
PROGRAM_COLUMNS = {
    "institution_id": pl.Int64,
    "offer_id": pl.Int64,
    "bucket": pl.String,
    "quota": pl.Int64,
    "applicants": pl.Int64,
    "admitted": pl.Int64,
    "cutoff_h": pl.Int64,
    "direct": pl.Int64,
}


def verify_round(session: Session, round_id: int) -> Verification:
    """Re-solve from the stored snapshot and compare with everything stored and shown: each
    candidate's outcome, the explanation the candidate reads (every wish considered with its
    score, flag and the criterion that decided a tie), and each program's counts and cutoff."""
    access.require_ministry(session, write=False)
    round_ = get_round(session, round_id)
    if round_.status not in (RoundStatus.run.value, RoundStatus.published.value):
        raise wrong_state(round_, RoundStatus.run)
    snap = load_snapshot(session, round_)
    match = to_problem(snap)
    outcome = outcome_of(snap, match, solve(match.problem, round_.tie_policy))  # type: ignore[arg-type]
    recomputed = candidate_frame(round_.id, snap, outcome, _first_result_id(session, round_.id))
    outcomes = _differences(
        recomputed.drop("round_id", "wishes"),
        read_frame(
            session,
            "SELECT person_id, institution_id, offer_id, bucket, rank, score_h, path "
            "FROM round_candidate WHERE round_id = :round",
            CANDIDATE_COLUMNS,
            {"round": round_.id},
        ),
        ["person_id"],
    )
    explanations = _differences(
        recomputed.select("person_id", pl.col("wishes").str.replace_all(" ", "")),
        _stored_wishes(session, round_.id),
        ["person_id"],
    )
    programs = _differences(
        program_frame(round_.id, snap, outcome, 0).drop("id", "round_id"),
        read_frame(
            session,
            "SELECT institution_id, offer_id, bucket, quota, applicants, admitted, cutoff_h, "
            "direct FROM round_offer_result WHERE round_id = :round",
            PROGRAM_COLUMNS,
            {"round": round_.id},
        ),
        ["institution_id", "offer_id", "bucket"],
    )
    distributions = _distribution_differences(session, round_.id, distribution_rows(snap, outcome))
    read_model = (
        published.differences(session, round_)
        if round_.status == RoundStatus.published.value
        else 0
    )
    differences = outcomes + explanations + programs + distributions + read_model
    return Verification(
        round_id=round_.id,
        sha256=snap.sha256,
        hash_ok=True,
        identical=differences == 0,
        differences=differences,
        explanation_differences=explanations,
        read_model_differences=read_model,
    )


def _distribution_differences(
    session: Session, round_id: int, recomputed: list[tuple[int, int, str, list[Any]]]
) -> int:
    """Programs whose published score distribution differs from the recomputed one."""
    stored = {
        (r.institution_id, r.offer_id, r.bucket): r.bins
        for r in session.scalars(
            select(RoundDistribution).where(RoundDistribution.round_id == round_id)
        )
    }
    again = {(i, o, b): bins for i, o, b, bins in recomputed}
    return sum(1 for key in stored.keys() | again.keys() if stored.get(key) != again.get(key))


def _first_result_id(session: Session, round_id: int) -> int:
    """The id of the round's first program row: the explanations name results by id, allocated
    in one block in program order when the round ran."""
    first = session.scalar(
        select(func.min(RoundOfferResult.id)).where(RoundOfferResult.round_id == round_id)
    )
    return int(first or 0)


def _stored_wishes(session: Session, round_id: int) -> pl.DataFrame:
    """person_id, wishes (the stored JSON as text, spaces removed) of a round's candidates."""
    rows = session.execute(
        text("SELECT person_id, CAST(wishes AS TEXT) FROM round_candidate WHERE round_id = :r"),
        {"r": round_id},
    )
    return pl.DataFrame(
        [(int(p), str(w).replace(" ", "")) for p, w in rows],
        schema={"person_id": pl.Int64, "wishes": pl.String},
        orient="row",
    )


def _differences(recomputed: pl.DataFrame, stored: pl.DataFrame, key: list[str]) -> int:
    """Rows that differ between two frames of the same columns (missing rows included); an
    empty text and a null are the same (bulk reads do not tell them apart)."""
    columns = [c for c in recomputed.columns if c not in key]
    recomputed = recomputed.with_columns(
        pl.col(c).cast(stored.schema[c]) for c in recomputed.columns
    )
    texts = [c for c, t in stored.schema.items() if t == pl.String]
    recomputed = recomputed.with_columns(pl.col(texts).fill_null(""))
    stored = stored.with_columns(pl.col(texts).fill_null(""))
    joined = recomputed.join(stored, on=key, how="full", suffix="_stored", coalesce=True)
    same = pl.lit(True)
    for c in columns:
        same = same & pl.col(c).eq_missing(pl.col(f"{c}_stored"))
    return int(joined.filter(~same).height)
