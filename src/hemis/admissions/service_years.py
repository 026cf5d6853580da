"""Opening and closing the windows of an admission year now (the ministry's buttons): the
registration and wish windows, and the enrolment confirmation deadline. Every change is audited
(AdmissionYear is Audited); the calendar's order is checked as when it is edited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hemis.admissions import access
from hemis.admissions.models import AdmissionYear
from hemis.admissions.service import _check_calendar, get_year
from hemis.db.rows import commit
from hemis.db.types import utcnow
from hemis.errors import NotFound, invalid

# window → (the column of its opening, the column of its closing); confirmation has a deadline.
WINDOWS: dict[str, tuple[str | None, str]] = {
    "registration": ("registration_opens_at", "registration_closes_at"),
    "wishes": ("wishes_open_at", "wishes_close_at"),
    "confirmation": (None, "confirm_deadline_at"),
}
# How long before "now" a window closed now is said to have opened, when it never had.
CLOSED_SPAN = dt.timedelta(minutes=1)


def _columns(window: str) -> tuple[str | None, str]:
    if window not in WINDOWS:
        raise NotFound("admission_window", window[:20])
    return WINDOWS[window]


def open_window(
    session: Session, year: int, window: str, now: dt.datetime | None = None
) -> AdmissionYear:
    """Open a window now; it must already have a closing time after now."""
    access.require_ministry(session)
    opens, closes = _columns(window)
    row = get_year(session, year)
    moment = now or utcnow()
    closing = getattr(row, closes)
    if opens is None or closing is None or closing <= moment:
        raise invalid(
            closes,
            "calendar.closes_first",
            "Hãy đặt thời điểm đóng (sau thời điểm hiện tại) trước khi mở.",
            "Set a closing time after now before opening the window.",
        )
    setattr(row, opens, moment)
    _check_calendar(row)
    commit(session)
    return row


def close_window(
    session: Session, year: int, window: str, now: dt.datetime | None = None
) -> AdmissionYear:
    """Close a window now (a window that never opened is recorded as open for no time)."""
    access.require_ministry(session)
    opens, closes = _columns(window)
    row = get_year(session, year)
    moment = now or utcnow()
    setattr(row, closes, moment)
    if opens is not None:
        opening = getattr(row, opens)
        if opening is None or opening >= moment:
            setattr(row, opens, moment - CLOSED_SPAN)
    _check_calendar(row)
    commit(session)
    return row
