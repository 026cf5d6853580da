"""`hemis db`: migrations, and logical backups checked by a manifest (docs/backup.md)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, err_console, settings
from hemis.db import backup as backups
from hemis.db import migrate

app = typer.Typer(
    help="Cơ sở dữ liệu / database: migrations, backup and restore.", no_args_is_help=True
)


@app.command("upgrade")
@clear_errors
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Migrate the database to the latest schema (creates the SQLite file if needed)."""
    cfg = settings()
    migrate.upgrade(cfg.owner_database_url, revision)
    console.print(f"[green]Database at {revision}.[/green]")


@app.command("backup")
@clear_errors
def backup(
    out: Path = typer.Option(..., "--out", help="Backup file to write (its manifest goes beside)."),
) -> None:
    """Back up the whole database (SQLite: online copy; PostgreSQL: pg_dump) with a manifest."""
    started = time.perf_counter()
    manifest = backups.backup(settings().owner_database_url, out)
    _print_counts("Bản sao lưu / backup", manifest.tables)
    console.print(
        f"[green]Đã sao lưu / backed up[/green] {manifest.rows} rows, {len(manifest.tables)}"
        f" tables, revision {manifest.alembic_revision}, {manifest.size_bytes:,} bytes in"
        f" {time.perf_counter() - started:.1f} s → {out}\n"
        f"Manifest: {backups.manifest_path(out)}"
    )


@app.command("restore")
@clear_errors
def restore(
    source: Path = typer.Option(..., "--from", help="Backup file written by `hemis db backup`."),
    force: bool = typer.Option(False, "--force", help="Overwrite a database that has tables."),
) -> None:
    """Restore a backup into the configured database, then check every table's row count."""
    started = time.perf_counter()
    result = backups.restore(settings().owner_database_url, source, force=force)
    _print_counts("Đã khôi phục / restored", result.restored)
    elapsed = time.perf_counter() - started
    if not result.ok:
        err_console.print("[red]Số dòng khác bản kê khai / row counts differ:[/red]")
        for table, (expected, got) in result.differences.items():
            err_console.print(f"  - {table}: manifest {expected}, restored {got}")
        raise typer.Exit(1)
    console.print(
        f"[green]Khôi phục xong, số dòng khớp bản kê khai / restored, row counts match the"
        f" manifest[/green]: {result.manifest.rows} rows, {len(result.restored)} tables,"
        f" revision {result.alembic_revision}, backup of {result.manifest.created_at},"
        f" in {elapsed:.1f} s."
    )
    if result.alembic_revision not in migrate.heads():
        console.print(
            "[yellow]Lược đồ cũ hơn mã nguồn / schema behind the code:[/yellow]"
            " run `hemis db upgrade`."
        )


def _print_counts(title: str, tables: dict[str, int]) -> None:
    view = Table(title=title)
    view.add_column("table")
    view.add_column("rows", justify="right")
    for name, rows in tables.items():
        if rows:
            view.add_row(name, f"{rows:,}")
    console.print(view)
