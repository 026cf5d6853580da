"""Rounds: create → snapshot (scores computed, hashed, stored) → run (matched, results written) →
publish; enrolment confirmation after the final round. Verification from the snapshot alone is
in round_verify.py.

Only the ministry creates, snapshots, runs and publishes rounds. A regular round's snapshot is
taken after the wish window has closed; a supplementary round's after the confirmation deadline
(the year's, and that of every supplementary round before it), over the seats nobody confirmed.
Admissions of the final main round are confirmed by the year's deadline, those of a
supplementary round by the round's own (given at creation, or a week after publication).
Institutions may change quotas between rounds (the next snapshot takes the new ones), never
between a round's snapshot and its publication.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hemis.admissions import access
from hemis.admissions.codes import RoundKind, RoundStatus
from hemis.admissions.eligibility import in_vietnam, local_deadline
from hemis.admissions.frames import write_frame
from hemis.admissions.models import (
    AdmissionRound,
    AdmissionYear,
    EnrolmentConfirmation,
    RoundCandidate,
    RoundDistribution,
    RoundSnapshot,
)
from hemis.admissions.round_results import (
    candidate_frame,
    distribution_rows,
    outcome_of,
    program_frame,
)
from hemis.admissions.schemas import RoundCreate
from hemis.admissions.service import get_year
from hemis.admissions.snapshot import Snapshot, pack, to_problem, unpack
from hemis.admissions.snapshot_build import build_snapshot
from hemis.db.ids import allocate_ids
from hemis.db.rows import commit
from hemis.db.types import utcnow
from hemis.errors import Conflict, Forbidden, NotFound, invalid
from hemis.matching import solve

SUPPLEMENTARY_CONFIRM_DAYS = 7  # a supplementary round's default confirmation window

# (phase, step, steps): reported between database writes, so a progress row written from
# another connection never waits for this one's write lock (SQLite).
Progress = Callable[[str, int, int], None]
SNAPSHOT_STEPS = 3
RUN_STEPS = 3


def _quiet(phase: str, done: int, total: int) -> None:
    """No progress reporting (the API and the CLI call the use cases directly)."""


def get_round(session: Session, round_id: int) -> AdmissionRound:
    row = session.get(AdmissionRound, round_id)
    if row is None:
        raise NotFound("admission_round", round_id)
    return row


def wrong_state(round_: AdmissionRound, expected: RoundStatus) -> Conflict:
    return Conflict(
        f"Đợt {round_.number} đang ở trạng thái {round_.status}, cần {expected.value}.",
        f"Round {round_.number} is {round_.status}; it must be {expected.value}.",
        code="round_state",
        details={"status": round_.status, "expected": expected.value},
    )


def final_round(session: Session, year: int) -> AdmissionRound | None:
    """The published final regular round of a year."""
    return session.scalar(
        select(AdmissionRound)
        .where(
            AdmissionRound.year == year,
            AdmissionRound.is_final.is_(True),
            AdmissionRound.status == RoundStatus.published.value,
        )
        .order_by(AdmissionRound.number.desc())
    )


def create_round(session: Session, data: RoundCreate) -> AdmissionRound:
    access.require_ministry(session)
    get_year(session, data.year)
    rounds = list(session.scalars(select(AdmissionRound).where(AdmissionRound.year == data.year)))
    if any(r.status != RoundStatus.published.value for r in rounds):
        raise Conflict(
            "Còn đợt chưa công bố; hãy hoàn tất đợt đó trước.",
            "A round is not published yet; finish it first.",
            code="round_open",
        )
    if data.kind is RoundKind.regular and any(r.is_final for r in rounds):
        raise Conflict(
            "Đã có đợt chính cuối cùng; chỉ còn đợt bổ sung.",
            "The final main round has run; only supplementary rounds remain.",
            code="round_final",
        )
    if data.kind is RoundKind.supplementary and not any(r.is_final for r in rounds):
        raise Conflict(
            "Đợt bổ sung chỉ mở sau đợt chính cuối cùng.",
            "Supplementary rounds follow the final main round.",
            code="round_not_final",
        )
    if data.kind is RoundKind.regular and data.confirm_deadline_at is not None:
        raise invalid(
            "confirm_deadline_at",
            "round.confirm_deadline",
            "Đợt chính dùng hạn xác nhận nhập học của năm tuyển sinh.",
            "A main round's admissions are confirmed by the year's deadline.",
        )
    row = AdmissionRound(
        year=data.year,
        number=max((r.number for r in rounds), default=0) + 1,
        kind=data.kind.value,
        is_final=data.is_final and data.kind is RoundKind.regular,
        tie_policy=data.tie_policy.value,
        status=RoundStatus.draft.value,
        stats={},
        confirm_deadline_at=data.confirm_deadline_at,
    )
    session.add(row)
    commit(session)
    return row


def take_snapshot(
    session: Session,
    round_id: int,
    now: dt.datetime | None = None,
    progress: Progress = _quiet,
) -> AdmissionRound:
    """Compute every wish's score and store the hashed, immutable snapshot."""
    access.require_ministry(session)
    round_ = get_round(session, round_id)
    if round_.status != RoundStatus.draft.value:
        raise wrong_state(round_, RoundStatus.draft)
    calendar = get_year(session, round_.year)
    moment = now or utcnow()
    closes = (
        calendar.wishes_close_at
        if round_.kind == RoundKind.regular.value
        else _confirmations_close(session, calendar)
    )
    if closes is not None and moment < closes:
        raise Conflict(
            "Chưa hết hạn đăng ký nguyện vọng / xác nhận nhập học.",
            "The wish window (or the confirmation deadline) has not passed yet.",
            code="window_open",
        )
    progress("scoring", 0, SNAPSHOT_STEPS)
    started = time.perf_counter()
    snap = build_snapshot(session, round_)
    scored = time.perf_counter()
    progress("packing", 1, SNAPSHOT_STEPS)
    payload = pack(snap)
    progress("writing", 2, SNAPSHOT_STEPS)
    session.add(
        RoundSnapshot(round_id=round_.id, sha256=snap.sha256, size=len(payload), payload=payload)
    )
    round_.snapshot_sha256 = snap.sha256
    round_.status = RoundStatus.snapshotted.value
    round_.stats = {
        "candidates": snap.n_candidates,
        "wishes": snap.n_wishes,
        "counted_wishes": int(np.count_nonzero(snap["wish_score"] >= 0)),
        "programs": snap.n_programs,
        "seats": int(snap["quota"].sum()),
        "snapshot_bytes": len(payload),
        "seconds_scores": round(scored - started, 3),
        "seconds_snapshot": round(time.perf_counter() - scored, 3),
    }
    commit(session)
    return round_


