"""SQL building blocks shared by the indicator families, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Float, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from hemis.db.base import table_of
from hemis.registry.models import (
    Award,
    Campus,
    DisciplineIsced,
    Expenditure,
    Facility,
    Institution,
    Learner,
    LearnerStatusEvent,
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
F = table_of(Facility)
E = table_of(LearnerStatusEvent)

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


class one_year_after(FunctionElement[dt.date]):  # noqa: N801 - reads like an SQL function
    """The same calendar day a year later; 29 February gives 28 February (as PostgreSQL's
    `date + interval '1 year'` does; SQLite's own `date(d, '+1 year')` would give 1 March)."""

    type = Date()
    inherit_cache = True


@compiles(one_year_after, "sqlite")
def _year_sqlite(element: one_year_after, compiler: Any, **kw: Any) -> str:
    day = compiler.process(element.clauses, **kw)
    return (
        f"(CASE WHEN strftime('%m-%d', {day}) = '02-29' THEN date({day}, '-1 day', '+1 year') "
        f"ELSE date({day}, '+1 year') END)"
    )


@compiles(one_year_after, "postgresql")
def _year_pg(element: one_year_after, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) + INTERVAL '1 year' AS DATE)"


def as_date(day: dt.date) -> ColumnElement[dt.date]:
    """A date constant typed as a date (so SQLite compares it as the ISO text it stores)."""
    return literal(day, Date())


def total(condition: ColumnElement[bool], weight: Any = 1) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, weight), else_=0)), 0)


def weight_of(column: Any, weights: dict[str, float]) -> ColumnElement[Any]:
    if not weights:
        return case((column.is_(None), 1.0), else_=1.0)
    return case(*((column == key, value) for key, value in weights.items()), else_=1.0)
