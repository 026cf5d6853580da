"""Pure rules of the demo year: its phases, the calendar of each phase relative to now, the demo
candidate and the size of the cohort. No Session, no HTTP.

The demo admission year follows the real one (Circular 06/2026): exam registration in spring,
wishes in July, payment by province group after the wish window, rounds, then online
confirmation before a deadline. A phase is a moment of that year; its calendar is laid out
around "now", so whatever day the demo runs, the windows of that phase are open or closed as the
phase says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from hemis.admissions.eligibility import VN_TZ
from hemis.synth.common import AS_OF

# The synthetic nation is the 2025 reporting year; its next intake is the 2026 admission year.
REPORTING_YEAR = AS_OF.year
DEMO_YEAR = AS_OF.year + 1
WISH_FEE = 15_000  # đồng per wish (2025's fee)
PROVINCE_GROUPS = 7  # payment windows, one per province group (hemis.payments.rules)
MAX_WISHES = 5  # per cohort candidate: never past the teacher-training limit of 2026 (rank 5)


class Phase(StrEnum):
    registration = "registration"
    wishes = "wishes"
    rounds = "rounds"
    confirmation = "confirmation"
    enrolled = "enrolled"


PHASES = tuple(Phase)
DEFAULT_PHASE = Phase.rounds  # a new demo shows the fullest year a ministry can still act on

PHASE_LABELS: dict[Phase, tuple[str, str]] = {
    Phase.registration: ("Đăng ký dự thi", "Exam registration"),
    Phase.wishes: ("Đăng ký nguyện vọng", "Wishes"),
    Phase.rounds: ("Lọc ảo", "Rounds"),
    Phase.confirmation: ("Xác nhận nhập học", "Confirmation"),
    Phase.enrolled: ("Nhập học", "Enrolled"),
}
PHASE_HELP: dict[Phase, tuple[str, str]] = {
    Phase.registration: (
        "Cửa sổ đăng ký dự thi đang mở; thí sinh sửa được đăng ký của mình. Chưa có điểm thi.",
        "The exam registration window is open; the candidate can edit their registration. "
        "No exam results yet.",
    ),
    Phase.wishes: (
        "Đã có điểm thi; cửa sổ nguyện vọng đang mở: thí sinh thêm, xếp lại, xóa nguyện vọng.",
        "Exam results are in; the wish window is open: the candidate adds, reorders and "
        "removes wishes.",
    ),
    Phase.rounds: (
        "Đã đóng nguyện vọng, đã lập hóa đơn lệ phí; thí sinh thanh toán qua cổng thử nghiệm. "
        "Bộ tự tạo, chốt dữ liệu, lọc ảo và công bố đợt xét tuyển.",
        "Wishes are closed and fees invoiced; the candidate pays through the sandbox gateway. "
        "The ministry creates, snapshots, runs and publishes a round itself.",
    ),
    Phase.confirmation: (
        "Đợt xét tuyển cuối đã công bố; thí sinh trúng tuyển xác nhận nhập học trước hạn.",
        "The final round is published; an admitted candidate confirms before the deadline.",
    ),
    Phase.enrolled: (
        "Đã hết hạn xác nhận; các thí sinh trúng tuyển đã xác nhận nhập học.",
        "The confirmation deadline has passed; the admitted candidates have confirmed.",
    ),
}


def phase_index(phase: Phase) -> int:
    return PHASES.index(phase)


@dataclass(frozen=True)
class Layout:
    """The demo year's calendar at one phase (UTC)."""

    registration_opens_at: dt.datetime
    registration_closes_at: dt.datetime
    wishes_open_at: dt.datetime
    wishes_close_at: dt.datetime
    payment_opens_at: dt.datetime
    payment_closes_at: dt.datetime
    confirm_deadline_at: dt.datetime

    def year_values(self) -> dict[str, dt.datetime]:
        """The admission year's own windows (the payment window belongs to payments)."""
        return {
            "registration_opens_at": self.registration_opens_at,
            "registration_closes_at": self.registration_closes_at,
            "wishes_open_at": self.wishes_open_at,
            "wishes_close_at": self.wishes_close_at,
            "confirm_deadline_at": self.confirm_deadline_at,
        }


# Days from today of each window's ends: (registration, wishes, payment, confirmation deadline).
# Every boundary is at 17:00 Vietnam time (the hour real deadlines use) and at least a day away
# from today, so "open" and "closed" hold whatever the hour; the enrolled phase's deadline is
# the moment the phase is entered (the confirmations were made just before it).
_OFFSETS: dict[Phase, tuple[tuple[int, int], tuple[int, int], tuple[int, int], int | None]] = {
    Phase.registration: ((-5, 9), (30, 42), (43, 50), 75),
    Phase.wishes: ((-60, -46), (-3, 9), (10, 17), 42),
    Phase.rounds: ((-75, -61), (-14, -2), (-1, 6), 30),
    Phase.confirmation: ((-100, -86), (-40, -28), (-27, -20), 7),
    Phase.enrolled: ((-130, -116), (-70, -58), (-57, -50), None),
}


def _at_17(now: dt.datetime, days: int) -> dt.datetime:
    local = now.astimezone(VN_TZ).date() + dt.timedelta(days=days)
    return dt.datetime.combine(local, dt.time(17), tzinfo=VN_TZ).astimezone(dt.UTC)


def layout(phase: Phase, now: dt.datetime) -> Layout:
    """The calendar of `phase` laid out around `now` (an aware time)."""
    registration, wishes, payment, deadline = _OFFSETS[phase]
    return Layout(
        registration_opens_at=_at_17(now, registration[0]),
        registration_closes_at=_at_17(now, registration[1]),
        wishes_open_at=_at_17(now, wishes[0]),
        wishes_close_at=_at_17(now, wishes[1]),
        payment_opens_at=_at_17(now, payment[0]),
        payment_closes_at=_at_17(now, payment[1]),
        confirm_deadline_at=(
            now.astimezone(dt.UTC).replace(microsecond=0)
            if deadline is None
            else _at_17(now, deadline)
        ),
    )


@dataclass(frozen=True)
class ReportingWindow:
    opens_on: dt.date
    closes_on: dt.date


def reporting_window(today: dt.date) -> ReportingWindow:
    """The reporting period of the demo nation's year, open today (two weeks in, six to go)."""
    return ReportingWindow(today - dt.timedelta(days=14), today + dt.timedelta(days=45))


def cohort_size(scale: float) -> int:
    """Candidates of the demo cohort: 2,000 at the demo's scale 0.01, at least 60."""
    return max(60, min(5_000, round(scale * 200_000)))


@dataclass(frozen=True)
class DemoCandidate:
    """The person behind the demo candidate login (a synthetic identity, valid CCCD structure)."""

    national_id: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    school_code: str
    school_name: str
    area: str
    electives: tuple[str, str]
    foreign_language: str
    exam_site: str
    # Exam scores (hundredths) and a competency test: strong enough to be admitted to a
    # selective program, not to the most selective one (the results page explains both).
    exam_h: tuple[tuple[str, int], ...]
    hsa_h: int


DEMO_CANDIDATE = DemoCandidate(
    national_id="001308123457",
    full_name="Trần Thị Minh Anh",
    date_of_birth=dt.date(2008, 4, 15),
    sex="female",
    school_code="01012",
    school_name="THPT Chu Văn An",
    area="KV2",
    electives=("physics", "foreign_language"),
    foreign_language="N1",
    exam_site="01",
    exam_h=(("math", 875), ("literature", 750), ("physics", 865), ("english", 850)),
    hsa_h=10500,
)
