"""Submission tables: one row per institution, reporting period and version; import jobs; the
institution's answers to warnings; and the per-entity snapshots frozen at sign-off.

All four are tenant tables keyed (institution_id, id): officers see only their own rows (the
ORM filter) and, on PostgreSQL, row-level security says the same again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Audited, Base, TenantMixin, TimestampMixin
from hemis.db.types import utcnow
from hemis.registry.models._common import code_column_type, in_codes
from hemis.submissions.rules import (
    AnswerKind,
    AnswerStatus,
    JobStatus,
    ReviewEvent,
    SubmissionStatus,
)


class Submission(Audited, TenantMixin, TimestampMixin, Base):
    """An institution's data for one reporting period, in one version; a correction of an
    accepted version is a new row with version + 1."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("institution_id", "period_id", "version"),
        in_codes("status", SubmissionStatus),
    )

    period_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("reporting_period.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(
        code_column_type(SubmissionStatus), default=SubmissionStatus.draft.value
    )
    previous_id: Mapped[int | None] = mapped_column(BigInteger)
    opened_by: Mapped[str] = mapped_column(String(100))
    validated_at: Mapped[dt.datetime | None]
    signed_by_name: Mapped[str | None] = mapped_column(String(150))
    signed_by_title: Mapped[str | None] = mapped_column(String(150))
    signed_off_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime | None]
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)


class SubmissionReview(TenantMixin, Base):
    """The thread of a submission: each sign-off, return and acceptance, with the version it
    concerns and its comment. A returned version's comment stays with that version; signing
    off again after a return makes the next version, which starts its own part of the thread."""

    __tablename__ = "submission_review"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "submission_id"], ["submission.institution_id", "submission.id"]
        ),
        in_codes("event", ReviewEvent),
    )

    submission_id: Mapped[int] = mapped_column(BigInteger, index=True)
    version: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(code_column_type(ReviewEvent))
    comment: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SubmissionJob(TenantMixin, Base):
    """One file or batch to validate and apply, run by the job runner (jobs.py)."""

    __tablename__ = "submission_job"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "submission_id"], ["submission.institution_id", "submission.id"]
        ),
        in_codes("status", JobStatus),
    )

    submission_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    entity: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(10))  # upload, batch, cli
    full_replacement: Mapped[bool] = mapped_column(Boolean, default=False)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(
        code_column_type(JobStatus), default=JobStatus.queued.value, index=True
    )
    phase: Mapped[str] = mapped_column(String(20), default="queued")
    processed: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    heartbeat_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(120))  # who runs it (lease.py)
    # The uploaded file, encrypted (ADR 0003), kept only until the job ends.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    issues: Mapped[bytes | None] = mapped_column(LargeBinary)  # the issue table, as Parquet
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SubmissionAnswer(Audited, TenantMixin, TimestampMixin, Base):
    """The institution's answer to a warning rule (an explanation or an override request) and,
    for an override request, the ministry's decision."""

    __tablename__ = "submission_answer"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "submission_id"], ["submission.institution_id", "submission.id"]
        ),
        UniqueConstraint("institution_id", "submission_id", "entity", "rule"),
        in_codes("kind", AnswerKind),
        in_codes("status", AnswerStatus),
    )

    submission_id: Mapped[int] = mapped_column(BigInteger)
    entity: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(80))
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    kind: Mapped[str] = mapped_column(code_column_type(AnswerKind))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(code_column_type(AnswerStatus))
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)


class SubmissionSnapshot(TenantMixin, Base):
    """One entity of a signed-off version: row count, SHA-256 of its canonical content and the
    per-record fingerprints (Parquet: key, hash) that the next version is compared with."""

    __tablename__ = "submission_snapshot"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "submission_id"], ["submission.institution_id", "submission.id"]
        ),
        UniqueConstraint("institution_id", "submission_id", "entity"),
    )

    submission_id: Mapped[int] = mapped_column(BigInteger)
    entity: Mapped[str] = mapped_column(String(40))
    row_count: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    fingerprints: Mapped[bytes] = mapped_column(LargeBinary)
