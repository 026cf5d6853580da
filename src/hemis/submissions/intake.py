"""Files and batches coming in: which institution they are for, storing an upload as a queued
job (encrypted, ADR 0003), and running a JSON batch from an institution's system straight away
(under the same column and cell limits as a file, `hemis.imports.limits`)."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hemis.common.crypto import IdCipher
from hemis.common.national_ids import mask_text
from hemis.db.rows import commit
from hemis.db.tenancy import get_scope
from hemis.errors import Forbidden, HemisError, ReadOnly, ValidationFailed
from hemis.imports.entities import get_entity
from hemis.imports.limits import ReadLimits, check_table, too_many_columns
from hemis.imports.readers import RawTable
from hemis.registry.models import Institution
from hemis.submissions import jobs
from hemis.submissions.importer import ImportOptions, ImportOutcome
from hemis.submissions.models import SubmissionJob
from hemis.submissions.rules import JobStatus
from hemis.submissions.schemas import BatchBody
from hemis.submissions.targets import check_applicable
from hemis.submissions.uploads import seal_upload

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def target_institution(session: Session, institution_code: str | None) -> int:
    """An officer imports into their own institution (naming another is refused); a ministry
    administrator names one by code."""
    scope = get_scope(session)
    if not scope.writable:
        raise ReadOnly()
    found = None
    if institution_code is not None:
        found = session.scalar(
            select(Institution.id).where(Institution.moet_code == institution_code)
        )
    if not scope.national:
        if institution_code is not None and found != scope.institution_id:
            raise Forbidden(
                "Không được nộp dữ liệu cho cơ sở đào tạo khác.",
                "Submitting another institution's data is not allowed.",
                code="tenancy_violation",
            )
        assert scope.institution_id is not None
        return scope.institution_id
    if found is None:
        raise ValidationFailed(
            "Cần chỉ rõ cơ sở đào tạo (institution_code).",
            "Name the institution (institution_code).",
            details=[{"field": "institution_code", "code": "intake.institution"}],
        )
    return int(found)


def enqueue_upload(
    session: Session,
    cipher: IdCipher,
    *,
    institution_id: int,
    entity: str,
    filename: str,
    payload: bytes,
    full_replacement: bool = False,
    dry_run: bool = False,
    period_year: int | None = None,
) -> SubmissionJob:
    """Store an uploaded file as a queued job (the caller starts the worker)."""
    spec = get_entity(entity)
    if not dry_run:
        check_applicable(spec.name)
    if len(payload) > MAX_UPLOAD_BYTES:
        raise HemisError(
            "Tệp quá lớn để tải lên qua trang (tối đa 100 MB); hãy dùng lệnh `hemis import`.",
            "The file is too large for an upload (100 MB at most); use `hemis import`.",
            code="import.too_large",
            status=413,
        )
    if not payload:
        raise ValidationFailed(
            "Tệp rỗng.", "The file is empty.", details=[{"field": "file", "code": "intake.empty"}]
        )
    job = SubmissionJob(
        institution_id=institution_id,
        entity=spec.name,
        filename=mask_text(filename or "upload.csv")[:255],  # shown on pages and reports
        source="upload",
        full_replacement=full_replacement,
        dry_run=dry_run,
        status=JobStatus.queued.value,
        phase="queued",
        processed=0,
        total=0,
        created_by=get_scope(session).actor,
        payload=seal_upload(cipher, institution_id, payload),
        result={"period_year": period_year} if period_year else None,
    )
    session.add(job)
    commit(session)
    return job


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def records_table(records: list[dict[str, Any]], limits: ReadLimits | None = None) -> RawTable:
    """JSON records as a table of strings; record n is row n of the report. Refused
    (UnreadableFile) past the column and cell limits of a file."""
    limits = limits or ReadLimits()
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
        if len(names) > limits.max_columns:
            raise too_many_columns(len(names), limits)
    frame = pl.DataFrame(
        {name: [_text(r.get(name)) for r in records] for name in names},
        schema=dict.fromkeys(names, pl.String),
    )
    check_table(frame, limits)
    return RawTable(frame, "json", header_row=0)


def run_batch(
    engine: Engine,
    cipher: IdCipher,
    session: Session,
    entity: str,
    body: BatchBody,
    institution_code: str | None,
    limits: ReadLimits | None = None,
) -> tuple[ImportOutcome, int]:
    """Validate and apply a batch now (it is small); returns the outcome and its job id."""
    institution_id = target_institution(session, institution_code)
    spec = get_entity(entity)
    options = ImportOptions(
        spec.name,
        institution_id,
        get_scope(session).actor,
        source="batch",
        full_replacement=body.full_replacement,
        dry_run=body.dry_run,
        period_year=body.period_year,
    )
    table = records_table(list(body.records), limits)
    session.rollback()  # the import runs on its own connection; hold no lock meanwhile
    return jobs.run_recorded(engine, cipher, table, options, "batch")