def load_snapshot(session: Session, round_: AdmissionRound) -> Snapshot:
    row = session.get(RoundSnapshot, round_.id)
    if row is None or round_.snapshot_sha256 is None:
        raise NotFound("round_snapshot", round_.id)
    return unpack(row.payload, round_.snapshot_sha256)


def run_round(session: Session, round_id: int, progress: Progress = _quiet) -> AdmissionRound:
    """Solve the round from its stored snapshot and write the results."""
    access.require_ministry(session)
    round_ = get_round(session, round_id)
    if round_.status != RoundStatus.snapshotted.value:
        raise wrong_state(round_, RoundStatus.snapshotted)
    progress("loading", 0, RUN_STEPS)
    started = time.perf_counter()
    snap = load_snapshot(session, round_)
    match = to_problem(snap)
    progress("matching", 1, RUN_STEPS)
    result = solve(match.problem, round_.tie_policy)  # type: ignore[arg-type]
    solved = time.perf_counter()
    outcome = outcome_of(snap, match, result)
    progress("writing", 2, RUN_STEPS)
    first = allocate_ids(session.connection(), "round_offer_result", max(snap.n_programs, 1))
    write_frame(
        session,
        "round_offer_result",
        program_frame(round_.id, snap, outcome, first),
        use_copy=False,
    )
    write_frame(
        session,
        "round_candidate",
        candidate_frame(round_.id, snap, outcome, first),
        staged=True,  # row-level security: no COPY straight into it
    )
    # the score distributions the ministry publishes with the round (small cells suppressed)
    session.add_all(
        RoundDistribution(
            round_id=round_.id, institution_id=inst, offer_id=offer, bucket=bucket, bins=bins
        )
        for inst, offer, bucket, bins in distribution_rows(snap, outcome)
    )
    round_.status = RoundStatus.run.value
    round_.run_at = utcnow()
    round_.stats = {
        **round_.stats,
        "admitted": int(np.count_nonzero(outcome.held_wish >= 0)),
        "over_quota": int(result.overflow.sum()),
        "seconds_match": round(solved - started, 3),
        "seconds_write": round(time.perf_counter() - solved, 3),
    }
    commit(session)
    return round_


def publish_round(
    session: Session, round_id: int, now: dt.datetime | None = None
) -> AdmissionRound:
    """Publish the round's results, and write what each candidate is shown (the read model,
    published.py) in the same transaction: all or nothing."""
    from hemis.admissions.published import write_published

    access.require_ministry(session)
    round_ = get_round(session, round_id)
    if round_.status != RoundStatus.run.value:
        raise wrong_state(round_, RoundStatus.run)
    round_.status = RoundStatus.published.value
    round_.published_at = now or utcnow()
    if round_.kind == RoundKind.supplementary.value and round_.confirm_deadline_at is None:
        day = in_vietnam(round_.published_at).date()
        round_.confirm_deadline_at = local_deadline(
            day + dt.timedelta(days=SUPPLEMENTARY_CONFIRM_DAYS)
        )
    started = time.perf_counter()
    written = write_published(session, round_)
    round_.stats = {
        **round_.stats,
        "published_rows": written,
        "seconds_publish": round(time.perf_counter() - started, 3),
    }
    commit(session)
    return round_


