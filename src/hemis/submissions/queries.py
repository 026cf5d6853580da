"""Read side of submissions: lists for the pages and the API, and the ministry's overview of a
reporting period (who has not submitted, who is late, open returns and override requests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.errors import NotFound
from hemis.registry.models import Institution, ReportingPeriod
from hemis.submissions.models import Submission, SubmissionAnswer, SubmissionJob
from hemis.submissions.rules import AnswerStatus, JobStatus, SubmissionStatus, is_late

DONE = (SubmissionStatus.submitted.value, SubmissionStatus.accepted.value)


def periods(session: Session) -> list[ReportingPeriod]:
    return list(session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())))


def period_of_year(session: Session, year: int | None) -> ReportingPeriod:
    """The period of `year`, else the latest one."""
    stmt = select(ReportingPeriod)
    stmt = (
        stmt.where(ReportingPeriod.year == year)
        if year is not None
        else stmt.order_by(ReportingPeriod.year.desc()).limit(1)
    )
    period = session.scalars(stmt).first()
    if period is None:
        raise NotFound("reporting_period", year)
    return period


def submissions(session: Session, period_id: int | None = None) -> list[Submission]:
    stmt = select(Submission).order_by(Submission.period_id.desc(), Submission.version.desc())
    if period_id is not None:
        stmt = stmt.where(Submission.period_id == period_id)
    return list(session.scalars(stmt))


def recent_jobs(session: Session, limit: int = 20) -> list[SubmissionJob]:
    stmt = (
        select(SubmissionJob)
        .order_by(SubmissionJob.created_at.desc(), SubmissionJob.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Row:
    institution_id: int
    moet_code: str
    name_vi: str
    submission_id: int | None
    version: int | None
    status: str | None
    submitted_at: dt.datetime | None
    late: bool


@dataclass(frozen=True)
class Overview:
    period: ReportingPeriod
    rows: list[Row]
    pending: list[SubmissionAnswer]

    @property
    def not_submitted(self) -> list[Row]:
        return [r for r in self.rows if r.submitted_at is None]

    @property
    def late(self) -> list[Row]:
        return [r for r in self.rows if r.late]

    @property
    def returned(self) -> list[Row]:
        return [r for r in self.rows if r.status == SubmissionStatus.returned]


def overview(session: Session, period: ReportingPeriod, today: dt.date | None = None) -> Overview:
    """Every active institution with the latest version of its submission for the period; it
    has submitted once a version is submitted or accepted (a later correction does not undo
    that), and it is late if that happened after the period closed, or has not happened yet
    and the period has closed."""
    today = today or dt.date.today()
    latest: dict[int, Submission] = {}
    first_done: dict[int, dt.datetime] = {}
    for sub in submissions(session, period.id):
        current = latest.get(sub.institution_id)
        if current is None or sub.version > current.version:
            latest[sub.institution_id] = sub
        if sub.status in DONE and sub.submitted_at is not None:
            done = first_done.get(sub.institution_id)
            first_done[sub.institution_id] = (
                min(done, sub.submitted_at) if done else sub.submitted_at
            )
    institutions = session.scalars(
        select(Institution).where(Institution.status == "active").order_by(Institution.moet_code)
    )
    rows = []
    for inst in institutions:
        found = latest.get(inst.id)
        submitted = first_done.get(inst.id)
        rows.append(
            Row(
                inst.id,
                inst.moet_code,
                inst.name_vi,
                found.id if found else None,
                found.version if found else None,
                found.status if found else None,
                submitted,
                is_late(period.closes_on, submitted, today),
            )
        )
    ids = [s.id for s in latest.values()]
    pending = list(
        session.scalars(
            select(SubmissionAnswer)
            .where(
                SubmissionAnswer.status == AnswerStatus.pending.value,
                SubmissionAnswer.submission_id.in_(ids),
            )
            .order_by(SubmissionAnswer.institution_id, SubmissionAnswer.id)
        )
    )
    return Overview(period, rows, pending)


@dataclass(frozen=True)
class Returned:
    """A submission the ministry returned, for the banner on its institution's home page."""

    submission: Submission
    period_name: str


def returned_submissions(session: Session) -> list[Returned]:
    """The caller's returned submissions (an officer: their institution's), newest first."""
    stmt = (
        select(Submission, ReportingPeriod.name)
        .join(ReportingPeriod, ReportingPeriod.id == Submission.period_id)
        .where(Submission.status == SubmissionStatus.returned.value)
        .order_by(Submission.reviewed_at.desc())
    )
    return [Returned(sub, str(name)) for sub, name in session.execute(stmt)]


def queued_jobs(session: Session) -> tuple[int, dt.datetime | None]:
    """How many files wait for the job runner, and when the oldest was queued (the metrics)."""
    count, oldest = session.execute(
        select(func.count(), func.min(SubmissionJob.created_at)).where(
            SubmissionJob.status == JobStatus.queued.value
        )
    ).one()
    return int(count), oldest
