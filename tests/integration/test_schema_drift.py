"""The migrations build exactly the schema the models describe (both backends): a model changed
without its migration, or a migration without its model, fails here."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

import hemis.models  # noqa: F401 - every model on the metadata
from hemis.db.base import Base


def _relevant(diff: Any) -> bool:
    # Types are compared loosely by Alembic across dialects (e.g. SQLite has no real NUMERIC);
    # tables, columns, nullability, indexes and constraints are what must agree.
    kind = diff[0][0] if isinstance(diff, list) else diff[0]
    return kind not in {"modify_type", "modify_default"}


def test_migrated_schema_matches_the_models(owner_engine: Engine) -> None:
    with owner_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = [d for d in compare_metadata(context, Base.metadata) if _relevant(d)]
    assert diffs == []
