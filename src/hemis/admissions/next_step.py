"""A candidate's next step in the admission year and its deadline (pure: no Session, no HTTP).

The steps follow the year's calendar: register for the exam, register the wishes, pay the fee
for them (while the candidate's province group's payment window is open or to come), wait for
the results, confirm the enrolment. A deadline is shown only while it is still ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Calendar:
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    wishes_open_at: dt.datetime | None
    wishes_close_at: dt.datetime | None
    confirm_deadline_at: dt.datetime | None


@dataclass(frozen=True)
class Situation:
    calendar: Calendar | None  # None: no admission year opened yet
    may_register: bool  # the account's identity allows registering (assurance level 2)
    registered: bool
    wishes: int
    admitted: bool  # admitted in the latest published round
    confirmed: bool
    # An unpaid invoice's payment window (opens, closes), None when nothing is owed.
    payment_due: tuple[dt.datetime, dt.datetime] | None = None


@dataclass(frozen=True)
class Step:
    code: str
    vi: str
    en: str
    href: str | None = None
    deadline: dt.datetime | None = None
    opens_at: dt.datetime | None = None  # the step's window opens later


def _ahead(moment: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    return moment if moment is not None and moment >= now else None


def _window(
    opens: dt.datetime | None, closes: dt.datetime | None, now: dt.datetime
) -> tuple[bool, dt.datetime | None, dt.datetime | None]:
    """(still to come or open, deadline, opening if later)."""
    if closes is not None and closes < now:
        return False, None, None
    later = opens if opens is not None and opens > now else None
    return True, closes, later


def next_step(situation: Situation, now: dt.datetime) -> Step:
    s = situation
    cal = s.calendar
    if cal is None:
        return Step(
            "wait_year",
            "Chờ Bộ GD&ĐT công bố kế hoạch tuyển sinh.",
            "Wait for the ministry to publish the admission calendar.",
        )
    if s.confirmed:
        return Step(
            "done",
            "Bạn đã xác nhận nhập học. Chúc mừng!",
            "You have confirmed your enrolment. Congratulations!",
            "/admissions/results",
        )
    if s.admitted:
        deadline = _ahead(cal.confirm_deadline_at, now)
        if cal.confirm_deadline_at is not None and deadline is None:
            return Step(
                "confirm_missed",
                "Đã hết hạn xác nhận nhập học.",
                "The enrolment confirmation deadline has passed.",
                "/admissions/results",
            )
        return Step(
            "confirm",
            "Xác nhận nhập học trực tuyến.",
            "Confirm your enrolment online.",
            "/admissions/results",
            deadline,
        )
    if not s.registered:
        coming, deadline, opens = _window(
            cal.registration_opens_at, cal.registration_closes_at, now
        )
        if not coming:
            return Step(
                "registration_closed",
                "Đã hết thời gian đăng ký dự thi.",
                "The exam registration window has closed.",
            )
        if not s.may_register:
            return Step(
                "upgrade_identity",
                "Nâng tài khoản định danh điện tử lên mức 2 (xác thực tại cơ quan công an), "
                "rồi đăng nhập lại để đăng ký dự thi.",
                "Upgrade your e-ID account to level 2 (verified in person by the police), then "
                "log in again to register for the exam.",
                None,
                deadline,
                opens,
            )
        return Step(
            "register",
            "Đăng ký dự thi tốt nghiệp THPT.",
            "Register for the national exam.",
            "/admissions/registration",
            deadline,
            opens,
        )
    coming, deadline, opens = _window(cal.wishes_open_at, cal.wishes_close_at, now)
    if coming and (cal.wishes_open_at or cal.wishes_close_at):
        return Step(
            "wishes" if s.wishes == 0 else "review_wishes",
            "Đăng ký nguyện vọng xét tuyển."
            if s.wishes == 0
            else "Kiểm tra và điều chỉnh nguyện vọng xét tuyển.",
            "Register your admission wishes." if s.wishes == 0 else "Review your wishes.",
            "/admissions/wishes",
            deadline,
            opens,
        )
    if s.payment_due is not None:
        coming, deadline, opens = _window(*s.payment_due, now)
        if coming:
            return Step(
                "pay",
                "Nộp lệ phí xét tuyển trực tuyến cho các nguyện vọng đã đăng ký.",
                "Pay the admission fee for your wishes online.",
                "/payments",
                deadline,
                opens,
            )
    return Step(
        "wait_results",
        "Chờ kết quả xét tuyển.",
        "Wait for the admission results.",
        "/admissions/results",
    )
