"""The large-file path on PostgreSQL: with the owner role (which may COPY into tenant tables and
skip the per-row foreign-key triggers after locking what the rows refer to), new rows are copied
straight into the registry. The threshold is lowered so a handful of rows takes that path; what
lands must be exactly what the ordinary path writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text

from hemis.common.crypto import IdCipher
from hemis.db.session import make_engine, make_session_factory
from hemis.submissions import apply
from hemis.submissions.rules import JobStatus
from hemis.submissions.workspace import Workspace
from tests.conftest import _pg_conninfo, _pg_url
from tests.submissions.world import World, learner, rows_of, run, seed, written

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(pg_db: Any) -> Any:  # PostgreSQL only: SQLite has no COPY
    return pg_db


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threshold at one row; returns the tables that rows were copied into."""
    monkeypatch.setattr(apply, "FAST_MIN_ROWS", 1)
    copied: list[str] = []
    original = Workspace.copy_rows

    def spy(self: Workspace, table: str, *args: Any, **kwargs: Any) -> bool:
        done = original(self, table, *args, **kwargs)
        if done:
            copied.append(table)
        return done

    monkeypatch.setattr(Workspace, "copy_rows", spy)
    return copied


# Every column but those that depend on allocated ids, on the time, or on a random nonce.
_LEARNER = "to_jsonb(l) - 'id' - 'person_id' - 'created_at' - 'updated_at'"
_STAFF = "to_jsonb(t) - 'id' - 'person_id' - 'created_at' - 'updated_at'"
_PERSON = "to_jsonb(p) - 'id' - 'national_id_enc' - 'created_at' - 'updated_at'"


def registry(engine: Engine, institution_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """An institution's learners and staff with their persons, and its status events: every
    column, with nothing that depends on which ids were allocated."""
    params = {"iid": institution_id}

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(text(sql), params)]

    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")  # all rows
        return {
            "learner": rows(
                f"SELECT {_LEARNER}, {_PERSON}, p.national_id_enc FROM learner l "
                "JOIN person p ON p.id = l.person_id WHERE l.institution_id = :iid "
                "ORDER BY l.student_code"
            ),
            "staff": rows(
                f"SELECT {_STAFF}, {_PERSON}, p.national_id_enc FROM staff t "
                "JOIN person p ON p.id = t.person_id WHERE t.institution_id = :iid "
                "ORDER BY t.staff_code"
            ),
            "event": rows(
                "SELECT l.student_code, e.status, e.effective_on, e.reason FROM "
                "learner_status_event e JOIN learner l ON l.institution_id = e.institution_id "
                "AND l.id = e.learner_id WHERE e.institution_id = :iid ORDER BY 1, 3, 2"
            ),
        }


def comparable(
    found: dict[str, list[tuple[Any, ...]]], cipher: IdCipher
) -> dict[str, list[tuple[Any, ...]]]:
    """The national IDs decrypted (their ciphertexts differ by nonce, their clear text not)."""
    out = dict(found)
    for table in ("learner", "staff"):
        out[table] = [(*r[:-1], cipher.decrypt(bytes(r[-1]))) for r in found[table]]
    return out


@pytest.fixture
def twin(pg_template: str, cipher: IdCipher) -> Iterator[tuple[Engine, World]]:
    """A second database like the test's own, with the same scenery: the application role's
    engine on it."""
    name = f"hemis_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    app = make_engine(_pg_url(name, "hemis_app"))
    try:
        yield app, seed(make_session_factory(app), cipher)
    finally:
        app.dispose()
        with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def same_as_ordinary(
    first: Any,
    owner_engine: Engine,
    cipher: IdCipher,
    scene: World,
    twin: tuple[Engine, World],
    entity: str,
    rows: list[dict[str, Any]],
) -> dict[str, list[tuple[Any, ...]]]:
    """The file run on the twin database, where the application role may neither COPY into
    tenant tables nor skip triggers (the ordinary path, whatever the threshold), lands the same
    rows as `first` did on the fast path; returns those rows."""
    app, twin_scene = twin
    ordinary = run(app, cipher, entity, rows, twin_scene.a)
    assert written(ordinary) == written(first)
    copied = comparable(registry(owner_engine, scene.a), cipher)
    assert copied == comparable(registry(app, twin_scene.a), cipher)
    return copied


