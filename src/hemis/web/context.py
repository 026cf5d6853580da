"""Application-wide objects built once at start-up and shared by requests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession, make_engine, make_session_factory
from hemis.observability.scrape import unwatch_pool, watch_pool


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[HemisSession]
    cipher: IdCipher
    # Server-to-server notifications: no pre-ping round trip; a dead connection is answered
    # with the protocol's "retry" and discarded.
    notify_engine: Engine

    @classmethod
    def build(cls, settings: Settings) -> AppContext:
        engine = make_engine(settings.database_url)
        ctx = cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            cipher=IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key),
            notify_engine=make_engine(settings.database_url, pool_pre_ping=False),
        )
        watch_pool(ctx.engine, "main")
        watch_pool(ctx.notify_engine, "notify")
        return ctx

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, and between tests)."""
        self.engine.dispose()
        self.notify_engine.dispose()
        unwatch_pool(self.engine, "main")
        unwatch_pool(self.notify_engine, "notify")
