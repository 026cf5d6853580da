"""Differential test against `matching` (daffidwilde/matching), HospitalResident, on instances
with strict preferences: every score distinct, so no tie-break is ever needed."""

from __future__ import annotations

from hypothesis import given, settings
from matching.games import HospitalResident

from hemis.matching import Problem, solve
from tests.matching.strategies import problems


def hospital_resident(problem: Problem) -> dict[str, str | None]:
    """The resident-optimal matching of the `matching` package, by candidate id."""
    resident_prefs: dict[str, list[str]] = {}
    applicants: dict[str, list[tuple[float, str]]] = {}
    for c in range(problem.n_candidates):
        cid = problem.candidate_label(c)
        wishes = range(problem.offsets[c], problem.offsets[c + 1])
        resident_prefs[cid] = [problem.program_label(problem.program[w]) for w in wishes]
        for w in wishes:
            pid = problem.program_label(problem.program[w])
            applicants.setdefault(pid, []).append((-float(problem.score[w]), cid))
    hospital_prefs = {pid: [cid for _, cid in sorted(ranked)] for pid, ranked in applicants.items()}
    capacities = {pid: int(problem.quota[int(pid[1:])]) for pid in hospital_prefs}
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    outcome: dict[str, str | None] = dict.fromkeys(resident_prefs)
    for hospital, residents in game.solve(optimal="resident").items():
        for resident in residents:
            outcome[resident.name] = hospital.name
    return outcome


@settings(max_examples=150, deadline=None)
@given(problem=problems(min_quota=1, min_wishes=1, distinct_scores=True, max_candidates=20))
def test_same_assignment_as_hospital_resident(problem: Problem) -> None:
    expected = hospital_resident(problem)
    for policy in ("group", "strict"):
        result = solve(problem, policy)
        ours = {
            problem.candidate_label(c): (None if p < 0 else problem.program_label(p))
            for c, p in enumerate(result.assigned_program.tolist())
        }
        assert ours == expected
