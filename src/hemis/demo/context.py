"""What every step of the demo year works with: settings, the application's engine and sessions,
the national-ID cipher, who acts (the `hemis demo` command or a ministry user) and the seed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession, make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope

DEFAULT_SEED = 2026


@dataclass(frozen=True)
class DemoContext:
    settings: Settings
    engine: Engine  # the application's connection (the IPN path writes through it)
    sessions: sessionmaker[HemisSession]
    cipher: IdCipher
    scope: Scope
    seed: int = DEFAULT_SEED

    @classmethod
    def open(cls, settings: Settings, seed: int = DEFAULT_SEED) -> DemoContext:
        """A context of its own (the CLI); dispose() its engine when done."""
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            cipher=IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key),
            scope=Scope.system("demo"),
            seed=seed,
        )

    def with_seed(self, seed: int) -> DemoContext:
        return replace(self, seed=seed)

    @contextmanager
    def session(self) -> Iterator[HemisSession]:
        with scoped_session(self.sessions, self.scope) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
