"""Pydantic shapes of the submissions API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hemis.common.bodies import NoBooleanNumbers
from hemis.submissions.rules import AnswerKind

MAX_BATCH = 50_000  # records per JSON batch; larger sets go through a file upload
MAX_BATCH_BYTES = 32 << 20  # its body (parsed, a JSON body takes several times its size)


class Strict(NoBooleanNumbers):
    model_config = ConfigDict(extra="forbid")


class AnswerCreate(Strict):
    """An explanation of a warning rule, or a request that the ministry accept it."""

    entity: str = Field(max_length=40, examples=["learners"])
    rule: str = Field(max_length=80, examples=["LRN.national_id.elsewhere"])
    kind: AnswerKind
    text: str = Field(min_length=3, max_length=4000)


class Decision(Strict):
    approve: bool
    comment: str | None = Field(None, max_length=4000)


class ReviewBody(Strict):
    comment: str | None = Field(None, max_length=4000)


class SignOffBody(Strict):
    """The head of the institution's sign-off: their name and title, and the confirmation."""

    head_name: str = Field(min_length=3, max_length=150)
    head_title: str = Field(min_length=2, max_length=150)
    confirm: bool = Field(description="The head confirms the data is complete and correct.")


class BatchBody(Strict):
    """Records of one entity from an institution's system: each record maps the template's
    column names to values (strings, numbers, booleans or null)."""

    records: list[dict[str, str | int | float | bool | None]] = Field(max_length=MAX_BATCH)
    full_replacement: bool = False
    dry_run: bool = False
    period_year: int | None = Field(None, ge=2000, le=2100)


class TableCounts(BaseModel):
    table: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    written: int
    absent: int
    absent_keys: list[str]
    deleted: int = 0


class IssueRead(BaseModel):
    row: int | None
    column: str | None
    rule: str
    severity: str
    tier: str
    value: str | None
    message: str
    message_en: str


class ImportRead(BaseModel):
    """What happened to a file or a batch: applied, a clean dry run, or rejected (nothing
    written); the counts per table and the issues."""

    status: str
    entity: str
    rows: int
    errors: int
    warnings: int
    rows_written: int
    submission_id: int | None
    tables: list[TableCounts]
    issues: list[IssueRead]
    issues_truncated: bool = False


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institution_id: int
    submission_id: int | None
    entity: str
    filename: str
    source: str
    full_replacement: bool
    dry_run: bool
    status: str
    phase: str
    processed: int
    total: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None


class AnswerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    submission_id: int
    entity: str
    rule: str
    row_count: int
    kind: str
    text: str
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_comment: str | None


class WarningRead(BaseModel):
    entity: str
    rule: str
    rows: int
    message: str
    message_en: str
    answer: AnswerRead | None


class SubmissionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institution_id: int
    period_id: int
    version: int
    status: str
    previous_id: int | None
    validated_at: dt.datetime | None
    submitted_at: dt.datetime | None
    signed_by_name: str | None
    signed_by_title: str | None
    snapshot_sha256: str | None
    diff: dict[str, Any] | None
    reviewed_at: dt.datetime | None
    review_comment: str | None


class SubmissionDetail(SubmissionRead):
    warnings: list[WarningRead]
    jobs: list[JobRead]


class OverviewRow(BaseModel):
    institution_id: int
    moet_code: str
    name_vi: str
    submission_id: int | None
    version: int | None
    status: str | None
    submitted_at: dt.datetime | None
    late: bool


class OverviewRead(BaseModel):
    period_year: int
    closes_on: dt.date
    not_submitted: list[OverviewRow]
    late: list[OverviewRow]
    returned: list[OverviewRow]
    pending_overrides: list[AnswerRead]
    rows: list[OverviewRow]
