"""Numba kernels: the priority comparison, deferred acceptance and the pass over all wishes that
checks the inputs. Every kernel takes the problem's flat arrays (see ``problem.py``).

Priorities are compared in place rather than precomputed by a global sort: ``np.lexsort`` of
18M wishes takes ~8 s on the benchmark machine, four times the whole budget. Each program keeps an
unsorted buffer of the candidates it holds, with room for about 1.5 times its quota, and a
cutoff: its quota-th best as of its last compaction, whose score sits in a small array. A proposal
below the cutoff is rejected by one float comparison in cache; any other is appended. A full
buffer is compacted by a three-way quickselect that keeps the best up to quota (the whole tie
group at the quota-th place under ``group``) and rejects the rest, raising the cutoff. When nobody
is left to propose, programs still above quota are compacted, until none rejects anyone.

Rejecting in batches is still deferred acceptance: a rejection is always justified by a quota of
better candidates holding the program at that moment, so the outcome is the candidate-optimal
stable assignment whatever the order. A binary heap per program (one rejection at a time) was
2.5 times slower: every rejection walked a cold heap path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

F = TypeVar("F", bound=Callable[..., Any])
I64 = NDArray[np.int64]
I32 = NDArray[np.int32]
F64 = NDArray[np.float64]
LOW32 = 0xFFFFFFFF  # a buffer node packs (wish rank << 32) | candidate into one int64
BASE, ROOM, SIZE, PACKED, WISH = 0, 1, 2, 3, 4  # per-program state: buffer, cutoff key


def jit(func: F) -> F:
    """``numba.njit(cache=True)``, keeping the function's signature for mypy."""
    return cast(F, numba.njit(cache=True)(func))


@jit
def after_score(
    ra: int, wa: int, ca: int, rb: int, wb: int, cb: int, tb: F64, order: I64, strict: bool
) -> int:
    """Priority between two wishes with equal scores at one program: tie-break columns, then
    wish rank, then (``strict``) candidate order. -1: ``a`` first, 1: ``b`` first, 0: tied."""
    for j in range(tb.shape[0]):
        ta, tbv = tb[j, wa], tb[j, wb]
        if ta != tbv:
            return -1 if ta > tbv else 1
    if ra != rb:
        return -1 if ra < rb else 1
    if strict and order[ca] != order[cb]:
        return -1 if order[ca] < order[cb] else 1
    return 0


@jit
def compare(
    sa: float,
    ra: int,
    wa: int,
    ca: int,
    sb: float,
    rb: int,
    wb: int,
    cb: int,
    tb: F64,
    order: I64,
    strict: bool,
) -> int:
    """Priority between wish ``wa`` (score ``sa``, rank ``ra``, candidate ``ca``) and ``wb`` at
    their common program. -1: ``a`` first, 1: ``b`` first, 0: a tie group (``group`` only)."""
    if sa != sb:
        return -1 if sa > sb else 1
    return after_score(ra, wa, ca, rb, wb, cb, tb, order, strict)


@jit
def _cmp_nodes(
    sa: float, pa: int, sb: float, pb: int, cur: I64, tb: F64, order: I64, strict: bool
) -> int:
    # A held candidate's wish is cur[candidate]: looked up only when scores tie.
    if sa != sb:
        return -1 if sa > sb else 1
    ca, cb = pa & LOW32, pb & LOW32
    return after_score(pa >> 32, cur[ca], ca, pb >> 32, cur[cb], cb, tb, order, strict)


@jit
def _below_cut(w: int, c: int, cut: I64, rank: I32, tb: F64, order: I64, strict: bool) -> bool:
    # Scores equal the cutoff's: the rest of the key decides (a tie joins the tie group).
    packed = cut[PACKED]
    return (
        after_score(rank[w], w, c, packed >> 32, cut[WISH], packed & LOW32, tb, order, strict) > 0
    )


@jit
def _select(
    hf: F64, hi: I64, lo: int, end: int, k: int, cur: I64, tb: F64, order: I64, strict: bool
) -> tuple[int, int]:
    """Reorder nodes ``[lo, end)`` so that the ``k``-th best (from 0) and every node tied with it
    fill ``[a, b)``, better ones before, worse ones after; return ``(a, b)``."""
    target = lo + k
    while True:
        # The buffer is in arrival order, so its middle is as good as a random pivot.
        pivot = lo + ((end - lo) >> 1)
        ps, pp = hf[2 * pivot], hi[2 * pivot + 1]
        lt, i, gt = lo, lo, end
        while i < gt:
            r = _cmp_nodes(hf[2 * i], hi[2 * i + 1], ps, pp, cur, tb, order, strict)
            j = lt if r < 0 else (gt - 1 if r > 0 else i)
            hf[2 * i], hf[2 * j] = hf[2 * j], hf[2 * i]
            hi[2 * i + 1], hi[2 * j + 1] = hi[2 * j + 1], hi[2 * i + 1]
            if r < 0:
                lt += 1
                i += 1
            elif r > 0:
                gt -= 1
            else:
                i += 1
        if target < lt:
            end = lt
        elif target >= gt:
            lo = gt
        else:
            return lt, gt


