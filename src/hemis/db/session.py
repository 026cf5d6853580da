"""Engine and session factory. Sessions are always opened with a Scope (db/tenancy.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hemis.audit import recorder
from hemis.db import tenancy
from hemis.db.tenancy import Scope


class HemisSession(Session):
    """The one Session class; tenancy hooks are attached to it."""


tenancy.install(HemisSession)
recorder.install(HemisSession)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    # A statement's parameters are personal data (names, birth dates, …): SQLAlchemy leaves
    # them out of its errors and its log lines, which reach the logs with a 500.
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = str(parsed.set(drivername="postgresql+psycopg"))
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[HemisSession]:
    return sessionmaker(bind=engine, class_=HemisSession, expire_on_commit=False)


@contextmanager
def scoped_session(factory: sessionmaker[HemisSession], scope: Scope) -> Iterator[HemisSession]:
    """A session bound to `scope`; rolled back if the block raises, closed always."""
    session = factory()
    tenancy.set_scope(session, scope)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