def test_copied_rows_equal_what_the_ordinary_path_writes(
    owner_engine: Engine,
    cipher: IdCipher,
    scene: World,
    twin: tuple[Engine, World],
    fast: list[str],
) -> None:
    rows = [learner(n) for n in range(1, 9)]
    rows[3] = rows[3] | {"status": "suspended", "status_date": "2024-02-01"}
    rows[5] = rows[5] | {"gpa": "3.45", "credits_earned": "96"}
    rows[6] = rows[6] | {"gpa": "2.675", "credits_earned": "0", "diploma_number": ""}
    first = run(owner_engine, cipher, "learners", rows, scene.a)
    assert first.status is JobStatus.applied
    assert written(first) == {"person": 8, "learner": 8, "learner_status_event": 9}
    assert fast == ["person", "learner", "learner_status_event"]

    copied = same_as_ordinary(first, owner_engine, cipher, scene, twin, "learners", rows)
    assert len(copied["learner"]) == 8

    again = run(owner_engine, cipher, "learners", rows, scene.a)
    assert again.rows_written == 0


def test_new_and_changed_rows_in_one_file(
    owner_engine: Engine, cipher: IdCipher, scene: World, fast: list[str]
) -> None:
    run(owner_engine, cipher, "learners", [learner(n) for n in range(1, 4)], scene.a)
    rows = [learner(n) for n in range(1, 7)]
    rows[0] = rows[0] | {"status": "suspended", "status_date": "2024-02-01"}
    outcome = run(owner_engine, cipher, "learners", rows, scene.a)
    tables = {t.table: t for t in outcome.tables}
    assert (tables["learner"].inserted, tables["learner"].updated) == (3, 1)
    assert written(outcome) == {"person": 3, "learner": 4, "learner_status_event": 4}
    found = registry(owner_engine, scene.a)["learner"]
    statuses = {r[0]["student_code"]: r[0]["status"] for r in found}
    assert statuses["SV00001"] == "suspended"
    assert len(statuses) == 6


def test_a_reference_gone_meanwhile_is_still_refused(
    owner_engine: Engine, cipher: IdCipher, scene: World, fast: list[str]
) -> None:
    """Triggers off means the import's own checks must hold: a learner of a program that does
    not exist never lands, whatever the path."""
    rows = [learner(1), learner(2, program_code="NOPE")]
    outcome = run(owner_engine, cipher, "learners", rows, scene.a)
    assert outcome.status is not JobStatus.applied
    assert registry(owner_engine, scene.a)["learner"] == []


def test_copied_staff_equal_what_the_ordinary_path_writes(
    owner_engine: Engine,
    cipher: IdCipher,
    scene: World,
    twin: tuple[Engine, World],
    fast: list[str],
) -> None:
    """Staff carry the types learners do not (booleans, FTE as numeric, small integers)."""
    rows = rows_of(
        "staff",
        {"staff_code": "S1"},
        {"staff_code": "S2", "national_id": "001185000002", "full_name": "Trần Thị Hai",
         "sex": "female", "date_of_birth": "1985-03-03", "full_time": "false",
         "permanent": "false", "fte": "0.5"},
    )  # fmt: skip
    first = run(owner_engine, cipher, "staff", rows, scene.a)
    assert first.status is JobStatus.applied, first.report.findings[:3]
    assert "staff" in fast
    copied = same_as_ordinary(first, owner_engine, cipher, scene, twin, "staff", rows)
    assert len(copied["staff"]) == 2
    assert run(owner_engine, cipher, "staff", rows, scene.a).rows_written == 0
