"""`hemis db`: migrations."""

from __future__ import annotations

import typer

from hemis.cli.common import clear_errors, console, settings
from hemis.db import migrate

app = typer.Typer(help="Cơ sở dữ liệu / database: migrations.", no_args_is_help=True)


@app.command("upgrade")
@clear_errors
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Migrate the database to the latest schema (creates the SQLite file if needed)."""
    cfg = settings()
    migrate.upgrade(cfg.owner_database_url, revision)
    console.print(f"[green]Database at {revision}.[/green]")
