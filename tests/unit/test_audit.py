"""Audit log: every personal-data write is recorded; the hash chain detects tampering."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import sessionmaker

from hemis.audit.chain import verify
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from tests import factories
from tests.conftest import TestDB

NATIONAL_ID = "001099012345"


@pytest.fixture
def audited(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> int:
    """Three audited writes: create a person and a learner, then rename the person."""
    with scoped_session(sessions, Scope("user:7", None, role="ministry_admin")) as s:
        inst = factories.institution(s)
        prog = factories.program(s, inst)
        who = factories.person(s, cipher, NATIONAL_ID, "Nguyễn Văn An")
        factories.learner(s, prog, who)
        s.commit()
        who.full_name = "Nguyễn Văn Ân"
        s.commit()
        return who.id


def _entries(engine: Engine) -> list[AuditEntry]:
    with scoped_session(sessionmaker(bind=engine, class_=HemisSession), Scope.system("test")) as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_writes_are_recorded_with_who_what_before_after(engine: Engine, audited: int) -> None:
    entries = _entries(engine)
    assert [(e.action, e.entity) for e in entries] == [
        ("create", "person"),
        ("create", "learner"),
        ("update", "person"),
    ]
    assert {e.actor for e in entries} == {"user:7"}
    update = entries[-1]
    assert update.before == {"full_name": "Nguyễn Văn An", "row_version": 1}
    assert update.after == {"full_name": "Nguyễn Văn Ân", "row_version": 2}
    assert update.entity_id == str(audited)
    assert entries[1].institution_id is not None


def test_before_of_a_column_set_without_being_loaded_is_the_committed_value(
    engine: Engine, sessions: sessionmaker[HemisSession], audited: int
) -> None:
    """An expired attribute (after a rollback, say) is loaded before it is replaced: the
    entry's "before" is what the database held, not None."""
    from hemis.registry.models import Person

    with scoped_session(sessions, Scope("user:8", None, role="ministry_admin")) as s:
        person = s.get(Person, audited)
        assert person is not None
        s.expire(person)
        person.full_name = "Nguyễn Văn Bình"
        s.commit()
    update = _entries(engine)[-1]
    assert update.actor == "user:8"
    assert update.before == {"full_name": "Nguyễn Văn Ân", "row_version": 2}
    assert update.after == {"full_name": "Nguyễn Văn Bình", "row_version": 3}


def test_audit_never_holds_the_national_id(engine: Engine, audited: int) -> None:
    for entry in _entries(engine):
        assert NATIONAL_ID not in repr(entry.before) + repr(entry.after)
        assert "national_id_index" not in (entry.after or {})


def test_intact_chain_verifies(owner_engine: Engine, audited: int) -> None:
    with owner_engine.connect() as conn:
        result = verify(conn)
    assert result.ok, result.problems
    assert result.checked == 3


def _tamper(db: TestDB, engine: Engine, statement: str) -> None:
    """Change the log behind the application's back, as an attacker with table access would."""
    with engine.begin() as conn:
        if db.backend == "postgres":
            conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
        conn.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("UPDATE audit_entry SET actor = 'user:99' WHERE seq = 2", "entry 2: content"),
        ("DELETE FROM audit_entry WHERE seq = 2", "missing"),
        ("DELETE FROM audit_entry WHERE seq = 3", "removed from the end"),
    ],
)
def test_tampering_is_detected(
    db: TestDB, owner_engine: Engine, audited: int, statement: str, expected: str
) -> None:
    _tamper(db, owner_engine, statement)
    with owner_engine.connect() as conn:
        result = verify(conn)
    assert not result.ok
    assert any(expected in problem for problem in result.problems), result.problems


def test_database_refuses_updates_to_the_log(owner_engine: Engine, audited: int) -> None:
    with pytest.raises(Exception, match="append-only"), owner_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'x'"))


def test_cli_verify_exit_codes(db: TestDB, owner_engine: Engine, audited: int) -> None:
    env = {**os.environ, "HEMIS_DATABASE_URL": db.url, "HEMIS_MIGRATION_DATABASE_URL": db.owner_url}
    ok = subprocess.run(
        [sys.executable, "-m", "hemis", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert "3 entries" in ok.stdout
    _tamper(db, owner_engine, "UPDATE audit_entry SET after = NULL WHERE seq = 1")
    bad = subprocess.run(
        [sys.executable, "-m", "hemis", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "entry 1" in bad.stderr


def test_person_rows_store_no_plaintext(engine: Engine, audited: int) -> None:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM person")).one()
    assert NATIONAL_ID.encode() not in b"".join(
        v if isinstance(v, bytes) else str(v).encode() for v in row
    )
