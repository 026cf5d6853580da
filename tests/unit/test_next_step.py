"""The candidate's next step follows the year's calendar, and a deadline shown is never past."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hemis.admissions.next_step import Calendar, Situation, next_step

NOW = dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
OPEN = Calendar(NOW - DAY, NOW + DAY, NOW + 10 * DAY, NOW + 20 * DAY, NOW + 40 * DAY)


def _situation(**changes: object) -> Situation:
    values: dict[str, object] = {
        "calendar": OPEN,
        "may_register": True,
        "registered": False,
        "wishes": 0,
        "admitted": False,
        "confirmed": False,
    }
    values.update(changes)
    return Situation(**values)  # type: ignore[arg-type]


def test_the_steps_of_the_year_in_order() -> None:
    step = next_step(_situation(), NOW)
    assert (step.code, step.deadline, step.href) == (
        "register",
        NOW + DAY,
        "/admissions/registration",
    )
    step = next_step(_situation(registered=True), NOW)
    assert (step.code, step.deadline, step.opens_at) == ("wishes", NOW + 20 * DAY, NOW + 10 * DAY)
    assert next_step(_situation(registered=True, wishes=3), NOW).code == "review_wishes"
    after_wishes = NOW + 21 * DAY
    assert next_step(_situation(registered=True, wishes=3), after_wishes).code == "wait_results"
    step = next_step(_situation(registered=True, admitted=True), after_wishes)
    assert (step.code, step.deadline) == ("confirm", NOW + 40 * DAY)
    assert next_step(_situation(registered=True, admitted=True), NOW + 41 * DAY).code == (
        "confirm_missed"
    )
    assert next_step(_situation(admitted=True, confirmed=True), NOW).code == "done"
    assert next_step(_situation(calendar=None), NOW).code == "wait_year"


def test_an_unpaid_fee_is_the_step_after_the_wishes_until_its_window_closes() -> None:
    after_wishes = NOW + 21 * DAY
    window = (NOW + 22 * DAY, NOW + 25 * DAY)
    owing = _situation(registered=True, wishes=3, payment_due=window)
    step = next_step(owing, after_wishes)  # the province group's window opens tomorrow
    assert (step.code, step.href, step.opens_at, step.deadline) == (
        "pay",
        "/payments",
        NOW + 22 * DAY,
        NOW + 25 * DAY,
    )
    assert next_step(owing, NOW + 23 * DAY).code == "pay"
    assert next_step(owing, NOW + 26 * DAY).code == "wait_results"  # the window has closed
    # while the wish window is open, reviewing the wishes comes first; once paid, nothing is due
    assert next_step(owing, NOW + 15 * DAY).code == "review_wishes"
    assert next_step(_situation(registered=True, wishes=3), after_wishes).code == "wait_results"
    # admitted candidates confirm, whatever they owe
    admitted = _situation(registered=True, wishes=3, admitted=True, payment_due=window)
    assert next_step(admitted, NOW + 23 * DAY).code == "confirm"


def test_a_level_1_account_is_told_to_upgrade_not_to_register() -> None:
    step = next_step(_situation(may_register=False), NOW)
    assert step.code == "upgrade_identity"
    assert step.href is None
    assert step.deadline == NOW + DAY
    assert next_step(_situation(may_register=False), NOW + 2 * DAY).code == "registration_closed"


moments = st.one_of(st.none(), st.integers(-60, 60).map(lambda days: NOW + dt.timedelta(days=days)))


@given(
    st.builds(Calendar, moments, moments, moments, moments, moments),
    st.booleans(),
    st.booleans(),
    st.integers(0, 5),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.tuples(moments, moments).filter(lambda w: None not in w)),
)
def test_a_deadline_shown_is_never_in_the_past(
    calendar: Calendar,
    may_register: bool,
    registered: bool,
    wishes: int,
    admitted: bool,
    confirmed: bool,
    payment_due: tuple[dt.datetime, dt.datetime] | None,
) -> None:
    situation = Situation(
        calendar, may_register, registered, wishes, admitted, confirmed, payment_due
    )
    step = next_step(situation, NOW)
    assert step.deadline is None or step.deadline >= NOW
    assert step.opens_at is None or step.opens_at > NOW
    assert (step.code == "done") == confirmed
    if step.code == "register":
        assert may_register
