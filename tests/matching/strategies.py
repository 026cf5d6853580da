"""Hypothesis strategies: small matching problems where ties are frequent."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from hemis.matching import Problem

# Few distinct values, so that scores, tie-breaks and ranks collide often.
SCORES = st.sampled_from([18.0, 20.5, 20.5, 21.25, 24.0])
TIEBREAKS = st.sampled_from([0.0, 1.0, 2.5])
IDS = st.text(alphabet="0123456789AB", min_size=1, max_size=3)


@st.composite
def problems(
    draw: Any,
    *,
    max_candidates: int = 14,
    max_programs: int = 6,
    min_quota: int = 0,
    distinct_scores: bool = False,
    min_wishes: int = 0,
) -> Problem:
    n_programs = draw(st.integers(1, max_programs))
    n_candidates = draw(st.integers(1, max_candidates))
    n_tiebreaks = 0 if distinct_scores else draw(st.integers(0, 2))
    quotas = draw(st.lists(st.integers(min_quota, 4), min_size=n_programs, max_size=n_programs))
    ids = draw(st.lists(IDS, min_size=n_candidates, max_size=n_candidates, unique=True))
    cand, rank, prog, score, tbs = [], [], [], [], []
    for c in range(n_candidates):
        chosen = draw(
            st.lists(
                st.integers(0, n_programs - 1),
                min_size=min(min_wishes, n_programs),
                max_size=n_programs,
                unique=True,
            )
        )
        gaps = st.lists(st.integers(1, 20), min_size=len(chosen), max_size=len(chosen), unique=True)
        ranks = sorted(draw(gaps))
        for p, r in zip(chosen, ranks, strict=True):
            cand.append(c)
            rank.append(r)
            prog.append(p)
            score.append(draw(SCORES))
            tbs.append([draw(TIEBREAKS) for _ in range(n_tiebreaks)])
    # Half the problems leave ties the wish rank would break as they are (admissions' setting).
    rank_breaks_ties = draw(st.booleans())
    if distinct_scores:  # strict preferences everywhere: no two wishes share a score
        score = [float(x) for x in draw(st.permutations(range(len(cand))))]
    return Problem.from_arrays(
        cand,
        rank,
        prog,
        score,
        quotas,
        tiebreaks=np.array(tbs, dtype=np.float64).reshape(len(cand), n_tiebreaks).T,
        n_candidates=n_candidates,
        candidate_ids=ids,
        program_ids=[f"P{p}" for p in range(n_programs)],
        rank_breaks_ties=rank_breaks_ties,
    )
