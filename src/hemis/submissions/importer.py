"""Read → validate (tiers a–f) → apply, all-or-nothing, in one database transaction.

    outcome = run_import(engine, cipher, table, ImportOptions("learners", institution_id, …))

A file with any error applies nothing (the transaction is rolled back) and its report says why;
a dry run checks everything and works out what would change, then rolls back; a clean file is
upserted by natural keys (apply.py) and committed together with the job row and its submission
(linkage.py) — or, if the process dies first, not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from hemis.common.crypto import IdCipher
from hemis.errors import HemisError
from hemis.imports.entities import get_entity
from hemis.imports.readers import RawTable
from hemis.imports.report import Report
from hemis.imports.validate import check, prepare
from hemis.submissions import admitted, apply, history, linkage
from hemis.submissions.apply import STATUS_EVENT_TABLE, TableResult
from hemis.submissions.persons import (
    IDX,
    create_persons,
    registered,
    start_blind_index,
    with_blind_index,
)
from hemis.submissions.rules import JobStatus
from hemis.submissions.rules_registry import database_rule_sets
from hemis.submissions.targets import (
    APPLICABLE,
    LEARNER,
    STAFF,
    STATUS_EVENT,
    after_write,
    check_applicable,
    grouped,
    rows_for,
)
from hemis.submissions.workspace import Progress, Workspace, no_progress, transaction

PEOPLE = ("learners", "staff")
UNWRITTEN = ("__row__",)  # the row numbers of the report


@dataclass(frozen=True)
class ImportOptions:
    entity: str
    institution_id: int
    actor: str
    source: str = "batch"
    full_replacement: bool = False
    dry_run: bool = False
    as_of: dt.date | None = None
    period_year: int | None = None
    job_id: int | None = None


@dataclass
class ImportOutcome:
    report: Report
    status: JobStatus
    tables: list[TableResult] = field(default_factory=list)
    submission_id: int | None = None
    period_year: int | None = None

    @property
    def rows_written(self) -> int:
        return sum(t.written for t in self.tables)

    def summary(self) -> dict[str, Any]:
        return {
            **self.report.meta(),
            "status": self.status.value,
            "dry_run": self.status is JobStatus.checked,
            "rows_written": self.rows_written,
            "tables": [t.as_dict() for t in self.tables],
            "submission_id": self.submission_id,
            "period_year": self.period_year,
            "rules": self.report.summary().to_dicts(),
        }


OnCommit = Callable[[Connection, "ImportOutcome"], None]


class DataChanged(HemisError):
    code = "import.data_changed"
    status = 409


def institution_code(conn: Connection, institution_id: int) -> str:
    code = conn.execute(
        text("SELECT moet_code FROM institution WHERE id = :i"), {"i": institution_id}
    ).scalar()
    if code is None:
        raise HemisError(
            "Không có cơ sở đào tạo này.",
            "No such institution.",
            code="import.unknown_institution",
            status=404,
        )
    return str(code)


def run_import(
    engine: Engine,
    cipher: IdCipher,
    table: RawTable,
    options: ImportOptions,
    progress: Progress = no_progress,
    on_commit: OnCommit | None = None,
) -> ImportOutcome:
    spec = get_entity(options.entity)
    if not options.dry_run:
        check_applicable(spec.name)
    total = table.frame.height
    progress("validating", 0, total)
    data, present, header_findings = prepare(spec, table.frame, table.header_row)
    findings = [*table.findings, *header_findings]
    del table  # the strings as read are not needed any more: let them go before the checks
    with transaction(engine, options.institution_id) as conn:
        today = dt.date.today()
        period = linkage.find_period(conn, options.period_year, today)
        if not options.dry_run:
            linkage.check_import_allowed(conn, options.institution_id, period)
        ws = Workspace(
            conn,
            options.institution_id,
            institution_code(conn, options.institution_id),
            cipher,
            options.as_of or today,
            options.actor,
            period,
        )
        if spec.name in PEOPLE and "national_id" in data.columns:
            start_blind_index(ws, data["national_id"])
        report = check(
            spec,
            data,
            present,
            as_of=ws.as_of,
            findings=findings,
            institution=ws.institution_code,
            source=options.source,
            extra=database_rule_sets(ws),
            connection=conn,
        )
        del data
        progress("validated", total, total)
        outcome = ImportOutcome(
            report, JobStatus.rejected, period_year=period.year if period else None
        )
        if report.has_errors:
            return outcome
        # A clean file's raw text columns are never shown again (every value parsed).
        raw = [c for c in report.data.columns if c.endswith("__raw")]
        report.data = report.data.with_columns(pl.lit(None).alias(c) for c in raw)
        if spec.name in APPLICABLE:  # (others are refused above unless this is a dry run)
            outcome.tables = apply_rows(
                ws, spec.name, report.data.select("__row__", *spec.names), options, progress
            )
        if options.dry_run:
            outcome.status = JobStatus.checked
            return outcome
        apply.audit(ws, outcome.tables, options.source, options.job_id)
        outcome.status = JobStatus.applied
        outcome.submission_id = linkage.land(conn, ws.institution_id, period, ws.actor)
        ws.drop_temp()
        # (reported before the job row joins this transaction: a progress write of the same
        # row from another connection would wait for this very commit)
        progress("committing", total, total)
        if on_commit is not None:
            on_commit(conn, outcome)
        conn.commit()
    progress("done", total, total)
    return outcome


def _resolve_persons(
    ws: Workspace, entity: str, data: pl.DataFrame, dry_run: bool, results: list[TableResult]
) -> pl.DataFrame:
    """`data` with person_id: registered persons found, new ones created (a dry run gives them
    negative placeholder ids, never real ones, so that the plan still compares)."""
    data = with_blind_index(ws, data)
    if dry_run:
        # (a claim is a new person too: registry/models/person.py)
        known = (
            registered(ws, data, entity)
            .filter(pl.col("person_id").is_not_null())
            .select(IDX, "person_id")
        )
        new = data.select(IDX).drop_nulls().unique().join(known, on=IDX, how="anti")
        placeholders = new.with_columns(
            (-pl.int_range(1, new.height + 1, dtype=pl.Int64)).alias("person_id")
        )
        results.append(TableResult("person", rows=new.height, inserted=new.height))
        mapping = pl.concat([known, placeholders])
    else:
        mapping, written = create_persons(ws, data, entity, dt.datetime.now(dt.UTC))
        results.append(written)
    for name in ("blind_index", "persons"):
        ws.cache.pop(name, None)
    # Only the narrow key column is joined: joining `data` itself would copy every column of
    # the file (at millions of rows, the import's peak memory).
    person_id = data.select(IDX).join(mapping, on=IDX, how="left", maintain_order="left")
    return data.with_columns(person_id["person_id"]).drop(IDX)


def apply_rows(
    ws: Workspace,
    entity: str,
    data: pl.DataFrame,
    options: ImportOptions,
    progress: Progress,
) -> list[TableResult]:
    """Plan (and unless a dry run, write) every target table of a clean file."""
    now = dt.datetime.now(dt.UTC)
    total = data.height
    results: list[TableResult] = []
    if entity in PEOPLE:
        data = data.drop([c for c in UNWRITTEN if c in data.columns])
        progress("persons", 0, total)
        data = _resolve_persons(ws, entity, data, options.dry_run, results)
        progress("persons", total, total)
    pairs = rows_for(ws, entity, data)
    if not grouped(entity) and sum(frame.height for _, frame in pairs) != total:
        raise DataChanged(
            "Dữ liệu tham chiếu đã thay đổi trong lúc nhập; hãy thử lại.",
            "Referenced data changed during the import; try again.",
        )
    for target, frame in pairs:
        if target is LEARNER:
            # Learners the admissions intake wrote take the file's own codes (admitted.py).
            recoded = admitted.recognise(ws, frame, dry_run=options.dry_run, now=now)
            if recoded is not None:
                results.append(recoded)
        progress(f"writing {target.table}", 0, frame.height)
        step = apply.plan(
            ws,
            target,
            frame,
            assign_ids=not options.dry_run,
            full_replacement=options.full_replacement,
        )
        staged = step.staged.select(*target.key, *target.values)
        pending = apply.digest_soon(staged) if staged.height else None
        written = 0 if options.dry_run else apply.write(ws, step, now)
        results.append(apply.result_of(step, written=written, pending=pending))
        progress(f"writing {target.table}", frame.height, frame.height)
        if target is LEARNER:
            results.append(learner_events(ws, step, options.dry_run, now))
        elif target is STAFF:
            results.append(history.staff_changes(ws, step, dry_run=options.dry_run))
        elif target is STATUS_EVENT and not options.dry_run:
            results.append(_follow_events(ws, frame, now))
        results.extend(after_write(ws, target, step, frame, dry_run=options.dry_run))
        ws.cache.pop(f"existing:{target.table}", None)
    apply.settle_digests(results)
    return results


def learner_events(ws: Workspace, step: apply.Plan, dry_run: bool, now: dt.datetime) -> TableResult:
    """Status history: an admission event for every new learner (and its current status when it
    is not 'enrolled'), and an event for every learner whose status changed."""
    rows = step.staged
    new = rows.filter(pl.col("_new"))
    before = step.existing.select("student_code", pl.col("status").alias("_old"))
    changed = rows.filter(~pl.col("_new")).join(before, on="student_code", how="left")
    changed = changed.filter(pl.col("status") != pl.col("_old"))
    frame = pl.concat(
        [
            new.select(
                pl.col("id").alias("learner_id"),
                pl.lit("enrolled").alias("status"),
                pl.col("admitted_on").alias("effective_on"),
            ),
            new.filter(pl.col("status") != "enrolled").select(
                pl.col("id").alias("learner_id"),
                "status",
                pl.col("status_date").alias("effective_on"),
            ),
            changed.select(
                pl.col("id").alias("learner_id"),
                "status",
                pl.col("status_date").alias("effective_on"),
            ),
        ]
    ).with_columns(pl.lit(None, pl.String).alias("reason"))
    result = TableResult(STATUS_EVENT_TABLE, rows=frame.height, inserted=frame.height)
    if dry_run or frame.is_empty():
        return result
    from hemis.db.ids import allocate_ids

    first = allocate_ids(ws.conn, STATUS_EVENT_TABLE, frame.height)
    frame = frame.with_columns(
        pl.int_range(first, first + frame.height, dtype=pl.Int64).alias("id")
    ).select("id", "learner_id", "status", "effective_on", "reason")
    result.sha256_pending = apply.digest_soon(frame.drop("id"))
    if apply.copy_new(ws, STATUS_EVENT_TABLE, frame, {}):
        result.written = frame.height
    else:
        ws.stage("stg_event", frame)
        skipped = apply.checked_references(ws, STATUS_EVENT_TABLE, frame)
        result.written = ws.execute(
            "INSERT INTO learner_status_event (institution_id, id, learner_id, status, "
            "effective_on, reason) SELECT :iid, id, learner_id, status, effective_on, reason "
            "FROM stg_event",
            {"iid": ws.institution_id},
        )
        apply.restore_triggers(ws, skipped)
    return result


def _follow_events(ws: Workspace, frame: pl.DataFrame, now: dt.datetime) -> TableResult:
    """A learner's status follows its latest event, unless the event is back-dated."""
    latest = (
        frame.sort("effective_on")
        .group_by("learner_id", maintain_order=True)
        .last()
        .select("learner_id", "status", "effective_on")
    )
    ws.stage("stg_latest", latest)
    written = ws.execute(
        "UPDATE learner SET status = s.status, status_date = s.effective_on, updated_at = :now, "
        "row_version = learner.row_version + 1 "
        "FROM stg_latest s WHERE learner.institution_id = :iid AND learner.id = s.learner_id "
        "AND s.effective_on >= learner.status_date "
        "AND (learner.status, learner.status_date) IS DISTINCT FROM (s.status, s.effective_on)",
        {"iid": ws.institution_id, "now": now},
    )
    ws.cache.pop("learners", None)
    return TableResult("learner", rows=latest.height, updated=written, written=written)
