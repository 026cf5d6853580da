"""The lifecycle of a submission: draft → validated → submitted → accepted or returned, warnings
answered (explanations, override requests decided by the ministry), the head's sign-off freezing a
hashed snapshot, a correction opening a new version with a diff, and the ministry's overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.models import User
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import Forbidden, NotFound, ValidationFailed
from hemis.registry.models import ReportingPeriod
from hemis.submissions import queries, service, snapshot
from hemis.submissions.rules import AnswerKind, LifecycleError
from hemis.submissions.schemas import AnswerCreate, Decision, ReviewBody, SignOffBody
from tests.conftest import TestDB
from tests.submissions.world import OTHER_LEARNER_NID, World, learner, run

WARNED = learner(
    9,
    national_id=OTHER_LEARNER_NID,
    sex="female",
    date_of_birth="2004-05-05",
    full_name="Lê Thị Khác",
)
RULE = "LRN.national_id.elsewhere"
SIGN = SignOffBody(head_name="Nguyễn Văn Hiệu", head_title="Hiệu trưởng", confirm=True)


@contextmanager
def officer(
    sessions: sessionmaker[HemisSession], iid: int, *, head: bool = True
) -> Iterator[HemisSession]:
    """An officer of the institution: its signatory (the head), or another officer."""
    with scoped_session(sessions, Scope.system("test")) as s:
        user = s.scalar(select(User.id).where(User.institution_id == iid, User.signatory.is_(head)))
    with scoped_session(sessions, Scope(f"user:{user}", iid, role="institution_officer")) as s:
        yield s


@contextmanager
def ministry(sessions: sessionmaker[HemisSession]) -> Iterator[HemisSession]:
    with scoped_session(sessions, Scope("user:9", None, role="ministry_admin")) as s:
        yield s


def submission_id(
    engine: Engine, cipher: IdCipher, scene: World, rows: list[dict[str, str]]
) -> int:
    outcome = run(engine, cipher, "learners", rows, scene.a)
    assert outcome.submission_id is not None, outcome.report.issues.to_dicts()
    return outcome.submission_id


def test_full_lifecycle_with_an_override(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    sid = submission_id(engine, cipher, scene, [learner(1), WARNED])
    with officer(sessions, scene.a) as s:
        with pytest.raises(LifecycleError) as refused:
            service.validate_submission(s, sid)
        assert refused.value.code == "submission.unanswered_warnings"
        assert refused.value.details == [{"entity": "learners", "rule": RULE, "rows": 1}]
        body = AnswerCreate(
            entity="learners", rule=RULE, kind=AnswerKind.override, text="Song ngành"
        )
        assert service.answer_warning(s, sid, body).status == "pending"
        assert service.validate_submission(s, sid).status == "validated"
        with pytest.raises(ValidationFailed):
            service.sign_off(s, sid, SIGN.model_copy(update={"confirm": False}))
        signed = service.sign_off(s, sid, SIGN)
        assert signed.status == "submitted"
        assert signed.snapshot_sha256 is not None
        assert signed.stats is not None
        assert signed.stats["rows"]["learners"] == 2
        with pytest.raises(Forbidden):
            service.accept(s, sid, ReviewBody())  # officers do not accept their own data
    with ministry(sessions) as m:
        with pytest.raises(LifecycleError) as blocked:
            service.accept(m, sid, ReviewBody())
        assert blocked.value.code == "submission.open_overrides"
        answer = service.answers_of(m, sid)[0]
        assert service.decide(m, answer.id, Decision(approve=False, comment="Không")).status == (
            "rejected"
        )
        with pytest.raises(LifecycleError):
            service.decide(m, answer.id, Decision(approve=True))  # decided already
        with pytest.raises(ValidationFailed):
            service.return_submission(m, sid, ReviewBody(comment=" "))
        returned = service.return_submission(m, sid, ReviewBody(comment="Giải trình lại"))
        assert (returned.status, returned.review_comment) == ("returned", "Giải trình lại")
    with officer(sessions, scene.a) as s:
        with pytest.raises(LifecycleError):
            service.sign_off(s, sid, SIGN)  # returned: validate first
        body = AnswerCreate(
            entity="learners", rule=RULE, kind=AnswerKind.explanation, text="Đã xác minh"
        )
        assert service.answer_warning(s, sid, body).status == "noted"
        service.validate_submission(s, sid)
        service.sign_off(s, sid, SIGN)
    with ministry(sessions) as m:
        accepted = service.accept(m, sid, ReviewBody(comment="Đạt"))
        assert accepted.status == "accepted"


def test_illegal_transitions_are_refused_with_clear_errors(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    sid = submission_id(engine, cipher, scene, [learner(1)])
    with ministry(sessions) as m:
        with pytest.raises(LifecycleError) as refused:
            service.accept(m, sid, ReviewBody())
        assert refused.value.status == 409
        assert "Cannot accept a submission that is 'Draft'" in refused.value.message_en
        assert refused.value.message_vi.startswith("Không thể chấp nhận")
        with pytest.raises(LifecycleError):
            service.return_submission(m, sid, ReviewBody(comment="x"))
        with pytest.raises(Forbidden):
            service.validate_submission(m, sid)  # the institution's own step
    with officer(sessions, scene.a) as s:
        with pytest.raises(LifecycleError):
            service.sign_off(s, sid, SIGN)  # not validated yet
        service.validate_submission(s, sid)
        service.sign_off(s, sid, SIGN)
    # While the ministry reviews, no import lands in the submission.
    with pytest.raises(LifecycleError):
        run(engine, cipher, "learners", [learner(1), learner(2)], scene.a)


def test_officers_see_and_act_on_their_own_submissions_only(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    sid = submission_id(engine, cipher, scene, [learner(1)])
    with officer(sessions, scene.b) as other:
        with pytest.raises(NotFound):
            service.get_submission(other, sid)
        with pytest.raises(NotFound):
            service.validate_submission(other, sid)
        assert queries.submissions(other) == []


def test_snapshot_is_stable_and_a_correction_makes_a_new_version_with_a_diff(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    first = submission_id(engine, cipher, scene, [learner(1), learner(2), learner(3)])
    with officer(sessions, scene.a) as s:
        service.validate_submission(s, first)
        frozen = service.sign_off(s, first, SIGN).snapshot_sha256
        assert snapshot.freeze(s)[0] == frozen  # the same data hashes the same
    with ministry(sessions) as m:
        service.accept(m, first, ReviewBody())
    corrected = [learner(1), learner(2, status="withdrawn", status_date="2025-01-10"), learner(4)]
    second = submission_id(engine, cipher, scene, corrected)
    assert second != first
    with officer(sessions, scene.a) as s:
        sub = service.get_submission(s, second)
        assert (sub.version, sub.previous_id, sub.status) == (2, first, "draft")
        service.validate_submission(s, second)
        signed = service.sign_off(s, second, SIGN)
        assert signed.snapshot_sha256 != frozen
        assert signed.diff is not None
        # learner 2 changed, learner 4 added; learner 3 stays in the registry (not removed)
        assert signed.diff["learners"] == {"added": 1, "changed": 1, "removed": 0}
        assert signed.diff["learner_status_events"] == {"added": 2, "changed": 0, "removed": 0}
        assert signed.diff["programs"] == {"added": 0, "changed": 0, "removed": 0}


def test_overview_lists_who_has_not_submitted_and_who_is_late(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    sid = submission_id(engine, cipher, scene, [learner(1)])
    with ministry(sessions) as m:
        period = m.get(ReportingPeriod, scene.period_2025)
        assert period is not None
        view = queries.overview(m, period, today=dt.date(2026, 2, 1))
        assert {r.moet_code for r in view.not_submitted} == {"SUB01", "SUB02"}
        assert view.late == []
        late = queries.overview(m, period, today=dt.date(2026, 4, 1))
        assert {r.moet_code for r in late.late} == {"SUB01", "SUB02"}
    with officer(sessions, scene.a) as s:
        service.validate_submission(s, sid)
        service.sign_off(s, sid, SIGN)
    with ministry(sessions) as m:
        period = m.get(ReportingPeriod, scene.period_2025)
        assert period is not None
        view = queries.overview(m, period, today=dt.date(2026, 4, 1))
        assert {r.moet_code for r in view.not_submitted} == {"SUB02"}
        # A has submitted, but after the period closed (31/3/2026): late all the same
        assert {r.moet_code for r in view.late} == {"SUB01", "SUB02"}
        assert [r.status for r in view.rows] == ["submitted", None]


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_row_level_security_covers_the_submission_tables(
    engine: Engine, cipher: IdCipher, scene: World, db: TestDB
) -> None:
    submission_id(engine, cipher, scene, [learner(1)])
    with psycopg.connect(db.url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for table in ("submission", "submission_job"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        conn.execute("SELECT set_config('hemis.institution_id', %s, false)", (str(scene.b),))
        assert conn.execute("SELECT count(*) FROM submission").fetchone() == (0,)
        conn.execute("SELECT set_config('hemis.institution_id', %s, false)", (str(scene.a),))
        assert conn.execute("SELECT count(*) FROM submission").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO submission_answer (institution_id, id, submission_id, entity, rule, "
                "row_count, kind, text, status, requested_by, created_at, updated_at) VALUES "
                "(%s, 99, 1, 'learners', 'x', 0, 'explanation', 'x', 'noted', 'x', now(), now())",
                (scene.b,),
            )


def test_only_the_institutions_signatory_signs_off(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    sid = submission_id(engine, cipher, scene, [learner(1)])
    with officer(sessions, scene.a, head=False) as s:
        service.validate_submission(s, sid)  # any officer prepares the submission
        with pytest.raises(Forbidden) as refused:
            service.sign_off(s, sid, SIGN)
        assert "head of the institution" in refused.value.message_en
    with scoped_session(sessions, Scope.system("test")) as s:
        head_b = s.scalar(select(User.id).where(User.institution_id == scene.b, User.signatory))
    # B's head, even acting in A's scope, is not A's signatory.
    as_b_head = Scope(f"user:{head_b}", scene.a, role="institution_officer")
    with scoped_session(sessions, as_b_head) as s, pytest.raises(Forbidden):
        service.sign_off(s, sid, SIGN)
    with officer(sessions, scene.a) as s:
        assert service.sign_off(s, sid, SIGN).status == "submitted"
