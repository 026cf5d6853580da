"""Opening and closing a reporting period now (the ministry's buttons). A period is open on
the days from `opens_on` to `closes_on`, both included; after it, a submission is late."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.access import require_ministry
from hemis.db.rows import commit, get_row
from hemis.errors import Conflict, invalid, problem
from hemis.registry.models import ReportingPeriod
from hemis.registry.schemas import ReportingPeriodCreate
from hemis.registry.service import _check_period_dates, create_reporting_period

DAY = dt.timedelta(days=1)


def is_open(period: ReportingPeriod, today: dt.date) -> bool:
    return period.opens_on <= today <= period.closes_on


def open_period(session: Session, period_id: int, today: dt.date | None = None) -> ReportingPeriod:
    """Open from today; the closing day must not have passed."""
    require_ministry(session, write=False)
    period = get_row(session, ReportingPeriod, period_id)
    day = today or dt.date.today()
    if period.closes_on < day:
        raise invalid(
            "closes_on",
            "reporting_period.closed",
            "Ngày đóng kỳ đã qua: hãy đặt ngày đóng mới trước khi mở lại.",
            "The closing day has passed: set a new closing day before opening again.",
        )
    period.opens_on = min(period.opens_on, day)
    _check_period_dates(period)
    commit(session)
    return period


def close_period(session: Session, period_id: int, today: dt.date | None = None) -> ReportingPeriod:
    """Close now: yesterday becomes the last day (submissions from today on are late)."""
    require_ministry(session, write=False)
    period = get_row(session, ReportingPeriod, period_id)
    last = (today or dt.date.today()) - DAY
    period.closes_on = last
    period.opens_on = min(period.opens_on, last)
    _check_period_dates(period)
    commit(session)
    return period


def create_period(session: Session, data: ReportingPeriodCreate) -> ReportingPeriod:
    """A new period; a year that has one already is named as the field in the way."""
    require_ministry(session, write=False)
    if session.scalar(select(ReportingPeriod.id).where(ReportingPeriod.year == data.year)):
        raise Conflict(
            f"Đã có kỳ báo cáo năm {data.year}.",
            f"There is a reporting period for {data.year} already.",
            code="reporting_period.year_taken",
            details=[
                problem(
                    "year",
                    "reporting_period.year_taken",
                    f"đã có kỳ báo cáo năm {data.year}",
                    f"there is a period for {data.year} already",
                )
            ],
        )
    return create_reporting_period(session, data)
