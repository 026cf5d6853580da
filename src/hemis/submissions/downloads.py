"""A job's report as a download: JSON (summary and issues), CSV (issues) or the annotated copy of
the uploaded file as .xlsx (hemis.imports.annotate), rebuilt from the stored issue table."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from hemis.common.spreadsheet import csv_bytes
from hemis.errors import HemisError, NotFound
from hemis.imports.entities import get_entity
from hemis.imports.report import Report
from hemis.imports.validate import prepare
from hemis.submissions.jobs import issues_of_blob, table_from_payload
from hemis.submissions.models import SubmissionJob

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_bytes(job: SubmissionJob, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of a finished job's report."""
    if fmt not in FORMATS:
        raise HemisError(
            f"Không hỗ trợ định dạng '{fmt}' (json, csv, xlsx).",
            f"Unsupported format '{fmt}' (json, csv, xlsx).",
            code="import.report_format",
        )
    if job.result is None and job.error is None:
        raise HemisError(
            "Tệp chưa xử lý xong.",
            "The file has not been processed yet.",
            code="import.not_finished",
            status=409,
        )
    issues = issues_of_blob(job.issues)
    stem = f"{job.entity}-job{job.id}-report"
    if fmt == "json":
        head = {"job": job.id, "status": job.status, "result": job.result, "error": job.error}
        body = json.dumps(head, ensure_ascii=False, indent=1, default=str)
        content = (body[:-2] + ',\n "issues": ' + issues.write_json() + "\n}\n").encode()
    elif fmt == "csv":
        content = csv_bytes(issues, bom=True)
    else:
        content = _annotated(job, issues)
    return content, FORMATS[fmt], f"{stem}.{fmt}"


def _annotated(job: SubmissionJob, issues: object) -> bytes:
    if not job.payload:
        raise NotFound("uploaded file")
    import polars as pl

    assert isinstance(issues, pl.DataFrame)
    spec = get_entity(job.entity)
    table = table_from_payload(job.payload, job.filename, job.entity)
    data, present, _ = prepare(spec, table.frame, table.header_row)
    report = Report(spec, issues, data, present, dt.date.today(), None, job.filename)
    with tempfile.TemporaryDirectory(prefix="hemis-report-") as tmp:
        path = Path(tmp) / "report.xlsx"
        report.write(path)
        return path.read_bytes()
