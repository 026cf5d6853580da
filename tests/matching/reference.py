"""A deliberately simple deferred acceptance in pure Python: the definition the engine must meet.

A program holds the minimal prefix of its priority order (score desc, tie-break columns desc,
wish rank asc unless the problem says the rank breaks no ties, then candidate id as a string
under ``strict``) that covers its quota without
splitting candidates with equal keys; it rejects exactly those strictly worse than the key of
the quota-th held candidate.
"""

from __future__ import annotations

from collections import deque

from hemis.matching import Problem

Key = tuple[object, ...]


def priority_key(problem: Problem, policy: str, candidate: int, wish: int) -> Key:
    key: list[object] = [-float(problem.score[wish])]
    key += [-float(row[wish]) for row in problem.tiebreaks]
    if problem.rank_breaks_ties:
        key.append(int(problem.rank[wish]))
    if policy == "strict":
        key.append(problem.candidate_label(candidate))
    return tuple(key)


def choose(held: list[tuple[Key, int]], quota: int) -> tuple[list[int], list[int]]:
    """(kept, rejected) candidates of one program from everyone proposing to it."""
    ordered = sorted(held, key=lambda item: item[0])
    if len(ordered) <= quota:
        return [c for _, c in ordered], []
    if quota == 0:
        return [], [c for _, c in ordered]
    cutoff = ordered[quota - 1][0]
    return [c for k, c in ordered if k <= cutoff], [c for k, c in ordered if k > cutoff]


def reference_da(problem: Problem, policy: str) -> list[int]:
    """The wish each candidate holds at the end (-1 for none)."""
    offsets = problem.offsets.tolist()
    nxt = offsets[:-1]
    held: dict[int, list[tuple[Key, int]]] = {p: [] for p in range(problem.n_programs)}
    holding = [-1] * problem.n_candidates
    free = deque(range(problem.n_candidates))
    while free:
        c = free.popleft()
        if nxt[c] >= offsets[c + 1]:
            continue
        w = nxt[c]
        nxt[c] += 1
        p = int(problem.program[w])
        held[p].append((priority_key(problem, policy, c, w), c))
        holding[c] = w
        kept, rejected = choose(held[p], int(problem.quota[p]))
        held[p] = [item for item in held[p] if item[1] in set(kept)]
        for r in rejected:
            holding[r] = -1
            free.append(r)
    return holding
