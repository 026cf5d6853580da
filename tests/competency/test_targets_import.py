"""Program targets through the submission pipeline: a clean file is applied (and a second
submission of it writes nothing), a bad one is refused with rule findings and changes nothing."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.competency.models import ProgramCompetencyTarget
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.submissions.rules import JobStatus
from tests.competency.world import World, rules_of, run, target


def stored(sessions: sessionmaker[HemisSession]) -> set[tuple[int, str, int]]:
    t = ProgramCompetencyTarget
    with scoped_session(sessions, Scope.system("test")) as s:
        rows = s.execute(select(t.program_id, t.competency_code, t.level)).all()
    return {(int(a), str(b), int(c)) for a, b, c in rows}


def test_targets_are_applied_once_and_updated_in_place(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    rows = [target("P1", "1.1", 5), target("P1", "6.3", 4), target("P2", "3.4", "3")]
    first = run(engine, cipher, "competency_targets", rows, scene.a)
    assert first.status is JobStatus.applied, first.report.issues.to_dicts()
    p1, p2 = scene.programs["P1"], scene.programs["P2"]
    assert stored(sessions) == {(p1, "1.1", 5), (p1, "6.3", 4), (p2, "3.4", 3)}
    again = run(engine, cipher, "competency_targets", rows, scene.a)
    assert again.status is JobStatus.applied
    assert again.rows_written == 0
    changed = run(engine, cipher, "competency_targets", [target("P1", "1.1", 6)], scene.a)
    assert [(t.table, t.updated, t.written) for t in changed.tables] == [
        ("program_competency_target", 1, 1)
    ]
    assert (p1, "1.1", 6) in stored(sessions)
    assert (p1, "6.3", 4) in stored(sessions)  # absent from the file: kept


def test_bad_targets_are_refused_with_rule_ids_and_nothing_is_applied(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    rows = [
        target("P1", "1.1", 5),  # clean, but the file has errors: not applied either
        target("B1", "1.1", 5),  # another institution's program
        target("P1", "7.1", 5),  # no such competency
        target("P2", "2.5", 9),  # level outside 1–8
        target("P2", "2.6", 0),
        target("P1", "1.1", 4),  # the same (program, competency) twice
    ]
    outcome = run(engine, cipher, "competency_targets", rows, scene.a)
    assert outcome.status is JobStatus.rejected
    assert rules_of(outcome) == {
        "CTG.program_code.exists",
        "CTG.competency_code.code",
        "CTG.target_level.range",
        "CTG.key.duplicate",
    }
    issues = {(i["row"], i["rule"]) for i in outcome.report.issues.to_dicts()}
    # (a batch's rows are numbered from 1)
    assert issues == {
        (2, "CTG.program_code.exists"),
        (3, "CTG.competency_code.code"),
        (4, "CTG.target_level.range"),
        (5, "CTG.target_level.range"),
        (6, "CTG.key.duplicate"),
    }
    messages = outcome.report.issues.filter(outcome.report.issues["rule"] == "CTG.key.duplicate")
    assert messages["message"][0] == ("Trùng khóa (program_code, competency_code) với dòng 1.")
    assert stored(sessions) == set()
