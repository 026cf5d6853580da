"""`hemis synth` into SQLite: determinism, what is stored, the audit trail, --replace."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from hemis.audit.chain import verify
from hemis.audit.models import AuditEntry
from hemis.bulk import BulkLoadError
from hemis.cli.app import app
from hemis.common.crypto import IdCipher
from hemis.config import get_settings
from hemis.db.base import Base, table_of
from hemis.db.session import make_engine
from hemis.registry.rules import national_id_problems
from hemis.synth import REGISTRY_TABLES, Counts, SynthError, load_nation
from tests.conftest import TestDB

SCALE = 0.002


def _copy(template: Path, target: Path) -> TestDB:
    shutil.copyfile(template, target)
    url = f"sqlite:///{target}"
    return TestDB("sqlite", url, url)


def _rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with engine.connect() as conn:
        for name in REGISTRY_TABLES:
            columns = [c for c in Base.metadata.tables[name].c if c.name != "national_id_enc"]
            out[name] = [tuple(r) for r in conn.execute(select(*columns).order_by(*columns))]
    return out


def _bulk_entries(engine: Engine) -> list[tuple[str, object]]:
    entries = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(
            select(entries.c.entity, entries.c.after)
            .where(entries.c.action == "bulk_load")
            .order_by(entries.c.seq)
        )
        return [(r.entity, r.after) for r in rows]


@pytest.fixture
def loaded(sqlite_db: TestDB) -> TestDB:
    load_nation(sqlite_db.settings(), SCALE, 11)
    return sqlite_db


def test_same_scale_and_seed_give_identical_rows(sqlite_template: Path, tmp_path: Path) -> None:
    first, second = (
        _copy(sqlite_template, tmp_path / "a.db"),
        _copy(sqlite_template, tmp_path / "b.db"),
    )
    load_nation(first.settings(), SCALE, 11)
    load_nation(second.settings(), SCALE, 11, chunk_size=1_000)
    a, b = make_engine(first.url), make_engine(second.url)
    rows_a = _rows(a)
    assert rows_a["learner"]
    assert rows_a["person"]
    # Chunk size changes the random streams, not the plan: the same entities and counts.
    assert {k: len(v) for k, v in rows_a.items() if k not in ("learner_status_event", "award")} == {
        k: len(v) for k, v in _rows(b).items() if k not in ("learner_status_event", "award")
    }
    third = _copy(sqlite_template, tmp_path / "c.db")
    load_nation(third.settings(), SCALE, 11)
    c = make_engine(third.url)
    assert _rows(c) == rows_a
    assert _bulk_entries(c) == _bulk_entries(a)
    for engine in (a, b, c):
        engine.dispose()


def test_counts_follow_the_scale(loaded: TestDB) -> None:
    counts = Counts.for_scale(SCALE)
    engine = make_engine(loaded.url)
    with engine.connect() as conn:
        n = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("institution", "program", "staff", "learner", "person", "term_result")
        }
    engine.dispose()
    assert n == {
        "institution": counts.institutions,
        "program": counts.programs,
        "staff": counts.staff,
        "learner": counts.learners,
        "person": counts.staff + counts.learners,
        "term_result": counts.learners,
    }


def test_national_ids_are_valid_and_never_stored_in_clear(loaded: TestDB) -> None:
    settings = loaded.settings()
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(loaded.url)
    with engine.connect() as conn:
        people = conn.execute(
            text("SELECT national_id_enc, national_id_index, sex, date_of_birth FROM person")
        ).all()
    engine.dispose()
    ids = []
    for enc, index, sex, born in people:
        national_id = cipher.decrypt(enc)
        assert cipher.blind_index(national_id) == index
        assert national_id_problems(national_id, sex, dt.date.fromisoformat(born)) == []
        ids.append(national_id)
    assert len(set(ids)) == len(ids)
    path = Path(loaded.url.removeprefix("sqlite:///"))
    blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for national_id in ids[:: max(1, len(ids) // 50)]:
        assert national_id.encode() not in blob


def test_every_batch_is_audited_and_the_chain_holds(loaded: TestDB) -> None:
    engine = make_engine(loaded.url)
    entries = _bulk_entries(engine)
    with engine.connect() as conn:
        assert verify(conn).ok
        learners = conn.execute(text("SELECT count(*) FROM learner")).scalar_one()
    engine.dispose()
    tables = {entity for entity, _ in entries}
    assert {"institution", "person", "learner", "learner_status_event", "award"} <= tables
    assert sum(a["rows"] for e, a in entries if e == "learner") == learners  # type: ignore[index]
    assert all(len(a["sha256"]) == 64 for _, a in entries)  # type: ignore[index]


def test_refuses_a_loaded_database_without_replace(loaded: TestDB) -> None:
    with pytest.raises(SynthError) as info:
        load_nation(loaded.settings(), SCALE, 12)
    assert "--replace" in info.value.message_en
    engine = make_engine(loaded.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM institution")).scalar_one() == 1


def test_replace_clears_and_loads_again(loaded: TestDB) -> None:
    summary = load_nation(loaded.settings(), 0.001, 12, replace=True)
    engine = make_engine(loaded.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM learner")).scalar_one() == 3_000
        assert summary.rows["learner"] == 3_000
        cleared = conn.execute(
            text("SELECT count(*) FROM audit_entry WHERE action = 'bulk_clear'")
        ).scalar_one()
        assert cleared == len(REGISTRY_TABLES)
        assert verify(conn).ok
    engine.dispose()


def test_replace_is_refused_while_accounts_point_at_institutions(loaded: TestDB) -> None:
    engine = make_engine(loaded.url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_user (id, username, display_name, password_hash, role, "
                "institution_id, is_active, created_at, updated_at) VALUES (900, 'officer', "
                "'Officer', 'x', 'institution_officer', 1, 1, '2026-01-01', '2026-01-01')"
            )
        )
    engine.dispose()
    with pytest.raises(BulkLoadError) as info:
        load_nation(loaded.settings(), SCALE, 12, replace=True)
    assert info.value.details == {"referenced_by": ["app_user.institution_id"]}


def test_cli_validates_and_loads(sqlite_db: TestDB, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEMIS_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("HEMIS_ENV", "test")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        for bad in ("0", "-1", "2.5", "nan"):
            result = runner.invoke(app, ["synth", "--scale", bad])
            assert result.exit_code == 2, bad
            assert "--scale" in result.output
        result = runner.invoke(app, ["synth", "--scale", "0.0005", "--seed", "3"])
        assert result.exit_code == 0, result.output
        assert "1,500" in result.output  # learners in the summary table
        result = runner.invoke(app, ["synth", "--scale", "0.0005"])
        assert result.exit_code == 2
        assert "--replace" in result.output
        result = runner.invoke(app, ["synth", "--scale", "0.0005", "--replace"])
        assert result.exit_code == 0, result.output
    finally:
        get_settings.cache_clear()