@jit
def deferred_acceptance(
    offsets: I64,
    program: I32,
    score: F64,
    tb: F64,
    rank: I32,
    order: I64,
    strict: bool,
    quota: I64,
    room_offsets: I64,
) -> tuple[I64, int, int]:
    """Candidate-proposing DA. Returns (held wish per candidate or -1, number of proposals,
    -1 or the first program whose buffer ``room_offsets`` could not hold its tie group)."""
    n_c = offsets.shape[0] - 1
    n_p = quota.shape[0]
    hf = np.empty(2 * room_offsets[n_p], np.float64)  # node i: score at 2i, packed at 2i + 1
    hi = hf.view(np.int64)
    state = np.zeros((n_p, 5), np.int64)  # one row per program: 200 KB for 5,000, in cache
    state[:, BASE] = room_offsets[:-1]
    state[:, ROOM] = np.diff(room_offsets)
    cut_s = np.where(quota == 0, np.inf, -np.inf)  # the cutoff's score; its key is in ``state``
    cur = offsets[:-1].copy()
    stack = np.empty(n_c, np.int64)
    for i in range(n_c):
        stack[i] = n_c - 1 - i  # candidate 0 proposes first; the outcome does not depend on it
    top = n_c
    proposals = 0
    settled = False
    while not settled:
        while top > 0:
            top -= 1
            c = stack[top]
            w = cur[c]
            end = offsets[c + 1]
            while w < end:
                cur[c] = w
                p = program[w]
                s = score[w]
                if s < cut_s[p] or (
                    s == cut_s[p] and _below_cut(w, c, state[p], rank, tb, order, strict)
                ):
                    proposals += 1
                    w += 1
                    continue
                h = state[p, SIZE]
                if h == state[p, ROOM]:
                    top = _compact(
                        hf, hi, state[p], quota[p], cut_s, p, cur, stack, top, tb, order, strict
                    )
                    if state[p, SIZE] == state[p, ROOM]:
                        return cur, proposals, p
                    continue  # the cutoff rose: test the proposer again
                proposals += 1
                node = state[p, BASE] + h
                hf[2 * node] = s
                hi[2 * node + 1] = (np.int64(rank[w]) << 32) | c
                state[p, SIZE] = h + 1
                break
            cur[c] = w
        settled = True
        for p in range(n_p):  # nobody left to propose: settle programs above quota
            if state[p, SIZE] > quota[p]:
                before = top
                top = _compact(
                    hf, hi, state[p], quota[p], cut_s, p, cur, stack, top, tb, order, strict
                )
                settled = settled and top == before
    assigned = np.full(n_c, -1, np.int64)
    for p in range(n_p):
        for i in range(state[p, BASE], state[p, BASE] + state[p, SIZE]):
            c = hi[2 * i + 1] & LOW32
            assigned[c] = cur[c]
    return assigned, proposals, -1


@jit
def _compact(
    hf: F64,
    hi: I64,
    row: I64,
    q: int,
    cut_s: F64,
    p: int,
    cur: I64,
    stack: I64,
    top: int,
    tb: F64,
    order: I64,
    strict: bool,
) -> int:
    """Keep the program's best ``q`` held (its whole tie group at the ``q``-th place unless
    ``strict``), push the rest back to propose again, raise the cutoff; return the stack top."""
    base, h = row[BASE], row[SIZE]
    a, b = _select(hf, hi, base, base + h, q - 1, cur, tb, order, strict)
    for j in range(b, base + h):
        e = hi[2 * j + 1] & LOW32
        cur[e] += 1
        stack[top] = e
        top += 1
    row[SIZE] = b - base
    cut_s[p] = hf[2 * a]
    row[PACKED] = hi[2 * a + 1]
    row[WISH] = cur[row[PACKED] & LOW32]
    return top


@jit
def admitted_summary(
    program: I32,
    score: F64,
    tiebreaks: F64,
    rank: I32,
    cand_order: I64,
    strict: bool,
    n_programs: int,
    assigned: I64,
) -> tuple[I64, I64, I64, I64]:
    """Per program: admitted count, last admitted wish and candidate (-1 if none), and how many
    admitted candidates are tied with the last one."""
    admitted = np.zeros(n_programs, np.int64)
    last_w = np.full(n_programs, -1, np.int64)
    last_c = np.full(n_programs, -1, np.int64)
    group = np.zeros(n_programs, np.int64)
    for c in range(assigned.shape[0]):
        w = assigned[c]
        if w < 0:
            continue
        p = program[w]
        admitted[p] += 1
        lw = last_w[p]
        r = 1
        if lw >= 0:
            r = compare(
                score[w],
                rank[w],
                w,
                c,
                score[lw],
                rank[lw],
                lw,
                last_c[p],
                tiebreaks,
                cand_order,
                strict,
            )
        if r > 0:
            last_w[p], last_c[p], group[p] = w, c, 1
        elif r == 0:
            group[p] += 1
    return admitted, last_w, last_c, group
