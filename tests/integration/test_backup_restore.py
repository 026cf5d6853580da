"""The backup drill, on SQLite and PostgreSQL: back up, write more, restore into a fresh empty
database; there the audit chain and the exchange log verify (`hemis audit verify`, `hemis
exchange verify` as real processes) and every table holds the rows it held at backup time, not
the later writes. A non-empty target, a missing or corrupt backup or manifest are refused with
exit code 2 and a clear message, and change nothing; `--force` puts a used database back to the
backup's state."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, inspect, text
from typer.testing import CliRunner

from hemis.cli.app import app
from hemis.common.crypto import IdCipher
from hemis.config import DEV_EXCHANGE_SIGNING_KEY, get_settings
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.integrations import exchange, signing
from hemis.integrations.exchange import Message
from hemis.integrations.sync import national
from tests import factories
from tests.conftest import TestDB, _pg_conninfo, _pg_url

KEY = signing.private_key(DEV_EXCHANGE_SIGNING_KEY)  # what `hemis exchange verify` checks with


def seed(db: TestDB, cipher: IdCipher, tag: str, people: int) -> None:
    """Audited registry writes (an institution, a program, people and learners) and two signed
    exchange-log messages."""
    engine = make_engine(db.owner_url)
    try:
        with scoped_session(make_session_factory(engine), Scope.system("drill")) as s:
            inst = factories.institution(s, f"BK{tag}")
            prog = factories.program(s, inst)
            for i in range(people):
                who = factories.person(s, cipher, f"0010990{tag}{i:04d}", f"Người Học {tag}{i}")
                factories.learner(s, prog, who)
            s.commit()
        with engine.begin() as conn:
            national(conn)
            exchange.append(conn, [message(f"{tag}{n}") for n in range(2)])
    finally:
        engine.dispose()


def message(n: str) -> Message:
    body = f'{{"n":"{n}"}}'.encode()
    env = signing.sign(KEY, body)
    return Message(
        "insurance", "request", env.message_id, None, "/v1/x", None, "sent", env.timestamp,
        env.signature, True, signing.body_sha256(body), exchange.pack({"n": n}),
    )  # fmt: skip


def counts(db: TestDB) -> dict[str, int]:
    """Every table's row count, read independently of the code under test."""
    engine = make_engine(db.owner_url)
    try:
        names = inspect(engine).get_table_names()
        with engine.begin() as conn:
            national(conn)
            return {n: rows(conn, n) for n in names}
    finally:
        engine.dispose()


def rows(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def hemis(db: TestDB, *args: str) -> tuple[int, str]:
    """`hemis …` in this process against `db`: its exit code and what it printed (stdout and
    stderr, whitespace folded: rich wraps long lines)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HEMIS_ENV", "test")
        env.setenv("HEMIS_DATABASE_URL", db.url)
        env.setenv("HEMIS_MIGRATION_DATABASE_URL", db.owner_url)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, list(args))
        finally:
            get_settings.cache_clear()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback a user would have seen
    return result.exit_code, " ".join(result.output.split())


def processes(db: TestDB, *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """`hemis` commands as real processes against `db`, run side by side."""
    env = os.environ | {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": db.url,
        "HEMIS_MIGRATION_DATABASE_URL": db.owner_url,
        "COLUMNS": "200",
    }
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "hemis", *c],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for c in commands
    ]
    done = []
    for p, c in zip(running, commands, strict=True):
        out, err = p.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(c, p.returncode, out, err))
    return done


@contextmanager
def empty_database(db: TestDB, tmp_path: Path) -> Iterator[TestDB]:
    """A fresh, empty database of the same backend (nothing migrated into it)."""
    if db.backend == "sqlite":
        (tmp_path / "restored").mkdir()
        url = f"sqlite:///{tmp_path / 'restored' / 'hemis.db'}"
        yield TestDB("sqlite", url, url)
        return
    name = f"hemis_r_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield TestDB("postgres", _pg_url(name, "hemis_app"), _pg_url(name))
    finally:
        with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_drill_restores_the_backup_time_state_and_both_chains_verify(
    db: TestDB, cipher: IdCipher, tmp_path: Path
) -> None:
    seed(db, cipher, "1", people=5)
    at_backup = counts(db)
    assert at_backup["audit_entry"] > 0
    assert at_backup["exchange_entry"] == 2
    backup = tmp_path / "hemis.backup"
    code, out = hemis(db, "db", "backup", "--out", str(backup))
    assert code == 0, out
    assert Path(f"{backup}.manifest.json").is_file()

    seed(db, cipher, "2", people=3)  # written after the backup: must not come back
    later = counts(db)
    assert later["learner"] > at_backup["learner"]
    assert later["audit_entry"] > at_backup["audit_entry"]

    with empty_database(db, tmp_path) as target:
        code, out = hemis(target, "db", "restore", "--from", str(backup))
        assert code == 0, out
        assert "row counts match" in out
        assert counts(target) == at_backup
        audit, exchanged = processes(target, ["audit", "verify"], ["exchange", "verify"])
        assert audit.returncode == 0, audit.stderr
        assert f"{at_backup['audit_entry']} entries" in audit.stdout
        assert exchanged.returncode == 0, exchanged.stderr
        assert "2 entries" in exchanged.stdout


def test_refusals_change_nothing_and_force_overwrites(
    db: TestDB, cipher: IdCipher, tmp_path: Path
) -> None:
    seed(db, cipher, "3", people=2)
    at_backup = counts(db)
    backup = tmp_path / "hemis.backup"
    assert hemis(db, "db", "backup", "--out", str(backup))[0] == 0
    seed(db, cipher, "4", people=1)
    before = counts(db)

    code, out = hemis(db, "db", "restore", "--from", str(backup))  # into a non-empty database
    assert code == 2
    assert "không trống" in out
    assert "--force" in out
    assert counts(db) == before

    code, out = hemis(db, "db", "restore", "--from", str(tmp_path / "missing.backup"))
    assert code == 2
    assert "not found" in out

    corrupt = tmp_path / "corrupt.backup"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    manifest = Path(f"{backup}.manifest.json").read_text(encoding="utf-8")
    Path(f"{corrupt}.manifest.json").write_text(manifest, encoding="utf-8")
    broken = tmp_path / "broken-manifest.backup"
    broken.write_bytes(backup.read_bytes())
    Path(f"{broken}.manifest.json").write_text(manifest[: len(manifest) // 2], encoding="utf-8")
    with empty_database(db, tmp_path) as target:
        code, out = hemis(target, "db", "restore", "--from", str(corrupt))
        assert code == 2
        assert "is corrupt or changed" in out
        code, out = hemis(target, "db", "restore", "--from", str(broken))
        assert code == 2
        assert "manifest" in out
        assert "is corrupt" in out
        assert counts(target) == {}
    assert counts(db) == before

    code, out = hemis(db, "db", "backup", "--out", str(tmp_path / "no-such-dir" / "x.backup"))
    assert code == 2
    assert "does not exist" in out
    assert not (tmp_path / "no-such-dir").exists()

    # --force replaces the later writes with the backup's state, and the chain still verifies.
    code, out = hemis(db, "db", "restore", "--force", "--from", str(backup))
    assert code == 0, out
    assert counts(db) == at_backup
    code, out = hemis(db, "audit", "verify")
    assert code == 0, out
