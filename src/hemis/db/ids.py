"""Id allocation: one counter row per table, the same SQL on SQLite and PostgreSQL.

Ids are assigned in blocks at flush time, so the ORM and the bulk loaders share one source of ids
and composite keys (institution_id, id) need no database-side autoincrement (SQLite has none for
composite keys).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, String, Table, text
from sqlalchemy.engine import Connection

from hemis.db.base import Base

id_allocator = Table(
    "id_allocator",
    Base.metadata,
    Column("name", String(64), primary_key=True),
    Column("next_id", BigInteger, nullable=False),
)

_ALLOCATE = text(
    "INSERT INTO id_allocator (name, next_id) VALUES (:name, 1 + :n) "
    "ON CONFLICT (name) DO UPDATE SET next_id = id_allocator.next_id + :n "
    "RETURNING next_id"
)


def allocate_ids(conn: Connection, name: str, n: int) -> int:
    """Reserve `n` consecutive ids for table `name`; returns the first one."""
    if n <= 0:
        raise ValueError("n must be positive")
    end = conn.execute(_ALLOCATE, {"name": name, "n": n}).scalar_one()
    return int(end) - n


__all__ = ["MetaData", "allocate_ids", "id_allocator"]
