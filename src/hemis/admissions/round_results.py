"""A solved round as rows: one per program (round_offer_result, tenant) and one per candidate
(round_candidate: the assignment and every wish's score, for the candidate's explanation).

A wish refused with a score equal to the program's cutoff lost a tie: the explanation names the
criterion that decided it — the first of the offer's tie-break criteria on which the candidate
is below the program's last admitted candidate, or the candidate order of the `strict` policy
when every criterion is equal. Everything here is derived from the snapshot and the matching
alone, so verification re-derives what each candidate is shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from hemis.admissions.codes import TiePolicy
from hemis.admissions.explain import METHOD_ORDER
from hemis.admissions.snapshot import MatchInput, Snapshot
from hemis.admissions.snapshot_paths import PATH_NAMES
from hemis.admissions.whatif import histograms, published_bins
from hemis.matching import Result

BUCKETS = ["", *(m.value for m in METHOD_ORDER)]  # program_bucket + 1 → stored bucket code
# Decided by the strict policy's last tie-break (candidate order), not by a chosen criterion.
CANDIDATE_ORDER = "candidate_order"


@dataclass(frozen=True)
class Outcome:
    """Per snapshot candidate: the snapshot wish held (-1 none); per program: the counts."""

    held_wish: NDArray[np.int64]
    applicants: NDArray[np.int64]
    admitted: NDArray[np.int64]
    cutoff_h: NDArray[np.float64]  # NaN: nobody admitted
    last_wish: NDArray[np.int64]  # per program: the snapshot wish of its last admitted, -1


def outcome_of(snap: Snapshot, match: MatchInput, result: Result) -> Outcome:
    assigned = result.assigned_wish
    held = np.full(assigned.shape[0], -1, dtype=np.int64)
    hit = assigned >= 0  # (no wish counts at all: the index is empty)
    held[hit] = match.wish_index[assigned[hit]]
    applicants = np.bincount(match.problem.program, minlength=snap.n_programs).astype(np.int64)
    last_c = result.last_admitted
    last = np.where(last_c >= 0, held[np.clip(last_c, 0, None)], -1)
    return Outcome(
        held.astype(np.int64),
        applicants,
        result.admitted.astype(np.int64),
        result.cutoff,
        last.astype(np.int64),
    )


def decided_by(snap: Snapshot, outcome: Outcome, wishes: NDArray[np.int64]) -> list[str | None]:
    """For each snapshot wish: the criterion that refused it on a tie (see the module), else
    None. Only wishes with the last admitted candidate's score are compared (few)."""
    out: list[str | None] = [None] * wishes.shape[0]
    if wishes.shape[0] == 0:
        return out
    program = snap["wish_program"].astype(np.int64)[wishes]
    lw = outcome.last_wish[program]
    score = snap["wish_score"]
    tied = (lw >= 0) & (lw != wishes) & (score[wishes] >= 0)
    tied &= score[wishes] == score[np.clip(lw, 0, None)]
    tiebreaks = snap["tiebreaks"]
    strict = snap.tie_policy == TiePolicy.strict.value
    for i in np.flatnonzero(tied).tolist():
        w, last, p = int(wishes[i]), int(lw[i]), int(program[i])
        names = snap.criteria(p)
        differs = np.flatnonzero(tiebreaks[:, w] != tiebreaks[:, last])
        if differs.size and tiebreaks[differs[0], w] < tiebreaks[differs[0], last]:
            j = int(differs[0])
            out[i] = names[j] if j < len(names) else f"criterion_{j + 1}"
        elif not differs.size and strict:
            out[i] = CANDIDATE_ORDER
    return out


