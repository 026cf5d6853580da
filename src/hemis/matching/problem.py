"""The matching problem as flat arrays (CSR), and the check of its inputs.

Candidate ``c`` owns wishes ``offsets[c] : offsets[c + 1]``, listed in rank order (rank 1 first).
Per wish: the program index, the admission score, the tie-break values and the wish rank as the
candidate wrote it. Flat arrays keep 18M wishes in ~300 MB and let the kernels stream them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hemis.errors import ValidationFailed
from hemis.matching.kernels import F64, I32, I64, jit

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Issue:
    """One kind of problem in the inputs: a stable code, a message and the first offending index."""

    code: str
    message: str
    index: int | None = None
    count: int = 1


class InvalidProblem(ValidationFailed):
    """The inputs break a rule of the game; ``details`` lists every kind of issue found."""

    code = "invalid_matching_problem"

    def __init__(self, issues: Sequence[Issue]) -> None:
        listing = "; ".join(issue.message for issue in issues)
        super().__init__(
            f"Dữ liệu xét tuyển không hợp lệ: {listing}",
            f"Invalid matching problem: {listing}",
            details=[issue.__dict__ for issue in issues],
        )
        self.issues = list(issues)


@dataclass(frozen=True, eq=False)
class Problem:
    """Candidates' ranked wishes over programs with quotas.

    ``tiebreaks`` has shape ``(n_tiebreaks, n_wishes)``: one row per criterion, higher is better.
    ``candidate_ids`` break the last ties under the ``strict`` policy (compared as strings); without
    them the candidate index does. ``rank_breaks_ties`` (default) lets the wish rank separate
    candidates still tied after the tie-break columns; admissions turn it off and put the wish
    order among the columns only where an offer chose it (Circular 08/2022, Art. 20(3)).
    """

    offsets: IntArray
    program: NDArray[np.int32]
    score: NDArray[np.float64]
    rank: NDArray[np.int32]
    quota: IntArray
    tiebreaks: NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 0)))
    candidate_ids: NDArray[np.str_] | None = None
    program_ids: NDArray[np.str_] | None = None
    rank_breaks_ties: bool = True

    def __post_init__(self) -> None:
        # Coerce once so that the kernels see one dtype each and compile once.
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("offsets", np.ascontiguousarray(self.offsets, dtype=np.int64))
        put("program", np.ascontiguousarray(self.program, dtype=np.int32))
        put("score", np.ascontiguousarray(self.score, dtype=np.float64))
        put("rank", np.ascontiguousarray(self.rank, dtype=np.int32))
        put("quota", np.ascontiguousarray(self.quota, dtype=np.int64))
        tiebreaks = np.asarray(self.tiebreaks, dtype=np.float64)
        if tiebreaks.size == 0:
            tiebreaks = np.empty((0, self.program.shape[0]), dtype=np.float64)
        put("tiebreaks", np.ascontiguousarray(tiebreaks))
        if self.candidate_ids is not None:
            put("candidate_ids", np.asarray(self.candidate_ids, dtype=np.str_))
        if self.program_ids is not None:
            put("program_ids", np.asarray(self.program_ids, dtype=np.str_))

    @cached_property
    def tie_rank(self) -> NDArray[np.int32]:
        """The rank the kernels compare after the tie-break columns: the wish rank, or one
        value for every wish when the rank breaks no ties (the kernels stay the same)."""
        if self.rank_breaks_ties:
            return self.rank
        return np.zeros_like(self.rank)

    @property
    def n_candidates(self) -> int:
        return int(self.offsets.shape[0]) - 1

    @property
    def n_programs(self) -> int:
        return int(self.quota.shape[0])

    @property
    def n_wishes(self) -> int:
        return int(self.program.shape[0])

    @property
    def n_tiebreaks(self) -> int:
        return int(self.tiebreaks.shape[0])

    @cached_property
    def id_sorter(self) -> IntArray:
        """Candidate indices in lexical id order (index order without ids)."""
        if self.candidate_ids is None:
            return np.arange(self.n_candidates, dtype=np.int64)
        return np.argsort(self.candidate_ids, kind="stable").astype(np.int64)

    @cached_property
    def candidate_order(self) -> IntArray:
        """Each candidate's position in lexical id order: the last tie-break of ``strict``."""
        position = np.empty(self.n_candidates, dtype=np.int64)
        position[self.id_sorter] = np.arange(self.n_candidates, dtype=np.int64)
        return position

    def candidate_label(self, index: int) -> str:
        return str(self.candidate_ids[index]) if self.candidate_ids is not None else str(index)

    def program_label(self, index: int) -> str:
        return str(self.program_ids[index]) if self.program_ids is not None else str(index)

    @classmethod
    def from_arrays(
        cls,
        candidate: ArrayLike,
        rank: ArrayLike,
        program: ArrayLike,
        score: ArrayLike,
        quota: ArrayLike,
        *,
        tiebreaks: ArrayLike | None = None,
        n_candidates: int | None = None,
        candidate_ids: ArrayLike | None = None,
        program_ids: ArrayLike | None = None,
        rank_breaks_ties: bool = True,
    ) -> Problem:
        """Build from one row per wish in any order (``candidate`` is an index)."""
        cand = np.asarray(candidate, dtype=np.int64)
        ranks = np.asarray(rank, dtype=np.int64)
        if n_candidates is None:
            n_candidates = (
                len(np.asarray(candidate_ids)) if candidate_ids is not None else int(cand.max()) + 1
            )
        order = np.lexsort((ranks, cand))
        counts = np.bincount(cand, minlength=n_candidates)
        offsets = np.zeros(n_candidates + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        tb = np.empty((0, len(cand))) if tiebreaks is None else np.asarray(tiebreaks, np.float64)
        tb = tb.reshape(1, -1) if tb.ndim == 1 else tb
        return cls(
            offsets=offsets,
            program=np.asarray(program)[order],
            score=np.asarray(score)[order],
            rank=ranks[order].astype(np.int32),
            quota=np.asarray(quota),
            tiebreaks=tb[:, order],
            candidate_ids=None if candidate_ids is None else np.asarray(candidate_ids),
            program_ids=None if program_ids is None else np.asarray(program_ids),
            rank_breaks_ties=rank_breaks_ties,
        )

    @classmethod
    def from_records(
        cls,
        quotas: Mapping[str, int],
        wishes: Iterable[Sequence[Any]],
    ) -> Problem:
        """Build from ``{program_id: quota}`` and rows ``(candidate_id, rank, program_id, score,
        *tiebreaks)``; candidates keep their order of first appearance. For examples and tests."""
        program_index = {pid: i for i, pid in enumerate(quotas)}
        candidate_index: dict[str, int] = {}
        cand, ranks, progs, scores, tbs = [], [], [], [], []
        for cid, rank, pid, score, *tiebreaks in wishes:
            cand.append(candidate_index.setdefault(str(cid), len(candidate_index)))
            ranks.append(int(rank))
            progs.append(program_index[pid])
            scores.append(float(score))
            tbs.append([float(t) for t in tiebreaks])
        width = len(tbs[0]) if tbs else 0
        return cls.from_arrays(
            cand,
            ranks,
            progs,
            scores,
            list(quotas.values()),
            tiebreaks=np.array(tbs, dtype=np.float64).reshape(len(tbs), width).T,
            candidate_ids=list(candidate_index),
            program_ids=list(quotas),
        )


WISH_RULES = (
    ("program_out_of_range", "wishes name a program index out of range"),
    ("score_not_finite", "wishes have a non-finite score"),
    ("tiebreak_not_finite", "wishes have a non-finite tie-break value"),
    ("rank_not_increasing", "wishes repeat or go back in rank within their candidate"),
    ("duplicate_program", "wishes repeat a program of the same candidate"),
)


def check_inputs(problem: Problem, *, check_ids: bool = True) -> list[Issue]:
    """Every kind of rule the inputs break (empty when the problem can be solved).

    ``check_ids=False`` skips the uniqueness of ids (a string sort: ~1 s per million).
    """
    return scan(problem, check_ids=check_ids)[0]


def scan(problem: Problem, *, check_ids: bool = True) -> tuple[list[Issue], IntArray]:
    """The issues, and the number of wishes naming each program (one pass over the wishes)."""
    issues = _check_shapes(problem)
    if issues:
        return issues, np.zeros(0, dtype=np.int64)  # the remaining checks index by these shapes
    negative = np.flatnonzero(problem.quota < 0)
    if negative.size:
        first = int(negative[0])
        message = f"{negative.size} programs have a negative quota (first: index {first})"
        issues.append(Issue("quota_negative", message, first, int(negative.size)))
    found, applicants = scan_wishes(
        problem.offsets,
        problem.program,
        problem.score,
        problem.tiebreaks,
        problem.rank,
        problem.n_programs,
    )
    for (code, what), (count, first) in zip(WISH_RULES, found.tolist(), strict=True):
        if count:
            issues.append(Issue(code, f"{count} {what} (first: index {first})", first, count))
    if check_ids and problem.candidate_ids is not None:
        ordered = problem.candidate_ids[problem.id_sorter]  # the sort ``strict`` needs anyway
        if bool(np.any(ordered[1:] == ordered[:-1])):
            issues.append(Issue("duplicate_candidate_id", "candidate ids are not unique"))
    pids = problem.program_ids
    if check_ids and pids is not None and np.unique(pids).shape[0] != pids.shape[0]:
        issues.append(Issue("duplicate_program_id", "program ids are not unique"))
    return issues, applicants


def ensure_valid(problem: Problem, *, check_ids: bool = True) -> None:
    """Raise :class:`InvalidProblem` listing every issue, if any."""
    issues = check_inputs(problem, check_ids=check_ids)
    if issues:
        raise InvalidProblem(issues)


def _check_shapes(problem: Problem) -> list[Issue]:
    issues: list[Issue] = []
    offsets, n_wishes = problem.offsets, problem.n_wishes
    if offsets.ndim != 1 or offsets.shape[0] < 1:
        return [Issue("offsets", "offsets must be a vector of n_candidates + 1 entries")]
    if offsets[0] != 0 or offsets[-1] != n_wishes or bool(np.any(np.diff(offsets) < 0)):
        issues.append(Issue("offsets", "offsets must rise from 0 to the number of wishes"))
    for name in ("score", "rank"):
        if getattr(problem, name).shape != (n_wishes,):
            issues.append(Issue("shape", f"{name} must have one entry per wish"))
    if problem.tiebreaks.ndim != 2 or problem.tiebreaks.shape[1] != n_wishes:
        issues.append(Issue("shape", "tiebreaks must have shape (n_tiebreaks, n_wishes)"))
    if problem.quota.ndim != 1:
        issues.append(Issue("shape", "quota must be a vector with one entry per program"))
    for name, ids, size in (
        ("candidate_ids", problem.candidate_ids, problem.n_candidates),
        ("program_ids", problem.program_ids, problem.n_programs),
    ):
        if ids is not None and ids.shape != (size,):
            issues.append(Issue("shape", f"{name} must have one entry per {name[:-4]}"))
    return issues


@jit
def scan_wishes(
    offsets: I64, program: I32, score: F64, tiebreaks: F64, rank: I32, n_programs: int
) -> tuple[I64, I64]:
    """Per rule of ``WISH_RULES``: (count, first wish index); and applicants per program."""
    found = np.zeros((len(WISH_RULES), 2), np.int64)
    applicants = np.zeros(n_programs, np.int64)
    mark = np.full(n_programs, -1, np.int64)
    for c in range(offsets.shape[0] - 1):
        for w in range(offsets[c], offsets[c + 1]):
            p = program[w]
            known = 0 <= p < n_programs
            finite_tiebreaks = True
            for j in range(tiebreaks.shape[0]):
                finite_tiebreaks = finite_tiebreaks and np.isfinite(tiebreaks[j, w])
            _flag(found, 0, w, not known)
            _flag(found, 1, w, not np.isfinite(score[w]))
            _flag(found, 2, w, not finite_tiebreaks)
            _flag(found, 3, w, w > offsets[c] and rank[w] <= rank[w - 1])
            if known:
                _flag(found, 4, w, mark[p] == c)
                mark[p] = c
                applicants[p] += 1
    return found, applicants


@jit
def _flag(found: I64, rule: int, w: int, bad: bool) -> None:
    if bad:
        if found[rule, 0] == 0:
            found[rule, 1] = w
        found[rule, 0] += 1
