"""Reading and writing rows the same way in every domain: a row by id in the caller's scope
(`get_row`: NotFound, never 403, for another institution's row), locked for an update
(`get_for_update`), and flush and commit with the database's refusals translated into
HemisErrors (a broken constraint 409 naming it, a value the column refuses 422, a row changed
since it was read 412)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import UniqueConstraint, inspect, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hemis.db.base import Base, table_of
from hemis.db.versions import ANY, Precondition, locked
from hemis.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed

M = TypeVar("M")

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: (\w+)\.(\w+)")


def _unique_name(columns: str) -> str:
    """The named unique constraint (or unique index) over SQLite's 'table.col, table.col'."""
    pairs = [part.strip().split(".", 1) for part in columns.split(",")]
    table = Base.metadata.tables.get(pairs[0][0])
    wanted = {col for _, col in pairs}
    if table is not None:
        for constraint in table.constraints:
            if (
                isinstance(constraint, UniqueConstraint)
                and constraint.name
                and {c.name for c in constraint.columns} == wanted
            ):
                return str(constraint.name)
        for index in table.indexes:
            if index.unique and {c.name for c in index.columns} == wanted and index.name:
                return str(index.name)
    return f"unique:{pairs[0][0]}"


def constraint_name(exc: IntegrityError) -> str:
    """The name of the constraint a write broke, the same on PostgreSQL and SQLite.

    Only the name is ever reported: the database's message may quote the refused values.
    """
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    if diag is not None and getattr(diag, "column_name", None):
        return f"not_null:{diag.table_name}.{diag.column_name}"
    message = str(exc.orig)
    if match := _SQLITE_UNIQUE.search(message):
        return _unique_name(match.group(1))
    if match := _SQLITE_CHECK.search(message):
        return match.group(1)
    if match := _SQLITE_NOT_NULL.search(message):
        return f"not_null:{match.group(1)}.{match.group(2)}"
    if "FOREIGN KEY" in message:
        return "foreign_key"
    return "unknown"


@contextmanager
def _database_refusals(session: Session) -> Iterator[None]:
    """A broken constraint becomes 409, a value the column refuses 422, and a write over a row
    changed since it was read (the version counter matched no row) 412 (rolled back)."""
    try:
        yield
    except StaleDataError:
        session.rollback()
        raise PreconditionFailed() from None
    except IntegrityError as exc:
        session.rollback()
        name = constraint_name(exc)
        raise Conflict(
            "Dữ liệu trùng hoặc mâu thuẫn với dữ liệu đã có.",
            "The data duplicates or contradicts existing data.",
            details={"constraint": name},
        ) from None
    except DataError:
        session.rollback()
        raise ValidationFailed(
            "Cơ sở dữ liệu từ chối một giá trị (quá dài hoặc ngoài khoảng cho phép).",
            "The database refused a value (too long or out of range).",
            details=[],
        ) from None


def flush(session: Session) -> None:
    """Flush (to get ids assigned) with database refusals translated."""
    with _database_refusals(session):
        session.flush()


def commit(session: Session) -> None:
    """Commit with database refusals translated."""
    with _database_refusals(session):
        session.commit()


def entity_name(model: type[Any]) -> str:
    return table_of(model).name


def find_row(session: Session, model: type[M], row_id: int) -> M | None:
    """The row with this id, if the caller's scope can see it."""
    id_column = inspect(model).columns["id"]
    row: M | None = session.scalars(select(model).where(id_column == row_id)).one_or_none()
    return row


def get_row(session: Session, model: type[M], row_id: int) -> M:
    """Like find_row; NotFound also when the row belongs to another institution (not 403, so
    that ids of other institutions cannot be probed)."""
    row = find_row(session, model, row_id)
    if row is None:
        raise NotFound(entity_name(model), row_id)
    return row


def get_for_update(
    session: Session, model: type[M], row_id: int, expected: Precondition = ANY
) -> M:
    """Like get_row, for an update: the row locked until commit, read as committed, and
    checked against the version the caller read (db/versions.py). NotFound comes first, so a
    precondition never tells anything about a row the caller cannot see."""
    id_column = inspect(model).columns["id"]
    row: M | None = session.scalars(locked(select(model).where(id_column == row_id))).one_or_none()
    if row is None:
        raise NotFound(entity_name(model), row_id)
    expected.check(row)  # type: ignore[arg-type]  # every updatable model is Versioned
    return row
