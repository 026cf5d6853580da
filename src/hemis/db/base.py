"""Declarative base, naming convention and the mixins every table is built from."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from sqlalchemy import BigInteger, ForeignKey, Integer, MetaData, Table, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from hemis.db.types import UTCDateTime, utcnow

# Named constraints so migrations and error messages can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


class IdMixin:
    """A 64-bit id assigned at flush by the allocator (db/ids.py), the same on both databases."""

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BulkTimestampMixin:
    """Timestamps of the tables loaded by the million (persons, learners, staff). On PostgreSQL
    they also default to now() (the transaction's start), so a bulk COPY leaves them out and
    the server parses two timestamps fewer per row."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Tenanted:
    """Marker: rows that belong to one institution and are filtered by db/tenancy.py.

    Subclasses expose `institution_id` (a column, or a synonym of `id` on Institution itself).
    """

    institution_id: Mapped[int]


class TenantMixin(Tenanted):
    """Rows owned by one institution; `institution_id` leads the key (the Citus distribution key).

    Every ORM query on a subclass is filtered to the session's institution (db/tenancy.py), and on
    PostgreSQL the same rule is enforced again by row-level security.
    """

    @declared_attr
    def institution_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(
            BigInteger,
            ForeignKey("institution.id"),
            primary_key=True,
            autoincrement=False,
            sort_order=-10,
        )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class, typed (``__table__`` is typed as a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def tenant_tables() -> list[str]:
    """Names of the tables that carry institution_id (RLS policies are generated from this)."""
    return sorted(
        table_of(mapper.class_).name
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Tenanted)
    )


class Versioned:
    """Rows that carry `row_version`, raised by one on every update (SQLAlchemy's version
    counter). An ORM update or delete of a row that someone else changed since it was read
    matches no row and fails (StaleDataError) instead of overwriting the other change, and the
    row it does write is the committed one it read. The API's ETag and If-Match are this number
    (web/versions.py); set-based writes raise it themselves (`bump_version`)."""

    row_version: Mapped[int] = mapped_column(Integer, server_default=text("1"), sort_order=100)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declared_attr takes the class
        # (declared_attr hands over the mapped class, which mypy sees as an instance)
        return {"version_id_col": table_of(cast("type[Any]", cls)).c.row_version}


def versioned_tables() -> list[str]:
    """Names of the tables that carry a row version (migration 0017 adds it to each)."""
    return sorted(
        table_of(mapper.class_).name
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Versioned)
    )


class Audited(Versioned):
    """Marker: every insert, update and delete of this class is written to the audit log.

    Audited rows are Versioned, so an audit entry's "before" is always the committed row it
    replaced: a write based on an older read fails instead of being recorded."""
