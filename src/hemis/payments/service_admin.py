"""The ministry's fee administration from the portal: a year's fee schedule and its payment
windows by province group, each saved in its own transaction (fee schedules and windows are
Audited, so every change is in the audit chain under the user's name)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis import access
from hemis.db.rows import commit
from hemis.payments import service
from hemis.payments.models import FeeSchedule, PaymentWindow


def save_fees(session: Session, year: int, wish_fee: int, exam_fee: int) -> FeeSchedule:
    access.require_ministry(session)
    row = service.set_fees(session, year, wish_fee, exam_fee)
    commit(session)
    return row


def save_window(
    session: Session,
    year: int,
    group: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    provinces: list[str],
) -> PaymentWindow:
    access.require_ministry(session)
    row = service.set_window(session, year, group, opens_at, closes_at, provinces)
    commit(session)
    return row


def fees_of(session: Session, year: int) -> FeeSchedule | None:
    return session.get(FeeSchedule, year)


def windows_of(session: Session, year: int) -> list[PaymentWindow]:
    stmt = (
        select(PaymentWindow)
        .where(PaymentWindow.year == year)
        .order_by(PaymentWindow.province_group)
    )
    return list(session.scalars(stmt))
