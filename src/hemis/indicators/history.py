"""A learner's status on a date, read from its status history (`learner_status_event`).

The learner row carries only its latest status and that status's date, so it cannot say what a
learner was on an earlier date: a learner suspended in 2023 and back in 2024 would read as
"suspended" on 31 December 2022. Every count "on date D" (studying at the cut-off, three years
earlier, at the start of the year, a year after admission) therefore reads the status in force
on D: the last event effective on or before D — of several events on the same day, the one
recorded last (the highest id), as the registry's learner row does. A learner with no recorded
event at all (not written by any registry path, but possible in the table) is read from its row:
enrolled from admission, then its row's status from its status date.

One window pass over the events (the next event's date beside each event) and one GROUP BY per
learner give the status on every requested date at once; the criteria outer-join that per-learner
row into their single pass over learners.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from hemis.indicators.sql import E, L, as_date, one_year_after

STUDYING = "enrolled"
ANNIVERSARY = "at_anniversary"  # the column of the status a year after admission


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (31 Dec 2025 → 31 Dec 2022); 29 February gives
    28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February → a common year
        return day.replace(year=day.year - years, day=28)


def _anniversary(first: Any, until: dt.date) -> ColumnElement[dt.date]:
    """A year after `first`, but no later than `until` (the cut-off)."""
    later = one_year_after(first)
    return case((later < as_date(until), later), else_=as_date(until))


def history(
    dates: Mapping[str, dt.date],
    anniversary_until: dt.date | None = None,
    institution_id: int | None = None,
) -> Subquery:
    """Per learner with at least one event: (institution_id, learner_id, one status column per
    named date — NULL before admission — and, with `anniversary_until`, the status a year after
    the first (admission) event or on `anniversary_until` if that comes first)."""
    part = (E.c.institution_id, E.c.learner_id)
    order = (E.c.effective_on, E.c.id)
    inner = select(
        E.c.institution_id,
        E.c.learner_id,
        E.c.status,
        E.c.effective_on,
        func.lead(E.c.effective_on).over(partition_by=part, order_by=order).label("next_on"),
        func.first_value(E.c.effective_on)
        .over(partition_by=part, order_by=order)
        .label("first_on"),
    )
    if institution_id is not None:
        inner = inner.where(E.c.institution_id == institution_id)
    ev = inner.subquery("status_event")

    def status_in_force(day: Any) -> ColumnElement[Any]:
        # The event in force on `day`: effective by then, and the next one (if any) after it.
        # Of two events on one day, the first has next_on == its own date, so only the later
        # one is in force.
        in_force = and_(ev.c.effective_on <= day, or_(ev.c.next_on.is_(None), ev.c.next_on > day))
        return func.max(case((in_force, ev.c.status)))

    columns = [status_in_force(as_date(day)).label(name) for name, day in dates.items()]
    if anniversary_until is not None:
        day = _anniversary(ev.c.first_on, anniversary_until)
        columns.append(status_in_force(day).label(ANNIVERSARY))
    keys = (ev.c.institution_id, ev.c.learner_id)
    return select(*keys, *columns).group_by(*keys).subquery("learner_history")


def joined(h: Subquery) -> ColumnElement[bool]:
    """The join condition of the learner table to its history row."""
    return and_(h.c.institution_id == L.c.institution_id, h.c.learner_id == L.c.id)


def status_on(h: Subquery, name: str, day: dt.date | ColumnElement[Any]) -> ColumnElement[Any]:
    """The learner's status on `day` (NULL before admission): the history's column `name`, or
    for a learner without any event, what its row implies."""
    on = as_date(day) if isinstance(day, dt.date) else day
    from_row = case(
        (L.c.admitted_on > on, None),
        (L.c.status_date <= on, L.c.status),
        else_=literal(STUDYING),
    )
    return case((h.c.learner_id.is_(None), from_row), else_=h.c[name])


def anniversary_status(h: Subquery, until: dt.date) -> ColumnElement[Any]:
    """The learner's status a year after admission (or on `until`, if that comes first)."""
    return status_on(h, ANNIVERSARY, _anniversary(L.c.admitted_on, until))


def studying_on(h: Subquery, name: str, day: dt.date) -> ColumnElement[bool]:
    return status_on(h, name, day) == STUDYING
