"""`hemis import`: validate a file against every tier and apply it to the registry."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from hemis.cli.common import (
    clear_errors,
    console,
    err_console,
    fail,
    reference_date,
    settings,
    stderr_is_tty,
)
from hemis.common.crypto import IdCipher
from hemis.common.national_ids import mask_text
from hemis.db.session import make_engine
from hemis.imports.entities import entities, get_entity
from hemis.imports.limits import ReadLimits
from hemis.imports.report import Report
from hemis.imports.sandbox import read_sandboxed
from hemis.submissions import jobs
from hemis.submissions.importer import ImportOptions, ImportOutcome, run_import
from hemis.submissions.rules import JobStatus
from hemis.submissions.workspace import national

ENTITY_HELP = "One of: " + ", ".join(entities())
PHASES_VI = {
    "validating": "Kiểm tra",
    "validated": "Đã kiểm tra",
    "persons": "Cá nhân",
    "committing": "Xác nhận giao dịch",
    "done": "Xong",
}


class CliProgress:
    """A rich progress bar on a terminal; one line per phase otherwise (logs, pipes)."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.phase = ""
        self.started = time.monotonic()

    def __enter__(self) -> CliProgress:
        if stderr_is_tty():
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,}/{task.total:,}"),
                TimeElapsedColumn(),
                console=err_console,
            )
            self.bar.start()
            self.task = self.bar.add_task("…", total=1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, phase: str, done: int, total: int) -> None:
        label = PHASES_VI.get(phase.split(" ")[0], "Ghi") + f" / {phase}"
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=label, completed=done, total=max(total, 1))
            return
        if phase != self.phase or done == total:
            elapsed = time.monotonic() - self.started
            err_console.print(f"{label}: {done:,}/{total:,} ({elapsed:.1f} s)", highlight=False)
            err_console.file.flush()
        self.phase = phase


def _tiers_abc_only() -> None:
    err_console.print(
        "[yellow]Không dùng được cơ sở dữ liệu (hoặc không có cơ sở đào tạo này): chỉ kiểm tra "
        "tầng a–c. / No usable database (or no such institution): tiers a–c only.[/yellow]"
    )


def _find_institution(engine: Engine, code: str) -> int | None:
    with engine.connect() as conn:
        national(conn)
        found = conn.execute(
            text("SELECT id FROM institution WHERE moet_code = :c"), {"c": code}
        ).scalar()
    return None if found is None else int(found)


def _institution_id(engine: Engine, code: str) -> int:
    found = _find_institution(engine, code)
    if found is None:
        fail(f"Không có cơ sở đào tạo mã {code}.", f"No institution with code {code}.")
    assert found is not None
    return int(found)


def validate_against_registry(
    file: Path, entity: str, sheet: str | None, as_of: dt.date | None, institution: str
) -> Report | None:
    """`hemis validate --institution`: every tier (a–f) when the configured database can be
    reached and knows the institution, as a dry run that writes nothing; None otherwise (the
    caller then checks tiers a–c alone, and says so)."""
    cfg = settings()
    url = make_url(cfg.owner_database_url)
    if url.drivername.startswith("sqlite") and not Path(url.database or "").is_file():
        _tiers_abc_only()  # (a SQLite file that is not there is not created)
        return None
    engine = make_engine(cfg.owner_database_url)
    try:
        try:
            institution_id = _find_institution(engine, institution)
        except SQLAlchemyError:
            institution_id = None
        if institution_id is None:
            _tiers_abc_only()
            return None
        options = ImportOptions(
            entity,
            institution_id,
            "system:cli",
            source=mask_text(file.name),
            dry_run=True,
            as_of=as_of,
        )
        cipher = IdCipher.from_settings(cfg.id_encryption_key, cfg.blind_index_key)
        table = read_sandboxed(file, entity, sheet, ReadLimits.from_settings(cfg))
        return run_import(engine, cipher, table, options).report
    finally:
        engine.dispose()


