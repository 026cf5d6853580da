"""Test fixtures: a migrated database per test on SQLite (always) and PostgreSQL (second tier).

PostgreSQL is mandatory under CI=true; elsewhere, if it cannot be reached, its tests are skipped
and the run ends with a visible notice.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import structlog
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import HemisSession, make_engine, make_session_factory

# Timings belong in bench/, not in tests: no per-example deadline (the machine may be loaded).
hypothesis_settings.register_profile("hemis", deadline=None, print_blob=True)
hypothesis_settings.load_profile("hemis")

PG_ADMIN_URL = os.environ.get("HEMIS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
_pg_notice: list[str] = []


def _pg_conninfo(dbname: str, user: str | None = None) -> str:
    base = psycopg.conninfo.conninfo_to_dict(
        PG_ADMIN_URL.replace("postgresql+psycopg", "postgresql")
    )
    base["dbname"] = dbname
    if user:
        base["user"] = user
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in base.items()})


def _pg_url(dbname: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(_pg_conninfo(dbname, user))
    host, port = info.get("host", "127.0.0.1"), info.get("port", "5432")
    return f"postgresql+psycopg://{info['user']}@{host}:{port}/{dbname}"


def pg_available() -> bool:
    try:
        with psycopg.connect(_pg_conninfo("postgres"), connect_timeout=3):
            return True
    except psycopg.OperationalError as exc:
        _pg_notice.append(str(exc).splitlines()[0])
        return False


@dataclass
class TestDB:
    __test__ = False

    backend: str
    url: str  # the application's connection (on PostgreSQL: the hemis_app role)
    owner_url: str  # the table owner (migrations, bulk loads, tampering in tests)

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "env": Environment.test,
            "database_url": self.url,
            "migration_database_url": self.owner_url,
            "cookie_secure": False,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not pg_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL is mandatory under CI=true and unreachable: {_pg_notice}")
        pytest.skip("PostgreSQL not reachable: PostgreSQL tier skipped")
    name = f"hemis_tpl_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate.upgrade(_pg_url(name))
    yield name
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_sqlite(template: Path, tmp_path: Path) -> TestDB:
    path = tmp_path / "hemis.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    return TestDB("sqlite", url, url)


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> TestDB:
    return _fresh_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def pg_db(pg_template: str) -> Iterator[TestDB]:
    name = f"hemis_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield TestDB("postgres", _pg_url(name, "hemis_app"), _pg_url(name))
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> TestDB:
    """Runs the test once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    result = request.getfixturevalue(fixture)
    assert isinstance(result, TestDB)
    return result


@pytest.fixture
def engine(db: TestDB) -> Iterator[Engine]:
    eng = make_engine(db.url)
    yield eng
    eng.dispose()


@pytest.fixture
def owner_engine(db: TestDB) -> Iterator[Engine]:
    eng = make_engine(db.owner_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[HemisSession]:
    return make_session_factory(engine)


@pytest.fixture
def settings(db: TestDB) -> Settings:
    return db.settings()


@pytest.fixture
def cipher(settings: Settings) -> IdCipher:
    return IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)


@pytest.fixture
def app_logging() -> Iterator[None]:
    """The application's logging (hemis.logging.configure) for one test, undone afterwards: it
    takes over the root logger, which pytest's own log capture also uses."""
    from hemis.logging import configure

    root, ours = logging.getLogger(), logging.getLogger("hemis")
    handlers, levels = list(root.handlers), (root.level, ours.level)
    configure("INFO")
    yield
    root.handlers[:] = handlers
    root.setLevel(levels[0])
    ours.setLevel(levels[1])
    structlog.reset_defaults()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Checked here, in the controlling process, so the notice shows under xdist too.
    if IN_CI or (not _pg_notice and pg_available()):
        return
    terminalreporter.write_sep(
        "!", "NOTICE: PostgreSQL unreachable — the PostgreSQL tier was SKIPPED", red=True
    )
    terminalreporter.write_line(f"  reason: {_pg_notice[0]}")