def program_frame(round_id: int, snap: Snapshot, outcome: Outcome, first_id: int) -> pl.DataFrame:
    """One row per program. Seats taken before the matching by direct and priority admission
    (`direct`) count in the published quota and admitted; the cutoff is the matching's."""
    cutoff = outcome.cutoff_h
    direct = np.bincount(snap.direct("program").astype(np.int64), minlength=snap.n_programs).astype(
        np.int64
    )
    return pl.DataFrame(
        {
            "institution_id": snap["program_institution"],
            "id": np.arange(first_id, first_id + snap.n_programs, dtype=np.int64),
            "round_id": np.full(snap.n_programs, round_id, dtype=np.int64),
            "offer_id": snap["program_offer"],
            "bucket": [BUCKETS[int(b) + 1] for b in snap["program_bucket"]],
            "quota": snap["quota"] + direct,
            "applicants": outcome.applicants,
            "admitted": outcome.admitted + direct,
            "direct": direct,
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
    none is held): [[rank, round_offer_result id, score_h|null, flag, decided_by|null], …] in
    rank order, `decided_by` naming the criterion that refused a tied wish (decided_by()).
    Wishes below the held one were never considered, so they are not repeated here."""
    program = snap["wish_program"].astype(np.int64)
    cand = snap.candidate_of_wish()
    held = outcome.held_wish
    keep = (held[cand] < 0) | (np.arange(cand.shape[0]) <= held[cand])
    kept = np.flatnonzero(keep).astype(np.int64)
    wishes = pl.DataFrame(
        {
            "c": cand[keep],
            "rank": snap["wish_rank"][keep].astype(np.int64),
            "result": program[keep] + first_result_id,
            "score": snap["wish_score"][keep].astype(np.int64),
            "flag": snap["wish_flag"][keep].astype(np.int64),
            "decided": pl.Series(decided_by(snap, outcome, kept), dtype=pl.String),
        }
    )
    score_text = (
        pl.when(pl.col("score") >= 0)
        .then(pl.col("score").cast(pl.String))
        .otherwise(pl.lit("null"))
    )
    # criterion names are codes (subjects, wish_rank, candidate_order): no quoting needed
    decided_text = (
        pl.when(pl.col("decided").is_not_null())
        .then(pl.format('"{}"', "decided"))
        .otherwise(pl.lit("null"))
    )
    item = pl.format("[{},{},{},{},{}]", "rank", "result", score_text, "flag", decided_text)
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

    matched = pl.DataFrame(
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
            "path": pl.Series([None] * snap.n_candidates, dtype=pl.String),
        }
    )
    return pl.concat([matched, _direct_frame(round_id, snap)])


def _direct_frame(round_id: int, snap: Snapshot) -> pl.DataFrame:
    """The candidates admitted outside the matching: their offer (its shared bucket), their
    score there (0 when a direct admission has none), no wishes considered, and the path."""
    program = snap.direct("program").astype(np.int64)
    n = program.shape[0]
    return pl.DataFrame(
        {
            "round_id": np.full(n, round_id, dtype=np.int64),
            "person_id": snap.direct("person").astype(np.int64),
            "institution_id": snap["program_institution"][program].astype(np.int64),
            "offer_id": snap["program_offer"][program].astype(np.int64),
            "bucket": pl.Series([""] * n, dtype=pl.String),
            "rank": pl.Series([None] * n, dtype=pl.Int64),
            "score_h": np.maximum(snap.direct("score").astype(np.int64), 0),
            "wishes": pl.Series(["[]"] * n, dtype=pl.String),
            "path": pl.Series([PATH_NAMES[int(p)] for p in snap.direct("path")], dtype=pl.String),
        },
        schema={
            "round_id": pl.Int64,
            "person_id": pl.Int64,
            "institution_id": pl.Int64,
            "offer_id": pl.Int64,
            "bucket": pl.String,
            "rank": pl.Int64,
            "score_h": pl.Int64,
            "wishes": pl.String,
            "path": pl.String,
        },
    )


def distribution_rows(snap: Snapshot, outcome: Outcome) -> list[tuple[int, int, str, list[Any]]]:
    """Each program's published score distribution (whatif.published_bins): (institution,
    offer, bucket, [[low_h, applicants, admitted], ...]) for every program with applicants.
    Candidates admitted outside the matching are not in it (they had no score to compete)."""
    program = snap["wish_program"].astype(np.int64)
    score = snap["wish_score"].astype(np.int64)
    admitted = np.zeros(score.shape[0], dtype=np.bool_)
    held = outcome.held_wish
    admitted[held[held >= 0]] = True
    applicants, taken = histograms(program, score, admitted, snap.n_programs)
    out = []
    for p in np.flatnonzero(applicants.sum(axis=1)).tolist():
        bins = published_bins(applicants[p], taken[p])
        out.append(
            (
                int(snap["program_institution"][p]),
                int(snap["program_offer"][p]),
                BUCKETS[int(snap["program_bucket"][p]) + 1],
                [[b.low_h, b.applicants, b.admitted] for b in bins],
            )
        )
    return out
