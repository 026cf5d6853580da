"""SQL building blocks shared by the indicator families, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, and_, case, func, not_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from hemis.db.base import table_of
from hemis.registry.models import (
    Award,
    Campus,
    DisciplineIsced,
    Expenditure,
    Institution,
    Learner,
    Person,
    Program,
    ResourceSummary,
    Revenue,
    Staff,
)

L = table_of(Learner)
P = table_of(Program)
A = table_of(Award)
S = table_of(Staff)
PE = table_of(Person)
I = table_of(Institution)  # noqa: E741 - the institution table, as in the SQL
C = table_of(Campus)
R = table_of(ResourceSummary)
REV = table_of(Revenue)
EXP = table_of(Expenditure)
DI = table_of(DisciplineIsced)

NOT_STUDYING = ("withdrawn", "transferred", "graduated", "suspended")
UNDERGRADUATE = ("college", "bachelor")


class day_number(FunctionElement[float]):  # noqa: N801 - reads like the SQL function it is
    """Days since 1970-01-01 of a date column (date arithmetic differs between the databases)."""

    type = Float()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_sqlite(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5)"


@compiles(day_number, "postgresql")
def _day_pg(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) - DATE '1970-01-01')"


def studying_at(day: dt.date) -> ColumnElement[bool]:
    """Admitted by `day` and not withdrawn, transferred, graduated or suspended by then (the
    learner row carries its latest status and that status's date)."""
    left = and_(L.c.status.in_(NOT_STUDYING), L.c.status_date <= day)
    return and_(L.c.admitted_on <= day, not_(left))


def total(condition: ColumnElement[bool], weight: Any = 1) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, weight), else_=0)), 0)


def weight_of(column: Any, weights: dict[str, float]) -> ColumnElement[Any]:
    if not weights:
        return case((column.is_(None), 1.0), else_=1.0)
    return case(*((column == key, value) for key, value in weights.items()), else_=1.0)
