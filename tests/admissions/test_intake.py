"""The intake: confirmed candidates become learners of the registry, through the submissions'
apply path, once (a re-run writes nothing), and the institution's next learners file recognises
them. The year is the hand-worked one of intake_world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, text

from hemis.admissions.intake import write_intake
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, make_engine
from hemis.errors import NotFound
from hemis.imports.readers import RawTable
from hemis.submissions.importer import ImportOptions, run_import
from tests.admissions import intake_world
from tests.admissions.intake_world import TERM, Scene
from tests.admissions.world import YEAR
from tests.conftest import TestDB

TABLES = ("learner", "learner_status_event", "learner_admission", "audit_entry")


def rows(db: TestDB, sql: str, **params: object) -> list[tuple[Any, ...]]:
    engine = make_engine(db.owner_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def footprint(db: TestDB) -> dict[str, object]:
    """Every row of the tables the intake writes, with (on PostgreSQL) each row version's xmin
    and ctid: an insert, and an update even to the same values, shows as a change."""
    version = "xmin::text || '/' || ctid::text" if db.backend == "postgres" else "rowid"
    out: dict[str, object] = {
        t: sorted(map(str, rows(db, f"SELECT {version}, * FROM {t}"))) for t in TABLES
    }
    out["audit_head"] = rows(db, "SELECT last_seq, last_hash FROM audit_head")
    return out


def intake_rows(db: TestDB, inst: int) -> list[tuple[Any, ...]]:
    return rows(
        db,
        "SELECT l.student_code, l.person_id, l.program_id, l.cohort_year, l.study_mode, "
        "l.funding_source, l.admitted_on, l.status, l.status_date, a.year, r.number, r.kind, "
        "a.offer_id, a.bucket, a.method, a.score_h, a.student_code "
        "FROM learner l JOIN learner_admission a "
        "ON a.institution_id = l.institution_id AND a.learner_id = l.id "
        "JOIN admission_round r ON r.id = a.round_id "
        "WHERE l.institution_id = :i ORDER BY l.student_code",
        i=inst,
    )


def day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_the_confirmed_candidates_become_learners_once(
    db: TestDB, s: HemisSession, engine: Engine, cipher: IdCipher
) -> None:
    sc = intake_world.build(s, cipher)
    intake_world.final_round(s, sc)
    first = write_intake(engine, cipher, YEAR)
    assert [(o.moet_code, o.confirmed, o.pending, o.created, o.linked) for o in first] == [
        ("DHX", 2, 2, 2, 0)
    ]
    # the supplementary round's admission is confirmed and feeds the same intake
    intake_world.supplementary_round(s, sc)
    second = write_intake(engine, cipher, YEAR)
    assert [(o.confirmed, o.pending, o.created) for o in second] == [(3, 1, 1)]
    written = {t.table: (t.inserted, t.written) for t in second[0].tables}
    assert written == {
        "learner": (1, 1),
        "learner_status_event": (1, 1),
        "learner_admission": (1, 1),
    }
    c1, c2, _, c4 = (c.person_id for c in sc.c)
    got = [
        (r[0], r[1], r[2], r[3], r[4], r[5], day(r[6]), r[7], day(r[8]), *r[9:])
        for r in intake_rows(db, sc.inst)
    ]
    x, y = sc.program_x, sc.program_y
    common = ("full_time", "self_funded", TERM, "enrolled", TERM, YEAR)
    assert got == [
        ("DHX-2025-00001", c1, x, YEAR, *common, 1, "regular", sc.x, "", "exam", 2700,
         "DHX-2025-00001"),
        ("DHX-2025-00002", c2, y, YEAR, *common, 1, "regular", sc.y, "", "hsa", 2700,
         "DHX-2025-00002"),
        ("DHX-2025-00003", c4, y, YEAR, *common, 2, "supplementary", sc.y, "", "exam", 1800,
         "DHX-2025-00003"),
    ]  # fmt: skip
    events = rows(
        db,
        "SELECT e.status, e.effective_on FROM learner_status_event e "
        "JOIN learner l ON l.institution_id = e.institution_id AND l.id = e.learner_id "
        "WHERE l.institution_id = :i",
        i=sc.inst,
    )
    assert [(st, day(on)) for st, on in events] == [("enrolled", TERM)] * 3
    audited = rows(
        db,
        "SELECT entity, action, after FROM audit_entry WHERE institution_id = :i "
        "AND entity IN ('learner', 'learner_status_event', 'learner_admission') ORDER BY seq",
        i=sc.inst,
    )
    assert [(e, a) for e, a, _ in audited] == [
        ("learner", "bulk_import"),
        ("learner_status_event", "bulk_import"),
        ("learner_admission", "bulk_import"),
    ] * 2
    assert all(f"admissions_intake:{YEAR}" in str(after) for _, _, after in audited)
    # a re-run writes nothing at all: no row, no row version, no audit entry
    before = footprint(db)
    again = write_intake(engine, cipher, YEAR)
    assert [(o.pending, o.rows_written, o.tables) for o in again] == [(0, 0, [])]
    assert footprint(db) == before


def test_a_candidate_the_institution_submitted_first_is_linked_not_duplicated(
    db: TestDB, s: HemisSession, engine: Engine, cipher: IdCipher
) -> None:
    sc = intake_world.build(s, cipher)
    intake_world.final_round(s, sc)
    first = sc.c[0]
    # the institution reports its new learner (own code) before the intake runs
    learners_file(engine, cipher, sc.inst, [(first, "SV001", "X")])
    (outcome,) = write_intake(engine, cipher, YEAR, institution_id=sc.inst)
    assert (outcome.created, outcome.linked) == (1, 1)
    got = rows(
        db,
        "SELECT l.student_code, a.student_code, a.method FROM learner l "
        "JOIN learner_admission a ON a.institution_id = l.institution_id "
        "AND a.learner_id = l.id WHERE l.institution_id = :i ORDER BY l.student_code",
        i=sc.inst,
    )
    assert got == [("DHX-2025-00001", "DHX-2025-00001", "hsa"), ("SV001", None, "exam")]
    count = rows(db, "SELECT count(*) FROM learner WHERE person_id = :p", p=first.person_id)
    assert count == [(1,)]


def learners_file(
    engine: Engine,
    cipher: IdCipher,
    inst: int,
    learners: list[tuple[Any, str, str]],
    *,
    dry_run: bool = False,
) -> Any:
    """The institution's learners file: (candidate, student code, program code) per row."""
    frame = pl.DataFrame(
        {
            "student_code": [code for _, code, _ in learners],
            "national_id": [c.national_id for c, _, _ in learners],
            "full_name": [name_of(engine, c.person_id) for c, _, _ in learners],
            "date_of_birth": ["2007-01-01"] * len(learners),
            "sex": ["male"] * len(learners),
            "program_code": [program for _, _, program in learners],
            "cohort_year": [str(YEAR)] * len(learners),
            "admitted_on": [TERM.isoformat()] * len(learners),
            "study_mode": ["full_time"] * len(learners),
            "funding_source": ["state_budget"] * len(learners),
            "status": ["enrolled"] * len(learners),
            "status_date": [TERM.isoformat()] * len(learners),
        }
    )
    options = ImportOptions("learners", inst, "test", dry_run=dry_run, as_of=dt.date(YEAR, 12, 31))
    outcome = run_import(engine, cipher, RawTable(frame, "test", header_row=0), options)
    assert not outcome.report.has_errors, outcome.report.issues.to_dicts()
    return outcome


