"""A learner's status on a date, read from its status history (`learner_status_event`).

The learner row carries only its latest status and that status's date, so it cannot say what a
learner was on an earlier date: a learner suspended in 2022 and back in 2023 would read as
"enrolled" on 31 December 2022. Every count "on date D" (studying at the cut-off, three years
earlier, at the start of the year, a year after admission) therefore reads the status in force
on D: the last event effective on or before D — of several events on the same day, the one
recorded last (the highest id), as the registry's learner row does.

Every registry path (the service, file imports, the synthetic nation) writes an admission event
("enrolled" on the admission date) and keeps the row equal to the last event. So a learner with
one or two events — admission, then perhaps its current status — is read from its row: nothing
before admission, "enrolled" from admission, the row's status from its date. That reading also
covers a learner with no recorded event at all. Only longer histories (suspended and back, say:
a few per cent of learners) are replayed: one GROUP BY per learner over their events gives the
status on every requested date at once (the greatest (date, id) on or before it), and the
criteria outer-join that small per-learner row into their single pass over learners.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from hemis.indicators.sql import E, L, as_date, day_number, one_year_after

STUDYING = "enrolled"
MIRRORED_EVENTS = 2  # a learner with at most this many events is read from its row
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


# The last event on or before a date is the one with the greatest (date, id): both are packed
# into one integer, with the status in its lowest bits, so that a plain MAX finds it (aggregates,
# unlike window functions, let PostgreSQL run the criteria's pass in parallel). The id takes 36
# bits: day numbers (< 2^16 until 2149) are never mixed up; same-day events are ordered by id
# while ids stay below 2^36 (6.9e10; one counter per table).
STATUS_CODES = ("enrolled", "suspended", "withdrawn", "transferred", "graduated")
_ID_BITS, _CODE_BITS = 36, 3


def _event_key(ev: Any) -> ColumnElement[Any]:
    day = cast(day_number(ev.c.effective_on), BigInteger)
    code = case(*((ev.c.status == s, n) for n, s in enumerate(STATUS_CODES)), else_=7)
    ordinal = ev.c.id % literal(2**_ID_BITS, BigInteger)
    shift = literal(2 ** (_ID_BITS + _CODE_BITS), BigInteger)
    key: ColumnElement[Any] = day * shift + ordinal * literal(2**_CODE_BITS, BigInteger) + code
    return key


def _status_of(key: ColumnElement[Any]) -> ColumnElement[Any]:
    code = key % literal(2**_CODE_BITS, BigInteger)
    return case(*((code == n, literal(s)) for n, s in enumerate(STATUS_CODES)), else_=None)


def history(
    dates: Mapping[str, dt.date],
    anniversary_until: dt.date | None = None,
    institution_id: int | None = None,
) -> Subquery:
    """Per learner with a longer history: (institution_id, learner_id, one status column per
    named date — NULL before admission — and, with `anniversary_until`, the status a year after
    admission or on `anniversary_until` if that comes first)."""
    part = (E.c.institution_id, E.c.learner_id)
    # Only learners with more than two events are replayed: with one or two (admission, then
    # perhaps the current status) the row says the same (module notes). They are counted per
    # learner id alone, and in its order, so that PostgreSQL counts them in one streaming pass
    # over the learner_id index rather than hashing every learner (a third of the time at
    # 300,000 learners). Ids are unique across institutions (one counter per table); were one
    # ever shared, both learners would merely be replayed.
    longer = (
        select(E.c.learner_id)
        .group_by(E.c.learner_id)
        .having(func.count() > MIRRORED_EVENTS)
        .order_by(E.c.learner_id)
    )
    if institution_id is not None:
        longer = longer.where(E.c.institution_id == institution_id)
    replayed = longer.subquery("replayed")
    events = (
        select(
            *part,
            E.c.effective_on,
            _event_key(E).label("key"),
            # The admission day: the learner's first event (the row's admission date).
            func.min(E.c.effective_on).over(partition_by=part).label("first_on"),
        )
        .join(replayed, replayed.c.learner_id == E.c.learner_id)
        .subquery("replayed_event")
    )

    def status_in_force(day: Any) -> ColumnElement[Any]:
        return _status_of(func.max(case((events.c.effective_on <= day, events.c.key))))

    columns = [status_in_force(as_date(day)).label(name) for name, day in dates.items()]
    if anniversary_until is not None:
        day = _anniversary(events.c.first_on, anniversary_until)
        columns.append(status_in_force(day).label(ANNIVERSARY))
    keys = (events.c.institution_id, events.c.learner_id)
    return select(*keys, *columns).group_by(*keys).subquery("learner_history")


def joined(h: Subquery) -> ColumnElement[bool]:
    """The join condition of the learner table to its history row."""
    return and_(h.c.institution_id == L.c.institution_id, h.c.learner_id == L.c.id)


class Statuses:
    """A learner's status on the named dates of a `history` subquery, over the learner table
    (outer-)joined to it. `row()` reads every learner from its row; `replayed()` reads the
    history's columns (for learners inner-joined to it); `either()` the history where the
    learner has one, else the row — the same answer for every learner."""

    def __init__(self, h: Subquery | None, use: str) -> None:
        self.h, self.use = h, use

    @classmethod
    def row(cls) -> Statuses:
        return cls(None, "row")

    @classmethod
    def replayed(cls, h: Subquery) -> Statuses:
        return cls(h, "history")

    @classmethod
    def either(cls, h: Subquery) -> Statuses:
        return cls(h, "either")

    def on(self, name: str, day: dt.date | ColumnElement[Any]) -> ColumnElement[Any]:
        """The status on `day` (NULL before admission); `name` is its column in the history."""
        at = as_date(day) if isinstance(day, dt.date) else day
        from_row = case(
            (L.c.admitted_on > at, None),
            (L.c.status_date <= at, L.c.status),
            else_=literal(STUDYING),
        )
        if self.h is None or self.use == "row":
            return from_row
        if self.use == "history":
            return self.h.c[name]
        return case((self.h.c.learner_id.is_(None), from_row), else_=self.h.c[name])

    def anniversary(self, until: dt.date) -> ColumnElement[Any]:
        """The status a year after admission (or on `until`, if that comes first)."""
        return self.on(ANNIVERSARY, _anniversary(L.c.admitted_on, until))

    def studying(self, name: str, day: dt.date) -> ColumnElement[bool]:
        return self.on(name, day) == STUDYING