# --- confirmation ---------------------------------------------------------------------------------


def _confirmations_close(session: Session, calendar: AdmissionYear) -> dt.datetime | None:
    """When the last confirmation window closes: the year's deadline, or a later one of a
    published supplementary round."""
    deadlines = session.scalars(
        select(AdmissionRound.confirm_deadline_at).where(
            AdmissionRound.year == calendar.year,
            AdmissionRound.kind == RoundKind.supplementary.value,
            AdmissionRound.status == RoundStatus.published.value,
            AdmissionRound.confirm_deadline_at.is_not(None),
        )
    )
    known = [d for d in (calendar.confirm_deadline_at, *deadlines) if d is not None]
    return max(known, default=None)


def confirm_deadline(calendar: AdmissionYear, round_: AdmissionRound) -> dt.datetime | None:
    """The deadline for confirming an admission of `round_`."""
    if round_.kind == RoundKind.supplementary.value:
        return round_.confirm_deadline_at
    return calendar.confirm_deadline_at


def confirmation_rounds(session: Session, year: int) -> list[AdmissionRound]:
    """The published rounds whose admissions are confirmed, latest first: the final main round
    and the supplementary rounds after it."""
    final = final_round(session, year)
    if final is None:
        return []
    return list(
        session.scalars(
            select(AdmissionRound)
            .where(
                AdmissionRound.year == year,
                AdmissionRound.status == RoundStatus.published.value,
                or_(
                    AdmissionRound.id == final.id,
                    AdmissionRound.kind == RoundKind.supplementary.value,
                ),
                AdmissionRound.number >= final.number,
            )
            .order_by(AdmissionRound.number.desc())
        )
    )


@dataclass(frozen=True)
class Standing:
    """A candidate's place in the latest confirmation round they took part in: the seat held
    (None: not admitted there) and the deadline for confirming it."""

    round: AdmissionRound
    outcome: RoundCandidate | None
    deadline: dt.datetime | None


def standing(session: Session, year: int, person_id: int) -> Standing | None:
    """Which admission the candidate may confirm: the one of the latest confirmation round they
    took part in (an earlier seat not confirmed in time was declined); None if none."""
    calendar = get_year(session, year)
    for round_ in confirmation_rounds(session, year):
        outcome = session.get(RoundCandidate, (round_.id, person_id))
        if outcome is None:
            continue
        held = outcome if outcome.offer_id is not None and outcome.institution_id else None
        return Standing(round_, held, confirm_deadline(calendar, round_))
    return None


def confirm_enrolment(
    session: Session, year: int, person_id: int, now: dt.datetime | None = None
) -> EnrolmentConfirmation:
    """Confirm the admission of the final round, or of a supplementary round after it, before
    that round's deadline (17:00 local, kept in UTC)."""
    access.require_own(session, person_id)
    if final_round(session, year) is None:
        raise Conflict(
            "Chưa có kết quả đợt xét tuyển cuối cùng.",
            "The final round has not been published.",
            code="no_final_round",
        )
    place = standing(session, year, person_id)
    if place is None or place.outcome is None:
        raise Conflict(
            "Thí sinh không có kết quả trúng tuyển nào để xác nhận.",
            "The candidate holds no admission to confirm.",
            code="not_admitted",
        )
    if place.deadline is None or (now or utcnow()) >= place.deadline:
        raise Forbidden(
            "Đã hết hạn xác nhận nhập học.",
            "The confirmation deadline has passed.",
            code="deadline_passed",
        )
    outcome = place.outcome
    assert outcome.institution_id is not None
    assert outcome.offer_id is not None
    existing = session.scalar(
        select(EnrolmentConfirmation).where(
            EnrolmentConfirmation.year == year, EnrolmentConfirmation.person_id == person_id
        )
    )
    if existing is not None:
        raise Conflict("Đã xác nhận nhập học.", "Enrolment is already confirmed.", code="confirmed")
    row = EnrolmentConfirmation(
        year=year,
        person_id=person_id,
        round_id=place.round.id,
        institution_id=outcome.institution_id,
        offer_id=outcome.offer_id,
        bucket=outcome.bucket or "",
        confirmed_at=now or utcnow(),
    )
    session.add(row)
    commit(session)
    return row


def count_confirmed(session: Session, year: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(EnrolmentConfirmation)
            .where(EnrolmentConfirmation.year == year)
        )
        or 0
    )