def name_of(engine: Engine, person_id: int) -> str:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return str(
            conn.execute(
                text("SELECT full_name FROM person WHERE id = :p"), {"p": person_id}
            ).scalar_one()
        )


def whole(s: HemisSession, cipher: IdCipher, engine: Engine) -> Scene:
    sc = intake_world.whole_year(s, cipher)
    write_intake(engine, cipher, YEAR)
    return sc


def test_the_next_learners_file_updates_the_intake_learners_under_its_own_codes(
    db: TestDB, s: HemisSession, engine: Engine, cipher: IdCipher
) -> None:
    sc = whole(s, cipher, engine)
    c1, c2, _, c4 = sc.c
    file = [(c1, "SV25-001", "X"), (c2, "SV25-002", "Y"), (c4, "DHX-2025-00003", "Y")]
    dry = learners_file(engine, cipher, sc.inst, file, dry_run=True)
    assert [(t.inserted, t.updated) for t in dry.tables if t.table == "learner"] == [
        (0, 2),
        (0, 3),
    ]
    assert rows(db, "SELECT count(*) FROM learner WHERE student_code LIKE 'SV25%'") == [(0,)]
    outcome = learners_file(engine, cipher, sc.inst, file)
    learner_tables = [
        (t.table, t.inserted, t.updated, t.written) for t in outcome.tables if t.table == "learner"
    ]
    # two learners re-coded to the institution's codes, then all three updated from the file
    # (funding source), none inserted
    assert learner_tables == [("learner", 0, 2, 2), ("learner", 0, 3, 3)]
    got = rows(
        db,
        "SELECT l.person_id, l.student_code, l.funding_source, a.student_code FROM learner l "
        "JOIN learner_admission a ON a.institution_id = l.institution_id "
        "AND a.learner_id = l.id WHERE l.institution_id = :i ORDER BY l.person_id",
        i=sc.inst,
    )
    assert got == [
        (c1.person_id, "SV25-001", "state_budget", "DHX-2025-00001"),
        (c2.person_id, "SV25-002", "state_budget", "DHX-2025-00002"),
        (c4.person_id, "DHX-2025-00003", "state_budget", "DHX-2025-00003"),
    ]
    assert rows(db, "SELECT count(*) FROM learner") == [(3,)]
    # no second 'enrolled' event: the status did not change
    assert rows(db, "SELECT count(*) FROM learner_status_event") == [(3,)]
    # the same file again writes nothing; the intake again writes nothing either
    again = learners_file(engine, cipher, sc.inst, file)
    assert again.rows_written == 0
    assert [o.rows_written for o in write_intake(engine, cipher, YEAR)] == [0]


