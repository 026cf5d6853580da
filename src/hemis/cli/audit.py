"""`hemis audit`: verify the hash chain of the audit log."""

from __future__ import annotations

import typer

from hemis.audit.chain import verify as verify_chain
from hemis.cli.common import clear_errors, console, err_console, settings
from hemis.db.session import make_engine

app = typer.Typer(help="Nhật ký kiểm toán / audit log.", no_args_is_help=True)


@app.command("verify")
@clear_errors
def verify() -> None:
    """Recompute every entry's hash and link; exit 1 if any entry was changed or removed."""
    engine = make_engine(settings().owner_database_url)
    with engine.connect() as conn:
        result = verify_chain(conn)
    engine.dispose()
    if result.ok:
        console.print(f"[green]Audit chain intact: {result.checked} entries.[/green]")
        return
    err_console.print(f"[red]Audit chain BROKEN ({len(result.problems)} problems):[/red]")
    for problem in result.problems[:50]:
        err_console.print(f"  - {problem}")
    raise typer.Exit(1)
