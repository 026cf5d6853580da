"""The national virtual filtering, computed exactly: candidate-proposing deferred acceptance.

Pure: numpy and numba only (``io`` adds polars for the audit CLI); no database, no web.

Priority of a program over the candidates who wish it, best first:

1. admission score, higher first;
2. the tie-break columns in order, higher first;
3. wish rank, smaller first (who ranked the program higher) — unless the problem sets
   ``rank_breaks_ties=False`` (admissions do: the wish order is then a tie-break column where an
   offer chose it, Circular 08/2022 Art. 20(3), and nowhere else);
4. the tie policy: ``strict`` orders what is still tied by candidate id, compared as strings
   (smaller first); ``group`` never separates candidates equal on 1–3 (a *tie group*).

Under ``group`` a program holds, of the candidates proposing to it, the *minimal prefix* of its
priority order that covers the quota without splitting a tie group: it rejects exactly those
strictly worse than the tie group of the quota-th held candidate. If that whole group does not
fit, all of it is admitted and the excess is reported as ``Result.overflow``; the published
cutoff is one score. This choice is substitutable and ignores rejected candidates, so deferred
acceptance reaches the same candidate-optimal stable assignment in any proposal order, and the
reference implementation in ``tests/matching`` uses this definition verbatim. Under ``strict``
every program order is strict and this is the textbook college-admissions problem.

Public operations, kept apart as in ``matching.games.HospitalResident``: :func:`check_inputs`
(or :func:`ensure_valid`, which raises), :func:`solve`, :func:`solve_rounds` (the ministry's
round-by-round filtering, which converges to the same result), :func:`check_validity`,
:func:`check_stability` and :func:`explain`.
"""

from hemis.matching.engine import solve, solve_rounds
from hemis.matching.problem import InvalidProblem, Issue, Problem, check_inputs, ensure_valid
from hemis.matching.result import TIE_POLICIES, ExplanationRow, Result, TiePolicy, explain
from hemis.matching.verify import BlockingPair, check_stability, check_validity

__all__ = [
    "TIE_POLICIES",
    "BlockingPair",
    "ExplanationRow",
    "InvalidProblem",
    "Issue",
    "Problem",
    "Result",
    "TiePolicy",
    "check_inputs",
    "check_stability",
    "check_validity",
    "ensure_valid",
    "explain",
    "solve",
    "solve_rounds",
]