def _print_outcome(outcome: ImportOutcome) -> None:
    report = outcome.report
    table = Table(title=f"{report.entity.name}: {report.source or ''}")
    for name in ("rule", "severity", "count", "message (vi / en)"):
        table.add_column(name, overflow="fold")
    for rule, severity, _tier, count, vi, en in report.summary().head(40).iter_rows():
        style = "red" if severity == "error" else "yellow"
        table.add_row(rule, f"[{style}]{severity}[/{style}]", str(count), f"{vi}\n{en}")
    if report.issues.height:
        console.print(table)
    if outcome.tables:
        counts = Table(title="Bảng / tables")
        for name in ("table", "rows", "inserted", "updated", "unchanged", "written", "absent"):
            counts.add_column(name, justify="right" if name != "table" else "left")
        for t in outcome.tables:
            counts.add_row(
                t.table,
                *(f"{v:,}" for v in (t.rows, t.inserted, t.updated, t.unchanged, t.written)),
                f"{t.absent:,}",
            )
        console.print(counts)
        for t in outcome.tables:
            if t.absent:
                shown = ", ".join(t.absent_keys[:20]) + (" …" if t.absent > 20 else "")
                console.print(
                    f"[yellow]{t.absent:,} bản ghi {t.table} có trong hệ thống nhưng không có "
                    f"trong tệp (không bị xóa) / records in the registry but not in the file "
                    f"(not deleted):[/yellow] {shown}"
                )


@clear_errors
def import_file(
    entity: str = typer.Argument(..., help=ENTITY_HELP),
    file: Path = typer.Argument(..., help=".xlsx, .xls, .csv or .parquet"),
    institution: str = typer.Option(..., "--institution", help="MOET institution code"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and count, write nothing"),
    report: Path | None = typer.Option(
        None, "--report", help="write the issues: .json, .csv or .xlsx (annotated copy)"
    ),
    full_replacement: bool = typer.Option(
        False,
        "--full-replacement",
        help="the file holds every record: list the registry's records missing from it",
    ),
    period: int | None = typer.Option(
        None, "--period", help="reporting period year (default: the open one)"
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="workbook sheet to read"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="reference date yyyy-mm-dd for future dates and ages (today)"
    ),
) -> None:
    """Validate a file (tiers a–f) and apply it to the registry in one transaction. Exit 0:
    applied (or a clean dry run); 1: errors, nothing written; 2: unreadable or refused."""
    spec = get_entity(entity)
    reference = reference_date(as_of)
    cfg = settings()
    # A bulk load: connect as the owner role, like `hemis db upgrade` (settings: HEMIS_MIGRATION_
    # DATABASE_URL); the import still scopes every statement to the institution.
    engine = make_engine(cfg.owner_database_url)
    try:
        options = ImportOptions(
            spec.name,
            _institution_id(engine, institution),
            "system:cli",
            source=mask_text(file.name),  # recorded in the job row and the report
            full_replacement=full_replacement,
            dry_run=dry_run,
            as_of=reference,
            period_year=period,
        )
        cipher = IdCipher.from_settings(cfg.id_encryption_key, cfg.blind_index_key)
        with CliProgress() as progress:
            progress("reading", 0, 0)
            outcome, _job = jobs.run_recorded(
                engine,
                cipher,
                # read in a reader process with hard limits; no other reference to the table,
                # so it is freed once checked
                read_sandboxed(file, spec.name, sheet, ReadLimits.from_settings(cfg)),
                options,
                "cli",
                progress,
            )
    finally:
        engine.dispose()
    if report is not None:
        outcome.report.write(report)
    _print_outcome(outcome)
    result = outcome.report
    line = (
        f"{result.rows:,} dòng / rows; {result.errors:,} lỗi / errors; "
        f"{result.warnings:,} cảnh báo / warnings; {outcome.rows_written:,} dòng đã ghi / rows "
        "written."
    )
    if outcome.status is JobStatus.rejected:
        err_console.print(f"[red]Tệp có lỗi, không ghi gì / errors, nothing written:[/red] {line}")
        raise typer.Exit(1)
    verdict = "Kiểm tra thử đạt / dry run passed" if dry_run else "Đã ghi / applied"
    console.print(f"[green]{verdict}:[/green] {line}")
