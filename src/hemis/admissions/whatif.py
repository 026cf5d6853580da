"""Pure rules of the published score distributions and of the candidates' what-if.

Distributions: after a round runs, the ministry publishes per program (offer or method bucket) how
many applicants and how many admitted scored in each one-point band of the program's scale.
Small cells are suppressed so that no published figure lets anyone single out a few candidates:
a count of 1–4 is never shown (primary suppression); since each program's applicant and
admitted totals are published with the round, a row with exactly one suppressed cell would give
it away by subtraction, so the smallest other non-zero cell is suppressed too (secondary
suppression). A suppressed cell is None.

What-if: with the candidate's own scores and the reference round (this year's latest published
round, or last year's final one), each wish gets a chance band and the wish the candidate would
hold today is the first one whose reference cutoff they reach (a program that did not fill its
seats takes anyone with a score) — cutoffs being what a stable matching gives each program
(Azevedo & Leshno), a candidate holds the best wish whose cutoff they clear. The band is a
heuristic, not a rule of the regulation: the margin around the cutoff is the score span that held
the lowest quarter of the admitted last time (from the published distribution), within 0.25–2
points (scaled to the program's scale), or 0.5 point without a distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MIN_CELL = 5  # counts of 1..MIN_CELL-1 are suppressed
BIN_H = 100  # one point, in hundredths
Cell = int | None


def suppress(counts: Sequence[int]) -> list[Cell]:
    """Small-cell suppression of one row of counts whose total is published (see module)."""
    out: list[Cell] = [c if c == 0 or c >= MIN_CELL else None for c in counts]
    hidden = [i for i, c in enumerate(out) if c is None]
    if len(hidden) == 1:
        shown = [(c, i) for i, c in enumerate(out) if c]
        if shown:
            out[min(shown)[1]] = None
    return out


@dataclass(frozen=True)
class Bin:
    low_h: int  # the band [low, low + 1 point)
    applicants: Cell
    admitted: Cell


def histograms(
    program: NDArray[np.int64],
    score_h: NDArray[np.int64],
    admitted: NDArray[np.bool_],
    n_programs: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(applicants, admitted) per program and one-point band: two (n_programs, bands) matrices
    of every counted wish (score ≥ 0)."""
    counted = score_h >= 0
    bands = int(score_h.max(initial=0)) // BIN_H + 1
    key = program[counted] * bands + score_h[counted] // BIN_H
    size = n_programs * bands
    applicants = np.bincount(key, minlength=size).reshape(n_programs, bands)
    held = np.bincount(key[admitted[counted]], minlength=size).reshape(n_programs, bands)
    return applicants.astype(np.int64), held.astype(np.int64)


def published_bins(applicants: NDArray[np.int64], admitted: NDArray[np.int64]) -> list[Bin]:
    """One program's bands from its lowest to its highest non-empty one, suppressed."""
    filled = np.flatnonzero(applicants)
    if filled.size == 0:
        return []
    lo, hi = int(filled[0]), int(filled[-1]) + 1
    shown_a = suppress(applicants[lo:hi].tolist())
    shown_b = suppress(admitted[lo:hi].tolist())
    return [Bin((lo + k) * BIN_H, shown_a[k], shown_b[k]) for k in range(hi - lo)]


# --- the what-if ---------------------------------------------------------------------------------

BANDS = ("high", "medium", "low", "very_low", "unknown")
MARGIN_DEFAULT_H = 50
MARGIN_MIN_H, MARGIN_MAX_H = 25, 200


@dataclass(frozen=True)
class Reference:
    """What the reference round says about a program: its cutoff (None: nobody, or it did not
    fill), whether it filled its seats, and its published bands."""

    cutoff_h: int | None
    filled: bool
    bins: tuple[Bin, ...] = ()
    scale_h: int = 3000


def margin_h(ref: Reference) -> int:
    """The score span above the cutoff that held the lowest quarter of the admitted (visible
    cells only), within 0.25–2 points on 30 (scaled); 0.5 without a distribution."""
    scale = ref.scale_h / 3000
    low, high = round(MARGIN_MIN_H * scale), round(MARGIN_MAX_H * scale)
    visible = [(b.low_h, b.admitted) for b in ref.bins if b.admitted]
    total = sum(n for _, n in visible if n is not None)
    if ref.cutoff_h is None or total == 0:
        return round(MARGIN_DEFAULT_H * scale)
    seen = 0
    for low_h, n in visible:
        assert n is not None
        seen += n
        if 4 * seen >= total:
            return min(max(low_h + BIN_H - ref.cutoff_h, low), high)
    return high


def chance_band(score_h: int | None, ref: Reference | None) -> str:
    """high (≥ cutoff + margin), medium (at or above the cutoff), low (within the margin below),
    very_low (further below), unknown (no score, or nothing to compare with). A program that did
    not fill its seats last time: high for anyone with a score."""
    if score_h is None or ref is None:
        return "unknown"
    if not ref.filled:
        return "high"
    if ref.cutoff_h is None:
        return "unknown"
    margin = margin_h(ref)
    if score_h >= ref.cutoff_h + margin:
        return "high"
    if score_h >= ref.cutoff_h:
        return "medium"
    if score_h >= ref.cutoff_h - margin:
        return "low"
    return "very_low"


def clears(score_h: int | None, ref: Reference | None) -> bool:
    """Would the candidate hold this wish against the reference cutoff?"""
    if score_h is None or ref is None:
        return False
    if not ref.filled:
        return True
    return ref.cutoff_h is not None and score_h >= ref.cutoff_h


def held_today(scores_h: Sequence[int | None], refs: Sequence[Reference | None]) -> int | None:
    """The index (in the order given) of the wish the candidate would hold: the first cleared."""
    for i, (score, ref) in enumerate(zip(scores_h, refs, strict=True)):
        if clears(score, ref):
            return i
    return None
