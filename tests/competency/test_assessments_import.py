"""Learners' assessed levels through the submission pipeline: long and wide files, sittings
stored one row each, a learner's rows on a date replacing that date, re-submission writing
nothing, the bad inputs of the issue refused with rule IDs (nothing applied), the profile
(latest level per competency with history) and the sign-off snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.models import User
from hemis.common.crypto import IdCipher
from hemis.competency.models import CompetencyAssessment
from hemis.competency.profile import learner_profile
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.submissions import service
from hemis.submissions.rules import JobStatus
from hemis.submissions.schemas import SignOffBody
from tests.competency.world import World, assessed, rules_of, run

A = CompetencyAssessment


def sittings(sessions: sessionmaker[HemisSession]) -> dict[tuple[int, str, str, str], str]:
    with scoped_session(sessions, Scope.system("test")) as s:
        rows = s.execute(select(A.learner_id, A.assessed_on, A.method, A.evidence_ref, A.levels))
        return {(int(who), d.isoformat(), m, e): lv for who, d, m, e, lv in rows}


def levels(**at: int) -> str:
    """The stored levels string: `at` maps positions (p1 … p24) to levels."""
    chars = ["0"] * 24
    for name, level in at.items():
        chars[int(name[1:]) - 1] = str(level)
    return "".join(chars)


def test_long_rows_become_sittings_and_a_resubmission_writes_nothing(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    rows = [
        assessed("SV1", "1.1", 4),
        assessed("SV1", "3.4", 5),  # position 13
        assessed("SV1", "6.1", 3, method="certificate", evidence="CC-77"),  # position 22
        assessed("SV2", "1.1", 2, on="2024-05-02", evidence=""),
    ]
    first = run(engine, cipher, "digital_competencies", rows, scene.a)
    assert first.status is JobStatus.applied, first.report.issues.to_dicts()
    sv1, sv2 = scene.learners["SV1"], scene.learners["SV2"]
    assert sittings(sessions) == {
        (sv1, "2025-06-01", "exam", "KT-2025-01"): levels(p1=4, p13=5),
        (sv1, "2025-06-01", "certificate", "CC-77"): levels(p22=3),
        (sv2, "2024-05-02", "exam", ""): levels(p1=2),
    }
    again = run(engine, cipher, "digital_competencies", list(reversed(rows)), scene.a)
    assert again.status is JobStatus.applied
    assert again.rows_written == 0


def test_a_learners_rows_on_a_date_replace_that_date_only(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    sv1 = scene.learners["SV1"]
    run(
        engine,
        cipher,
        "digital_competencies",
        [
            assessed("SV1", "1.1", 4),
            assessed("SV1", "6.1", 3, method="certificate", evidence="CC-77"),
            assessed("SV1", "1.1", 2, on="2024-01-10"),
        ],
        scene.a,
    )
    again = run(engine, cipher, "digital_competencies", [assessed("SV1", "1.1", 5)], scene.a)
    tables = {(t.table, t.updated, t.deleted, t.written) for t in again.tables}
    assert tables == {("competency_assessment", 1, 0, 1), ("competency_assessment", 0, 1, 1)}
    assert sittings(sessions) == {
        (sv1, "2025-06-01", "exam", "KT-2025-01"): levels(p1=5),
        (sv1, "2024-01-10", "exam", "KT-2025-01"): levels(p1=2),
    }


def test_the_wide_file_stores_the_same_sittings(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    row = {
        "student_code": "SV3",
        "assessed_on": "15/06/2025",
        "method": "coursework",
        "evidence_ref": "HP-TH101",
        "level_1_1": "3",
        "level_6_3": "6",
    }
    outcome = run(engine, cipher, "digital_competencies_wide", [row], scene.a)
    assert outcome.status is JobStatus.applied, outcome.report.issues.to_dicts()
    assert sittings(sessions) == {
        (scene.learners["SV3"], "2025-06-15", "coursework", "HP-TH101"): levels(p1=3, p24=6)
    }


def test_the_bad_inputs_are_refused_with_rule_ids_and_nothing_is_applied(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    rows = [
        assessed("SV1", "1.1", 4),  # clean: not applied either
        assessed("SV1", "7.2", 4),  # unknown competency code
        assessed("SV1", "1.2", 9),  # level outside 1–8
        assessed("SV1", "1.3", 0),
        assessed("SV2", "1.1", 4, on="2026-01-05"),  # after the reference date 31/12/2025
        assessed("SV2", "1.2", 4, on="2023-09-01"),  # before admission on 05/09/2023
        assessed("B-SV1", "1.1", 4),  # a learner of another institution
        assessed("SV1", "1.1", 5, method="coursework"),  # (SV1, 1.1, 2025-06-01) again
    ]
    outcome = run(engine, cipher, "digital_competencies", rows, scene.a)
    assert outcome.status is JobStatus.rejected
    found = {(i["row"], i["rule"]) for i in outcome.report.issues.to_dicts()}
    assert found == {
        (2, "DCP.competency_code.code"),
        (3, "DCP.level.range"),
        (4, "DCP.level.range"),
        (5, "DCP.assessed_on.future"),
        (6, "DCP.assessed_on.enrolment"),
        (7, "DCP.student_code.exists"),
        (8, "DCP.key.duplicate"),
    }
    by_rule = {i["rule"]: i for i in outcome.report.issues.to_dicts()}
    assert by_rule["DCP.assessed_on.enrolment"]["message"] == (
        "Ngày đánh giá trước ngày nhập học của người học (05/09/2023)."
    )
    assert by_rule["DCP.assessed_on.enrolment"]["message_en"] == (
        "Assessed before the learner was admitted (05/09/2023)."
    )
    assert by_rule["DCP.key.duplicate"]["message"] == (
        "Trùng khóa (student_code, competency_code, assessed_on) với dòng 1."
    )
    assert sittings(sessions) == {}
    wide = run(
        engine,
        cipher,
        "digital_competencies_wide",
        [
            {"student_code": "SV3", "assessed_on": "2025-06-15", "method": "exam"},
            {
                "student_code": "SV3",
                "assessed_on": "2025-06-15",
                "method": "exam",
                "level_2_1": "12",
            },
        ],
        scene.a,
    )
    assert rules_of(wide) == {
        "DCW.student_code.no_level",
        "DCW.level_2_1.range",
        "DCW.key.duplicate",
    }
    assert sittings(sessions) == {}


def test_profile_is_the_latest_level_per_competency_with_history(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    run(
        engine,
        cipher,
        "competency_targets",
        [{"program_code": "P1", "competency_code": c, "target_level": "4"} for c in ("1.1", "3.4")],
        scene.a,
    )
    run(
        engine,
        cipher,
        "digital_competencies",
        [
            assessed("SV1", "1.1", 2, on="2024-01-10"),
            assessed("SV1", "1.1", 5, on="2025-06-01"),
            assessed("SV1", "3.4", 3, on="2024-01-10"),
            assessed("SV1", "6.2", 2, on="2025-06-01"),
        ],
        scene.a,
    )
    with scoped_session(sessions, Scope("user:1", scene.a, role="institution_officer")) as s:
        profile = learner_profile(s, scene.a, scene.learners["SV1"])
    by_code = {item.competency.code: item for item in profile.items}
    assert len(profile.items) == 24
    one = by_code["1.1"]
    assert [(h.level, h.assessed_on.isoformat()) for h in one.history] == [
        (5, "2025-06-01"),
        (2, "2024-01-10"),
    ]
    assert (one.latest and one.latest.level_code, one.target, one.met, one.gap) == (
        "NC1",
        4,
        True,
        0,
    )
    prog = by_code["3.4"]
    assert (prog.latest and prog.latest.level, prog.met, prog.gap) == (3, False, 1)
    assert (by_code["6.2"].target, by_code["6.2"].met) == (None, None)
    assert by_code["2.1"].latest is None
    assert profile.met_count == 1
    assert [s.competency.code for s in profile.assessed] == ["1.1", "3.4", "6.2"]


@contextmanager
def head_of(sessions: sessionmaker[HemisSession], iid: int) -> Iterator[HemisSession]:
    with scoped_session(sessions, Scope.system("test")) as s:
        user = s.scalar(select(User.id).where(User.institution_id == iid, User.signatory))
    with scoped_session(sessions, Scope(f"user:{user}", iid, role="institution_officer")) as s:
        yield s


def test_assessments_are_frozen_in_the_signed_snapshot(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    outcome = run(
        engine,
        cipher,
        "digital_competencies",
        [assessed("SV1", "1.1", 4), assessed("SV2", "1.1", 3, on="2024-05-02")],
        scene.a,
    )
    assert outcome.submission_id is not None
    with head_of(sessions, scene.a) as s:
        service.validate_submission(s, outcome.submission_id)
        signed = service.sign_off(
            s,
            outcome.submission_id,
            SignOffBody(head_name="Nguyễn Văn Hiệu", head_title="Hiệu trưởng", confirm=True),
        )
    assert signed.status == "submitted"
    assert signed.stats is not None
    assert signed.stats["rows"]["digital_competencies"] == 2
