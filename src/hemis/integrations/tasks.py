"""Sync jobs on huey (SqliteHuey in var/, no broker): `hemis sync ... --enqueue` queues a run,
`hemis sync worker` consumes the queue. The task only calls the same batch runner the CLI
runs directly, so a queued run resumes exactly like a direct one."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from huey import SqliteHuey

from hemis.config import get_settings
from hemis.db.session import make_engine
from hemis.integrations.sync import SyncParams
from hemis.integrations.wiring import run_sync


@lru_cache(maxsize=1)
def queue() -> SqliteHuey:
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("hemis-sync", filename=str(settings.var_dir / "huey-sync.db"))


def run_queued(system: str, year: int | None, institution_id: int | None) -> dict[str, Any]:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        params = SyncParams(system, year, institution_id, batch_size=settings.sync_batch_size)
        return run_sync(engine, settings, params).as_dict()
    finally:
        engine.dispose()


@lru_cache(maxsize=1)
def sync_task() -> Any:
    """The huey task (registered lazily so importing this module reads no settings)."""
    return queue().task(retries=3, retry_delay=30)(run_queued)
