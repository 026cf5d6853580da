"""Property: a learner's status on a date computed in SQL (hemis.indicators.history) equals a
naive replay of its status history in Python, for random histories — same-day events, 29
February admissions and dates, learners without any recorded event — on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.ids import allocate_ids
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.indicators.history import Statuses, history, joined, years_before
from hemis.indicators.sql import E, L
from tests import factories
from tests.indicators import rules_world as rw

STATUSES = ("enrolled", "suspended", "withdrawn", "transferred", "graduated")
LEARNERS = 5
LEAP_DAYS = [dt.date(2020, 2, 29), dt.date(2024, 2, 29)]
DAYS = st.dates(dt.date(2019, 1, 1), dt.date(2026, 12, 31))
EDGE_DAYS = st.sampled_from(
    [*LEAP_DAYS, dt.date(2022, 12, 31), dt.date(2023, 12, 31), dt.date(2024, 12, 31)]
)


@dataclass(frozen=True)
class Story:
    admitted: dt.date
    events: list[tuple[str, dt.date]]  # in the order recorded; empty: no history at all
    row_status: str  # used only without events (with events the row mirrors the last one)
    row_date: dt.date


@st.composite
def stories(draw: st.DrawFn) -> Story:
    admitted = draw(DAYS | st.sampled_from(LEAP_DAYS))
    later = st.integers(0, 1500).map(lambda n: admitted + dt.timedelta(days=n))
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter have no recorded event
        return Story(admitted, [], draw(st.sampled_from(STATUSES)), draw(later))
    # The admission event first, as every registry path writes it; then changes, some on the
    # same day as another (ties are broken by the order recorded).
    changes = draw(st.lists(st.tuples(st.sampled_from(STATUSES), later), max_size=4))
    if changes and draw(st.booleans()):
        changes.append((draw(st.sampled_from(STATUSES)), changes[-1][1]))
    return Story(admitted, [("enrolled", admitted), *changes], "enrolled", admitted)


def replay(story: Story, day: dt.date) -> str | None:
    """The status in force on `day`: the last event (by date, then as recorded) on or before
    it; without events, the row's status from its date and enrolled before."""
    if not story.events:
        if story.admitted > day:
            return None
        return story.row_status if story.row_date <= day else "enrolled"
    in_force = [(on, n, status) for n, (status, on) in enumerate(story.events) if on <= day]
    return max(in_force)[2] if in_force else None


def a_year_after(day: dt.date) -> dt.date:
    return years_before(day, -1)


def replay_anniversary(story: Story, until: dt.date) -> str | None:
    start = story.events[0][1] if story.events else story.admitted
    return replay(story, min(a_year_after(start), until))


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(stories(), min_size=LEARNERS, max_size=LEARNERS),
    st.lists(DAYS | EDGE_DAYS, min_size=1, max_size=3),
    DAYS | EDGE_DAYS,
)
def test_status_on_a_date_is_the_replayed_history(
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
    learners: list[Story],
    days: list[dt.date],
    until: dt.date,
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        ids = s.scalars(select(L.c.id).order_by(L.c.id)).all()
        if not ids:  # the first example creates the learners; later ones rewrite them
            inst = factories.institution(s)
            prog = factories.program(s, inst)
            for _ in range(LEARNERS):
                factories.learner(s, prog, rw.person(s, cipher))  # type: ignore[arg-type]
            s.commit()
            ids = s.scalars(select(L.c.id).order_by(L.c.id)).all()
        iid = s.scalar(select(L.c.institution_id))
        s.execute(delete(E))
        rows = []
        for learner_id, story in zip(ids, learners, strict=True):
            status, on = story.row_status, story.row_date
            if story.events:  # the row mirrors the last event, as the registry keeps it
                on, _, status = max((d, n, x) for n, (x, d) in enumerate(story.events))
            s.execute(
                update(L)
                .where(L.c.id == learner_id)
                .values(admitted_on=story.admitted, status=status, status_date=on)
            )
            rows += [(learner_id, x, d) for x, d in story.events]
        if rows:
            first = allocate_ids(s.connection(), E.name, len(rows))
            s.execute(
                insert(E),
                [
                    {
                        "institution_id": iid,
                        "id": first + n,
                        "learner_id": learner_id,
                        "status": status,
                        "effective_on": on,
                        "reason": None,
                    }
                    for n, (learner_id, status, on) in enumerate(rows)
                ],
            )
        h = history({f"d{n}": day for n, day in enumerate(days)}, anniversary_until=until)
        status = Statuses.either(h)
        stmt = (
            select(
                L.c.id,
                *(status.on(f"d{n}", day) for n, day in enumerate(days)),
                status.anniversary(until),
            )
            .select_from(L.outerjoin(h, joined(h)))
            .order_by(L.c.id)
        )
        got = [tuple(r)[1:] for r in s.execute(stmt)]
        s.rollback()
    expected = [
        (*(replay(story, day) for day in days), replay_anniversary(story, until))
        for story in learners
    ]
    assert got == expected