def test_cross_institution_checks_count_an_intake_learner_once(
    db: TestDB, s: HemisSession, engine: Engine, cipher: IdCipher
) -> None:
    sc = whole(s, cipher, engine)
    c1 = sc.c[0]
    own = learners_file(engine, cipher, sc.inst, [(c1, "SV25-001", "X")], dry_run=True)
    assert "LRN.national_id.elsewhere" not in set(own.report.issues["rule"].to_list())
    # another institution that also reports them enrolled full-time is told so
    other = learners_file(engine, cipher, sc.other, [(c1, "Z-001", "Z")], dry_run=True)
    flagged = other.report.issues.filter(pl.col("rule") == "LRN.national_id.elsewhere")
    assert flagged.height == 1


def test_the_intake_of_an_unknown_year_is_refused(engine: Engine, cipher: IdCipher) -> None:
    with pytest.raises(NotFound):
        write_intake(engine, cipher, 2031)


def test_the_command_line_writes_the_intake_and_refuses_bad_input(
    db: TestDB, s: HemisSession, cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from hemis.admissions.models import AdmissionRound
    from hemis.cli import admissions_intake, admissions_rounds
    from hemis.cli.app import app

    for module in (admissions_intake, admissions_rounds):
        monkeypatch.setattr(module, "settings", lambda: db.settings())
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["admissions", *args])
        return result.exit_code, " ".join(result.output.split())

    sc = intake_world.build(s, cipher)
    intake_world.final_round(s, sc)
    before = footprint(db)
    for args, message in (
        (("intake", "--year", "2025", "--institution", "NOPE"), "No institution with code NOPE"),
        (("intake", "--year", "2031"), "admission_year"),
        (("round", "create", "--year", "2025", "--supplementary", "--confirm-by", "2025-13-01"),
         "Bad date: 2025-13-01"),
    ):  # fmt: skip
        code, out = invoke(*args)
        assert code == 2, out
        assert message in out
        assert "Traceback" not in out
    assert footprint(db) == before
    code, out = invoke("intake", "--year", "2025", "--institution", "DHX")
    assert code == 0, out
    assert "DHX │ 2 │ 2 │ 2 │ 0 │ 6" in out  # confirmed, pending, created, linked, rows written
    code, out = invoke("intake", "--year", "2025")
    assert code == 0, out
    assert "DHX │ 2 │ 0 │ 0 │ 0 │ 0" in out
    code, out = invoke(
        "round", "create", "--year", "2025", "--supplementary", "--confirm-by", "2025-09-20"
    )
    assert code == 0, out
    s.expire_all()
    made = s.query(AdmissionRound).filter_by(kind="supplementary").one()
    assert made.confirm_deadline_at == dt.datetime(2025, 9, 20, 10, tzinfo=dt.UTC)  # 17:00 VN
