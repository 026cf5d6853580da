"""A job's report as a download: JSON (summary and issues) or CSV (issues), from the stored issue
table.

The annotated copy of the file (.xlsx) is not offered for a job: the uploaded file is cleared
when its job ends (ADR 0003), and the copy would hold the same personal data. `hemis validate
ENTITY FILE --report copy.xlsx` writes it from the file itself, on the officer's own machine."""

from __future__ import annotations

import json

from hemis.common.spreadsheet import csv_bytes
from hemis.errors import HemisError
from hemis.submissions.jobs import issues_of_blob
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
        raise HemisError(
            "Tệp tải lên không được lưu lại sau khi xử lý xong, nên không có bản Excel đánh dấu. "
            "Dùng báo cáo CSV hoặc JSON, hoặc lệnh `hemis validate … --report ban-sao.xlsx`.",
            "The uploaded file is not kept once processed, so there is no annotated Excel copy. "
            "Use the CSV or JSON report, or `hemis validate … --report copy.xlsx`.",
            code="import.file_not_kept",
            status=404,
        )
    return content, FORMATS[fmt], f"{stem}.{fmt}"
