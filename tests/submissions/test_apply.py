"""Applying files to the registry: upserts by natural key, idempotence, all-or-nothing, dry runs,
records absent from a full replacement, persons by blind index, status history, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import sessionmaker

from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Learner, LearnerStatusEvent, Person, StaffChange
from hemis.submissions.models import Submission
from hemis.submissions.persons import blind_indexes, encrypt_all
from hemis.submissions.rules import JobStatus
from hemis.submissions.targets import NotApplicable
from tests.submissions.world import World, learner, rows_of, run, written

TABLES = (
    "person",
    "learner",
    "learner_status_event",
    "staff",
    "program",
    "campus",
    "facility",
    "award",
    "revenue",
    "expenditure",
    "audit_entry",
    "submission",
)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES
        }


def stamps(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return list(conn.execute(text("SELECT id, updated_at FROM learner ORDER BY id")))


def test_clean_file_is_applied_and_a_second_time_writes_nothing(
    engine: Engine, cipher: IdCipher, scene: World
) -> None:
    rows = [learner(n) for n in range(1, 6)]
    first = run(engine, cipher, "learners", rows, scene.a)
    assert first.status is JobStatus.applied
    assert written(first) == {"person": 5, "learner": 5, "learner_status_event": 5}
    before, times = counts(engine), stamps(engine)
    again = run(engine, cipher, "learners", rows, scene.a)
    assert again.status is JobStatus.applied
    assert again.rows_written == 0
    assert {t.table: t.unchanged for t in again.tables}["learner"] == 5
    assert counts(engine) == before  # not even an audit entry: nothing was written
    assert stamps(engine) == times


def test_a_changed_row_is_updated_and_its_status_change_recorded(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    rows = [learner(1), learner(2)]
    run(engine, cipher, "learners", rows, scene.a)
    rows[1] = rows[1] | {"status": "suspended", "status_date": "2024-02-01"}
    outcome = run(engine, cipher, "learners", rows, scene.a)
    assert written(outcome) == {"person": 0, "learner": 1, "learner_status_event": 1}
    with scoped_session(sessions, Scope.system("test")) as s:
        changed = s.scalars(select(Learner).where(Learner.student_code == "SV00002")).one()
        assert (changed.status, str(changed.status_date)) == ("suspended", "2024-02-01")
        history = s.scalars(
            select(LearnerStatusEvent.status)
            .where(LearnerStatusEvent.learner_id == changed.id)
            .order_by(LearnerStatusEvent.effective_on)
        ).all()
        assert history == ["enrolled", "suspended"]


def test_any_error_applies_nothing(engine: Engine, cipher: IdCipher, scene: World) -> None:
    before = counts(engine)
    rows = [learner(n) for n in range(1, 50)] + [learner(50, program_code="NOPE")]
    outcome = run(engine, cipher, "learners", rows, scene.a)
    assert outcome.status is JobStatus.rejected
    assert outcome.report.errors == 1
    assert outcome.tables == []
    assert counts(engine) == before


def test_dry_run_counts_what_would_change_and_writes_nothing(
    engine: Engine, cipher: IdCipher, scene: World
) -> None:
    before = counts(engine)
    outcome = run(engine, cipher, "learners", [learner(1), learner(2)], scene.a, dry_run=True)
    assert outcome.status is JobStatus.checked
    assert {t.table: t.inserted for t in outcome.tables} == {
        "person": 2,
        "learner": 2,
        "learner_status_event": 2,
    }
    assert outcome.rows_written == 0
    assert counts(engine) == before


def test_records_absent_from_a_full_replacement_are_listed_not_deleted(
    engine: Engine, cipher: IdCipher, scene: World
) -> None:
    run(engine, cipher, "learners", [learner(n) for n in range(1, 4)], scene.a)
    outcome = run(engine, cipher, "learners", [learner(1)], scene.a, full_replacement=True)
    table = next(t for t in outcome.tables if t.table == "learner")
    assert (table.absent, table.absent_keys) == (2, ["SV00002", "SV00003"])
    assert counts(engine)["learner"] == 4  # three of A, one of B


def test_persons_are_found_by_blind_index_and_new_ids_encrypted(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    from tests.submissions.world import OTHER_LEARNER_NID

    other = learner(7, national_id=OTHER_LEARNER_NID, sex="female", full_name="Lê Thị Khác")
    other["date_of_birth"] = "2004-05-05"
    outcome = run(engine, cipher, "learners", [learner(1), other], scene.a)
    assert written(outcome)["person"] == 1  # the other institution's learner is the same person
    with scoped_session(sessions, Scope.system("test")) as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 3  # + B's two
        mine = s.scalars(
            select(Person).where(
                Person.national_id_index == cipher.blind_index(learner(1)["national_id"])
            )
        ).one()
        assert cipher.decrypt(mine.national_id_enc) == learner(1)["national_id"]
        assert mine.name_folded == "nguyen van hoc 1"


def test_fast_blind_index_and_encryption_match_the_cipher(cipher: IdCipher) -> None:
    ids = ["001204000001", "079305000002"]
    assert blind_indexes(cipher, ids) == [cipher.blind_index(i) for i in ids]
    assert [cipher.decrypt(b) for b in encrypt_all(cipher, ids)] == ids


def test_each_applied_table_gets_one_audit_entry_with_a_digest(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    run(engine, cipher, "learners", [learner(1), learner(2)], scene.a, source="l.csv")
    with scoped_session(sessions, Scope.system("test")) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "bulk_import")).all()
        assert {e.entity: e.after["rows"] for e in entries if e.after} == {
            "person": 2,
            "learner": 2,
            "learner_status_event": 2,
        }
        assert all(len(e.after["sha256"]) == 64 for e in entries if e.after)
        sub = s.scalars(select(Submission)).one()
        assert (sub.status, sub.version, sub.institution_id) == ("draft", 1, scene.a)


@pytest.mark.parametrize(
    ("entity", "rows", "tables"),
    [
        ("campuses", rows_of("campuses", {"code": "C2", "is_main": "false"}), {"campus": 1}),
        ("facilities", rows_of("facilities"), {"facility": 1}),
        ("programs", rows_of("programs", {"code": "P9"}), {"program": 1}),
        ("staff", rows_of("staff"), {"person": 1, "staff": 1}),
        (
            "finances",
            rows_of(
                "finances",
                {},
                {"kind": "expenditure", "source": "", "activity": "", "category": "salaries"},
            ),
            {"revenue": 1, "expenditure": 1},
        ),
    ],
)
def test_other_entities_upsert_once(
    engine: Engine,
    cipher: IdCipher,
    scene: World,
    entity: str,
    rows: list[dict[str, str]],
    tables: dict[str, int],
) -> None:
    first = run(engine, cipher, entity, rows, scene.a)
    assert first.status is JobStatus.applied, first.report.issues.to_dicts()
    assert {k: v for k, v in written(first).items() if v} == tables
    assert run(engine, cipher, entity, rows, scene.a).rows_written == 0


def test_events_and_awards_refer_to_applied_learners(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    run(engine, cipher, "learners", [learner(1)], scene.a)
    event = {"student_code": "SV00001", "status": "graduated", "effective_on": "2025-06-30"}
    outcome = run(engine, cipher, "learner_status_events", [event | {"reason": "QĐ 1"}], scene.a)
    assert written(outcome) == {"learner_status_event": 1, "learner": 1}
    award = {"student_code": "SV00001", "diploma_number": "VB1", "awarded_on": "2025-07-01"}
    assert written(
        run(engine, cipher, "awards", [award | {"classification": "good"}], scene.a)
    ) == {"award": 1}
    with scoped_session(sessions, Scope.system("test")) as s:
        graduated = select(Learner.status).where(Learner.student_code == "SV00001")
        assert s.scalars(graduated).one() == "graduated"


def test_assets_cannot_be_applied_yet(engine: Engine, cipher: IdCipher, scene: World) -> None:
    with pytest.raises(NotApplicable):
        run(engine, cipher, "assets", rows_of("assets"), scene.a)
    assert (
        run(engine, cipher, "assets", rows_of("assets"), scene.a, dry_run=True).report.errors == 0
    )


def test_results_and_graduation_of_the_learners_file_are_kept(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    graduate = learner(
        2,
        status="graduated",
        status_date="2025-06-30",
        graduated_on="2025-06-30",
        diploma_number="VB-2025-0002",
        gpa="3.456",
        credits_earned="130",
    )
    rows = [learner(1), graduate]
    assert run(engine, cipher, "learners", rows, scene.a).status is JobStatus.applied
    with scoped_session(sessions, Scope.system("test")) as s:
        stored = {
            x.student_code: (x.gpa, x.credits_earned, x.graduated_on, x.diploma_number)
            for x in s.scalars(select(Learner).where(Learner.institution_id == scene.a))
        }
    assert stored["SV00001"] == (3.2, 45, None, None)
    assert stored["SV00002"] == (3.46, 130, dt.date(2025, 6, 30), "VB-2025-0002")
    # Kept at two decimals; the same file again compares equal and writes nothing.
    assert run(engine, cipher, "learners", rows, scene.a).rows_written == 0


def test_a_staff_change_by_file_is_kept_in_the_history(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    rows = rows_of("staff", {"staff_code": "S1"})
    run(engine, cipher, "staff", rows, scene.a)
    rows[0] = rows[0] | {"position": "manager", "permanent": "false"}
    outcome = run(engine, cipher, "staff", rows, scene.a)
    assert written(outcome) == {"person": 0, "staff": 1, "staff_change": 1}
    with scoped_session(sessions, Scope.system("test")) as s:
        changes = s.scalars(select(StaffChange).where(StaffChange.institution_id == scene.a)).all()
    assert [(c.before, c.after, c.effective_on) for c in changes] == [
        (
            {"position": "lecturer", "permanent": True},
            {"position": "manager", "permanent": False},
            dt.date(2025, 12, 31),
        )
    ]
    # The first load and an unchanged file leave no history entry.
    assert run(engine, cipher, "staff", rows, scene.a).rows_written == 0
