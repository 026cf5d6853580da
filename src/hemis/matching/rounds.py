"""Round-by-round virtual filtering, the audit twin of deferred acceptance.

Each round every program recomputes its admitted list from scratch, from the candidates whose
highest wish not yet refused is that program: the best up to quota, extended over the tie group
at the quota-th place under ``group``. Everyone left out loses that wish for good (cutoffs only
rise), and the next round starts. When a round refuses nobody the lists are final.

This is the cutoff iteration *from below* (Azevedo & Leshno): its fixpoint is the
candidate-optimal stable assignment, i.e. deferred acceptance's. Started *from above* instead
(every program first picks among all who list it, candidates then drop wishes below their best
admission) it would converge to the program-optimal stable assignment, which differs whenever
programs rank candidates differently (score per wish) and priorities cycle.
"""

from __future__ import annotations

import numpy as np

from hemis.matching.kernels import F64, I32, I64, compare, jit


@jit
def _at(a: int, b: int, ptr: I64, score: F64, tb: F64, rank: I32, order: I64, strict: bool) -> int:
    """Priority between candidates ``a`` and ``b`` at their current wishes (same program)."""
    wa, wb = ptr[a], ptr[b]
    return compare(score[wa], rank[wa], wa, a, score[wb], rank[wb], wb, b, tb, order, strict)


@jit
def _sort_by_priority(
    items: I64, tmp: I64, ptr: I64, score: F64, tb: F64, rank: I32, order: I64, strict: bool
) -> None:
    """Stable bottom-up merge sort of candidates ``items`` by priority at wish ``ptr[c]``."""
    n = items.shape[0]
    src, dst = items, tmp
    in_tmp = False
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid, hi = min(lo + width, n), min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):
                take_left = j >= hi
                if i < mid and j < hi:
                    take_left = _at(src[i], src[j], ptr, score, tb, rank, order, strict) <= 0
                if i < mid and take_left:
                    dst[k] = src[i]
                    i += 1
                else:
                    dst[k] = src[j]
                    j += 1
        src, dst = dst, src
        in_tmp = not in_tmp
        width *= 2
    if in_tmp:
        items[:] = tmp


@jit
def filtering_rounds(
    offsets: I64,
    program: I32,
    score: F64,
    tiebreaks: F64,
    rank: I32,
    cand_order: I64,
    strict: bool,
    quota: I64,
    max_rounds: int,
) -> tuple[I64, int, bool]:
    """Round-by-round filtering from below: each round every program recomputes its list from the
    candidates whose best wish still open is that program; those it leaves out lose that wish.
    Returns (wish kept in the last round per candidate or -1, rounds computed, converged)."""
    n_c = offsets.shape[0] - 1
    n_p = quota.shape[0]
    ptr = offsets[:-1].copy()
    kept = np.zeros(n_c, np.bool_)
    start = np.zeros(n_p + 1, np.int64)
    fill = np.empty(n_p, np.int64)
    members = np.empty(n_c, np.int64)
    tmp = np.empty(n_c, np.int64)
    dirty = np.ones(n_p, np.bool_)  # got new applicants: any other keeps last round's list
    rounds = 0
    converged = False
    while max_rounds <= 0 or rounds < max_rounds:
        rounds += 1
        start[:] = 0
        for c in range(n_c):
            if ptr[c] < offsets[c + 1]:
                start[program[ptr[c]] + 1] += 1
        for p in range(n_p):
            start[p + 1] += start[p]
        fill[:] = start[:-1]
        for c in range(n_c):
            if ptr[c] < offsets[c + 1]:
                p = program[ptr[c]]
                members[fill[p]] = c
                fill[p] += 1
        changed = False
        arrivals = np.zeros(n_p, np.bool_)
        for p in range(n_p):
            lo, hi, q = start[p], start[p + 1], quota[p]
            keep = hi - lo
            if keep > q and dirty[p]:
                seg = members[lo:hi]
                _sort_by_priority(seg, tmp[lo:hi], ptr, score, tiebreaks, rank, cand_order, strict)
                keep = q
                if q > 0 and not strict:  # extend over the tie group at the quota-th place
                    last = seg[q - 1]
                    while keep < hi - lo:
                        if (
                            _at(seg[keep], last, ptr, score, tiebreaks, rank, cand_order, False)
                            != 0
                        ):
                            break
                        keep += 1
            for i in range(hi - lo):
                c = members[lo + i]
                kept[c] = i < keep
                if i >= keep:
                    ptr[c] += 1
                    changed = True
                    if ptr[c] < offsets[c + 1]:
                        arrivals[program[ptr[c]]] = True
        if not changed:
            converged = True
            break
        dirty = arrivals
    assigned = np.full(n_c, -1, np.int64)
    for c in range(n_c):
        if kept[c] and ptr[c] < offsets[c + 1]:
            assigned[c] = ptr[c]
    return assigned, rounds, converged
