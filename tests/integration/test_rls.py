"""PostgreSQL row-level security: the second wall, tested without the ORM filter."""

from __future__ import annotations

import psycopg
import pytest

from hemis.common.crypto import IdCipher
from hemis.db.session import make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from tests import factories
from tests.conftest import TestDB

pytestmark = pytest.mark.postgres


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_app_role_sees_nothing_without_scope_and_only_its_tenant_with_it(
    pg_db: TestDB, cipher: IdCipher
) -> None:
    from hemis.db.session import make_engine

    owner = make_engine(pg_db.owner_url)
    with scoped_session(make_session_factory(owner), Scope.system("test")) as s:
        a, b = factories.institution(s, "RA"), factories.institution(s, "RB")
        factories.program(s, a)
        factories.program(s, b)
        s.commit()
        a_id = a.id
    owner.dispose()
    with psycopg.connect(_psycopg_url(pg_db.url)) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("hemis_app",)
        assert conn.execute("SELECT count(*) FROM program").fetchone() == (0,)
        conn.execute("SELECT set_config('hemis.institution_id', %s, true)", (str(a_id),))
        rows = conn.execute("SELECT DISTINCT institution_id FROM program").fetchall()
        assert rows == [(a_id,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO campus (institution_id, id, code, name, address, province_code, "
                "is_main, land_area_m2, floor_area_m2, created_at, updated_at) "
                "VALUES (%s, 999, 'X', 'x', 'x', '01', true, 1, 1, now(), now())",
                (a_id + 1_000_000,),
            )


def test_audit_log_refuses_update_even_for_owner(pg_db: TestDB) -> None:
    with psycopg.connect(_psycopg_url(pg_db.owner_url)) as conn:
        conn.execute(
            "INSERT INTO audit_entry (seq, at, actor, action, entity, prev_hash, hash) "
            "VALUES (1, now(), 'x', 'create', 'person', '0', '1')"
        )
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("UPDATE audit_entry SET actor = 'y'")
