"""A solved round as rows: one per program (round_offer_result, tenant) and one per candidate
(round_candidate: the assignment and every wish's score, for the candidate's explanation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from hemis.admissions.explain import METHOD_ORDER
from hemis.admissions.snapshot import MatchInput, Snapshot
from hemis.matching import Result

BUCKETS = ["", *(m.value for m in METHOD_ORDER)]  # program_bucket + 1 → stored bucket code


@dataclass(frozen=True)
class Outcome:
    """Per snapshot candidate: the snapshot wish held (-1 none); per program: the counts."""

    held_wish: NDArray[np.int64]
    applicants: NDArray[np.int64]
    admitted: NDArray[np.int64]
    cutoff_h: NDArray[np.float64]  # NaN: nobody admitted


def outcome_of(snap: Snapshot, match: MatchInput, result: Result) -> Outcome:
    assigned = result.assigned_wish
    held = np.where(assigned >= 0, match.wish_index[np.clip(assigned, 0, None)], -1)
    applicants = np.bincount(match.problem.program, minlength=snap.n_programs).astype(np.int64)
    return Outcome(
        held.astype(np.int64), applicants, result.admitted.astype(np.int64), result.cutoff
    )


def program_frame(round_id: int, snap: Snapshot, outcome: Outcome, first_id: int) -> pl.DataFrame:
    cutoff = outcome.cutoff_h
    return pl.DataFrame(
        {
            "institution_id": snap["program_institution"],
            "id": np.arange(first_id, first_id + snap.n_programs, dtype=np.int64),
            "round_id": np.full(snap.n_programs, round_id, dtype=np.int64),
            "offer_id": snap["program_offer"],
            "bucket": [BUCKETS[int(b) + 1] for b in snap["program_bucket"]],
            "quota": snap["quota"],
            "applicants": outcome.applicants,
            "admitted": outcome.admitted,
            "cutoff_h": pl.Series(np.where(np.isnan(cutoff), 0, cutoff).astype(np.int64)).set(
                pl.Series(np.isnan(cutoff)), None
            ),
        }
    )


def candidate_frame(
    round_id: int, snap: Snapshot, outcome: Outcome, first_result_id: int
) -> pl.DataFrame:
    """One row per candidate: the wish held, and as JSON (built by polars) the wishes the
    explanation needs — every wish ranked above the held one, and the held one (all wishes when
    none is held): [[rank, round_offer_result id, score_h|null, flag], …] in rank order. Wishes
    below the held one were never considered, so they are not repeated here."""
    program = snap["wish_program"].astype(np.int64)
    cand = snap.candidate_of_wish()
    held = outcome.held_wish
    keep = (held[cand] < 0) | (np.arange(cand.shape[0]) <= held[cand])
    wishes = pl.DataFrame(
        {
            "c": cand[keep],
            "rank": snap["wish_rank"][keep].astype(np.int64),
            "result": program[keep] + first_result_id,
            "score": snap["wish_score"][keep].astype(np.int64),
            "flag": snap["wish_flag"][keep].astype(np.int64),
        }
    )
    score_text = (
        pl.when(pl.col("score") >= 0)
        .then(pl.col("score").cast(pl.String))
        .otherwise(pl.lit("null"))
    )
    item = pl.format("[{},{},{},{}]", "rank", "result", score_text, "flag")
    grouped = (
        wishes.with_columns(item.alias("item"))
        .group_by("c", maintain_order=True)
        .agg(pl.col("item").str.join(","))
        .sort("c")
    )
    has = held >= 0
    at = np.clip(held, 0, None)
    held_program = program[at]

    def masked(values: NDArray[np.int64]) -> pl.Series:
        return pl.Series(np.where(has, values, 0)).set(pl.Series(~has), None)

    return pl.DataFrame(
        {
            "round_id": np.full(snap.n_candidates, round_id, dtype=np.int64),
            "person_id": snap["person"],
            "institution_id": masked(snap["program_institution"][held_program]),
            "offer_id": masked(snap["program_offer"][held_program]),
            "bucket": pl.Series(
                np.array(BUCKETS, dtype=object)[snap["program_bucket"][held_program] + 1]
            )
            .cast(pl.String)
            .set(pl.Series(~has), None),
            "rank": masked(snap["wish_rank"][at].astype(np.int64)),
            "score_h": masked(snap["wish_score"][at].astype(np.int64)),
            "wishes": ("[" + grouped["item"] + "]"),
        }
    )
