"""`hemis template`, `hemis validate` and `hemis rules list`: bulk submissions offline."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, err_console, fail, reference_date, settings
from hemis.imports.catalogue import TIERS
from hemis.imports.entities import entities, get_entity
from hemis.imports.limits import ReadLimits
from hemis.imports.report import Report
from hemis.imports.rules_db import DB_TIERS, full_catalogue
from hemis.imports.sandbox import read_sandboxed
from hemis.imports.templates import write_template
from hemis.imports.validate import validate as validate_table

rules_app = typer.Typer(
    help="Danh mục quy tắc kiểm tra / the rule catalogue.", no_args_is_help=True
)
ENTITY_HELP = "One of: " + ", ".join(entities())
SUMMARY_ROWS = 40


@clear_errors
def template(
    entity: str = typer.Argument(..., help=ENTITY_HELP),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv"),
    out: Path | None = typer.Option(None, "--out", help="default: ENTITY.FORMAT here"),
) -> None:
    """Write the submission template of an entity (xlsx with data dictionary, or CSV)."""
    spec = get_entity(entity)
    if fmt not in ("xlsx", "csv"):
        fail(f"Định dạng '{fmt}' không hỗ trợ (xlsx, csv).", f"Unsupported format '{fmt}'.")
    path = out or Path(f"{spec.name}.{fmt}")
    write_template(spec, fmt, path)
    console.print(f"Đã ghi mẫu / wrote template: {path}")


def _summary_table(report: Report) -> Table:
    table = Table(title=f"{report.entity.name}: {report.source or ''}", show_lines=False)
    for name in ("rule", "severity", "count", "message (vi / en)"):
        table.add_column(name, overflow="fold")
    summary = report.summary()
    for rule, severity, _tier, count, vi, en in summary.head(SUMMARY_ROWS).iter_rows():
        style = "red" if severity == "error" else "yellow"
        table.add_row(rule, f"[{style}]{severity}[/{style}]", str(count), f"{vi}\n{en}")
    if summary.height > SUMMARY_ROWS:
        table.add_row("…", "", "", f"+{summary.height - SUMMARY_ROWS} rules")
    return table


@clear_errors
def validate(
    entity: str = typer.Argument(..., help=ENTITY_HELP),
    file: Path = typer.Argument(..., help=".xlsx, .xls, .csv or .parquet"),
    institution: str | None = typer.Option(None, "--institution", help="MOET institution code"),
    report: Path | None = typer.Option(
        None, "--report", help="write the issues: .json, .csv or .xlsx (annotated copy)"
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="workbook sheet to read"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="reference date yyyy-mm-dd for future dates and ages (today)"
    ),
) -> None:
    """Check a submission file (tiers a–c; with --institution and a database, tiers d–f too,
    writing nothing). Exit 0: no errors; 1: errors; 2: unreadable."""
    spec = get_entity(entity)
    reference = reference_date(as_of)
    result = None
    if institution is not None:  # tiers d–f too, against the configured database
        from hemis.cli.submissions import validate_against_registry

        result = validate_against_registry(file, spec.name, sheet, reference, institution)
    if result is None:
        # read in a reader process with hard limits (hemis.imports.sandbox), like every file
        table = read_sandboxed(file, spec.name, sheet, ReadLimits.from_settings(settings()))
        result = validate_table(
            spec,
            table.frame,
            as_of=reference,
            findings=table.findings,
            header_row=table.header_row,
            institution=institution,
            source=file.name,
        )
    if report is not None:
        result.write(report)
    console.print(_summary_table(result))
    line = (
        f"{result.rows} dòng dữ liệu / data rows; {result.errors} lỗi / errors "
        f"({result.rows_with('error')} dòng / rows); {result.warnings} cảnh báo / warnings."
    )
    if result.has_errors:
        err_console.print(f"[red]Tệp chưa đạt / the file does not pass:[/red] {line}")
        raise typer.Exit(1)
    console.print(f"[green]Tệp đạt / the file passes:[/green] {line}")


@rules_app.command("list")
@clear_errors
def list_rules(
    entity: str | None = typer.Option(None, "--entity", help=ENTITY_HELP),
) -> None:
    """Print the rule catalogue (ID, tier, severity, message)."""
    name = get_entity(entity).name if entity else None
    table = Table(title="Rule catalogue / danh mục quy tắc")
    for column in ("rule", "tier", "severity", "message (vi / en)"):
        table.add_column(column, overflow="fold")
    for rule in full_catalogue().values():
        if name is None or rule.entity in (name, "*"):
            table.add_row(
                rule.id, rule.tier, rule.severity.value, f"{rule.message_vi}\n{rule.message_en}"
            )
    console.print(table)
    tiers = {**TIERS, **DB_TIERS}
    console.print("Tiers: " + "; ".join(f"{t} = {en}" for t, (_vi, en) in tiers.items()))
