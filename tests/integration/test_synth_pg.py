"""`hemis synth` on PostgreSQL: COPY in one transaction, constraints rebuilt, RLS respected."""

from __future__ import annotations

import datetime as dt
import uuid

import polars as pl
import psycopg
import pytest
from sqlalchemy import Engine, select, text

from hemis.audit.chain import verify
from hemis.audit.models import AuditEntry
from hemis.bulk import BulkLoader, bulk_connection
from hemis.db.base import table_of
from hemis.db.session import make_engine
from hemis.synth import REGISTRY_TABLES, Counts, load_nation
from tests.conftest import TestDB

pytestmark = pytest.mark.postgres

SCALE, SEED = 0.005, 21


def _psycopg(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _schema_objects(engine: Engine) -> set[tuple[str, str]]:
    names = ", ".join(f"'{t}'" for t in REGISTRY_TABLES)
    with engine.connect() as conn:
        constraints = conn.execute(
            text(
                "SELECT conrelid::regclass::text, conname || ' ' || pg_get_constraintdef(oid) "
                f"FROM pg_constraint WHERE conrelid::regclass::text IN ({names})"
            )
        ).all()
        indexes = conn.execute(
            text(
                "SELECT tablename, indexdef FROM pg_indexes "
                f"WHERE schemaname = 'public' AND tablename IN ({names})"
            )
        ).all()
    return {(str(a), str(b)) for a, b in [*constraints, *indexes]}


def _bulk_entries(engine: Engine) -> list[tuple[str, object]]:
    entries = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(
            select(entries.c.entity, entries.c.after)
            .where(entries.c.action == "bulk_load")
            .order_by(entries.c.seq)
        )
        return [(r.entity, r.after) for r in rows]


def test_copy_load_rebuilds_constraints_and_respects_tenancy(pg_db: TestDB) -> None:
    owner = make_engine(pg_db.owner_url)
    before = _schema_objects(owner)
    summary = load_nation(pg_db.settings(), SCALE, SEED)
    counts = Counts.for_scale(SCALE)
    assert summary.rows["learner"] == counts.learners
    assert _schema_objects(owner) == before  # every index and constraint is back
    with owner.connect() as conn:
        assert verify(conn).ok
        n = dict(conn.execute(text("SELECT 'learner', count(*) FROM learner")).all())
        assert n == {"learner": counts.learners}
        first = conn.execute(text("SELECT min(id) FROM institution")).scalar_one()
        mine = conn.execute(
            text("SELECT count(*) FROM learner WHERE institution_id = :i"), {"i": first}
        ).scalar_one()
    owner.dispose()
    assert counts.institutions >= 2
    assert 0 < mine < counts.learners
    with psycopg.connect(_psycopg(pg_db.url)) as app:  # hemis_app: RLS binds it
        assert app.execute("SELECT count(*) FROM learner").fetchone() == (0,)
        app.execute("SELECT set_config('hemis.institution_id', %s, true)", (str(first),))
        assert app.execute("SELECT count(*) FROM learner").fetchone() == (mine,)


def test_postgres_and_sqlite_load_the_same_rows(
    pg_db: TestDB, sqlite_db: TestDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hemis.bulk.COPY_BLOCK", 700)  # several COPY blocks per batch
    load_nation(pg_db.settings(), 0.002, SEED)
    load_nation(sqlite_db.settings(), 0.002, SEED)
    pg, lite = make_engine(pg_db.owner_url), make_engine(sqlite_db.url)
    pg_entries, lite_entries = _bulk_entries(pg), _bulk_entries(lite)
    assert len(pg_entries) == 15
    assert pg_entries == lite_entries  # same content digests, batch by batch
    pg.dispose()
    lite.dispose()


def test_replace_on_postgres_keeps_ministry_accounts(pg_db: TestDB) -> None:
    load_nation(pg_db.settings(), 0.001, SEED)
    owner = make_engine(pg_db.owner_url)
    with owner.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_user (id, username, display_name, password_hash, role, "
                "is_active, created_at, updated_at) VALUES (900, 'minister', 'Minister', 'x', "
                "'ministry_admin', true, now(), now())"
            )
        )
    load_nation(pg_db.settings(), 0.002, SEED + 1, replace=True)
    with owner.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM app_user")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM learner")).scalar_one() == 6_000
        assert conn.execute(text("SELECT count(*) FROM institution")).scalar_one() == 1
        assert verify(conn).ok
    owner.dispose()


def test_bulk_path_as_the_app_role_inserts_within_the_national_scope(pg_db: TestDB) -> None:
    """RLS applies to the app role, and PostgreSQL refuses COPY FROM under RLS: the bulk path
    falls back to INSERT, which passes the policy because the load runs in the national scope."""
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    row = {
        "moet_code": "BLK",
        "name_vi": "Trường Đại học Nạp Lô",
        "name_en": None,
        "name_folded": "truong dai hoc nap lo",
        "type": "university",
        "ownership": "public",
        "governing_body": "Bộ Giáo dục và Đào tạo",
        "province_code": "01",
        "province_code_63": "01",
        "status": "active",
        "trains_doctorates": False,
        "specialised": False,
        "established_on": dt.date(2000, 9, 1),
        "website": None,
        "created_at": stamp,
        "updated_at": stamp,
    }
    with psycopg.connect(_psycopg(pg_db.url)) as app, app.cursor() as cur:
        app.execute("SELECT set_config('hemis.national', 'on', true)")
        with (
            pytest.raises(psycopg.errors.FeatureNotSupported),
            cur.copy("COPY institution (moet_code) FROM STDIN"),
        ):
            pass
    with bulk_connection(pg_db.url, "test") as loader:
        first = loader.allocate("institution", 1)
        result = loader.load("institution", pl.DataFrame([{"id": first, **row}]))
    assert result.rows == 1
    owner = make_engine(pg_db.owner_url)
    with owner.connect() as conn:
        assert conn.execute(text("SELECT moet_code FROM institution")).scalar_one() == "BLK"
        assert (
            conn.execute(
                text("SELECT count(*) FROM audit_entry WHERE action = 'bulk_load'")
            ).scalar_one()
            == 1
        )
    owner.dispose()


def test_owner_without_superuser_copies_and_rls_stays_forced(
    pg_db: TestDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The production shape: the owner is not a superuser and RLS is FORCEd on its tables."""

    def no_insert(*_: object) -> None:
        raise AssertionError("the owner must load with COPY")

    monkeypatch.setattr(BulkLoader, "_insert", no_insert)
    role = f"hemis_owner_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(_psycopg(pg_db.owner_url), autocommit=True)
    admin.execute(f"CREATE ROLE {role} LOGIN")
    try:
        admin.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        admin.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {role}")  # as the migrator has
        for table in REGISTRY_TABLES:
            admin.execute(f"ALTER TABLE {table} OWNER TO {role}")
        owner_url = pg_db.owner_url.replace("//postgres@", f"//{role}@")
        summary = load_nation(pg_db.settings(migration_database_url=owner_url), 0.001, SEED)
        assert summary.rows["learner"] == 3_000
        unforced = admin.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND NOT relforcerowsecurity"
        ).fetchall()
        assert unforced == []
        assert admin.execute("SELECT count(*) FROM learner").fetchone() == (3_000,)
    finally:
        admin.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")
        admin.close()
