"""Status histories of learners: admission, then suspensions, withdrawals, transfers, graduation.

Everything is computed on arrays of day numbers. Each learner has at most four events, built in
date order; events after the snapshot date are cut off, so the kept events are a prefix of the
planned ones and the learner's status is the last kept event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hemis.synth.common import AS_OF_DAY, BoolArray, FloatArray, IntArray, weighted

STATUSES = ("enrolled", "suspended", "withdrawn", "transferred", "graduated")
ENROLLED, SUSPENDED, WITHDRAWN, TRANSFERRED, GRADUATED = range(5)
REASONS = (
    "Nhập học",
    "Trở lại học sau bảo lưu",
    "Bảo lưu kết quả học tập",
    "Tạm dừng học vì lý do sức khỏe",
    "Thôi học theo nguyện vọng",
    "Buộc thôi học do kết quả học tập",
    "Chuyển sang cơ sở đào tạo khác",
    "Công nhận tốt nghiệp",
)
_WITHDRAW = np.array([0.10, 0.08, 0.12])  # by level: bachelor, master, doctor
_TRANSFER = 0.02
_SUSPEND = 0.06
_DELAYS = np.array([0, 183, 365, 548, 730])
_DELAY_P = [0.62, 0.20, 0.10, 0.04, 0.04]


@dataclass(frozen=True)
class Histories:
    """Per learner: kept events (flattened, in learner then date order) and the final state."""

    learner: IntArray  # index of the learner of each event
    status: IntArray  # index into STATUSES
    day: IntArray
    reason: IntArray  # index into REASONS
    final_status: IntArray
    final_day: IntArray

    @property
    def graduated(self) -> BoolArray:
        return np.asarray(self.final_status == GRADUATED)


def simulate(
    g: np.random.Generator, admitted: IntArray, duration: FloatArray, level: IntArray
) -> Histories:
    n = len(admitted)
    span = np.round(duration * 365.25).astype(np.int64)
    fate = np.full(n, GRADUATED, dtype=np.int64)
    u = g.random(n)
    fate[u < _WITHDRAW[level]] = WITHDRAWN
    fate[(u >= _WITHDRAW[level]) & (u < _WITHDRAW[level] + _TRANSFER)] = TRANSFERRED
    suspends = g.random(n) < _SUSPEND
    # Suspension episode: starts in the course of study, lasts 5–13 months.
    s_hi = np.maximum(np.minimum(span - 120, 900), 121)
    s_day = admitted + g.integers(120, s_hi)
    s_len = g.integers(150, 400, n)
    back = s_day + s_len
    shift = np.where(suspends, np.ceil(s_len / 183).astype(np.int64) * 183, 0)
    delay = _DELAYS[weighted(g, _DELAY_P, n)]
    grad = admitted + span + delay - g.integers(50, 90, n) + shift
    withdraw = admitted + 30 + (span * g.beta(1.2, 3.0, n)).astype(np.int64)
    transfer = np.where(suspends, back + g.integers(60, 400, n), admitted + g.integers(180, 700, n))
    terminal_day = np.choose(fate - WITHDRAWN, [withdraw, transfer, grad])

    status = np.full((n, 4), -1, dtype=np.int64)
    day = np.full((n, 4), np.iinfo(np.int64).max, dtype=np.int64)
    status[:, 0], day[:, 0] = ENROLLED, admitted
    # Without a suspension: admission, then the fate.
    plain = ~suspends
    status[plain, 1], day[plain, 1] = fate[plain], terminal_day[plain]
    # With one: admission, suspension, then withdrawal — or return and the fate.
    status[suspends, 1], day[suspends, 1] = SUSPENDED, s_day[suspends]
    quits = suspends & (fate == WITHDRAWN)
    status[quits, 2], day[quits, 2] = WITHDRAWN, back[quits]
    returns = suspends & (fate != WITHDRAWN)
    status[returns, 2], day[returns, 2] = ENROLLED, back[returns]
    status[returns, 3], day[returns, 3] = fate[returns], terminal_day[returns]

    r = g.random((n, 4))
    reason = np.select(
        [
            status == SUSPENDED,
            status == WITHDRAWN,
            status == TRANSFERRED,
            status == GRADUATED,
            (status == ENROLLED) & (np.arange(4) > 0),
        ],
        [np.where(r < 0.7, 2, 3), np.where(r < 0.6, 4, 5), 6, 7, 1],
        default=0,
    )
    kept = (status >= 0) & (day <= AS_OF_DAY)
    count = kept.sum(axis=1)
    last = count - 1
    rows = np.arange(n)
    final_status = status[rows, last]
    final_day = day[rows, last]
    who, col = np.nonzero(kept)
    return Histories(
        learner=who.astype(np.int64),
        status=status[who, col],
        day=day[who, col],
        reason=reason[who, col],
        final_status=final_status,
        final_day=final_day,
    )


def latest_term(day: IntArray) -> tuple[IntArray, IntArray]:
    """(academic year, term) containing each day: term 1 Sep–Jan, 2 Feb–Jun, 3 Jul–Aug."""
    dates = day.astype("datetime64[D]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    academic_year = np.where(month >= 9, year, year - 1)
    term = np.select([month >= 9, month == 1, month <= 6], [1, 1, 2], default=3)
    return academic_year.astype(np.int64), term.astype(np.int64)
