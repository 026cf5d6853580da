"""`hemis competency`: the digital competency framework (Circular 02/2025/TT-BGDĐT) and its
indicators."""

from __future__ import annotations

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, settings

app = typer.Typer(
    help="Năng lực số của người học / learners' digital competency.", no_args_is_help=True
)


@app.command("load-framework")
@clear_errors
def load_framework() -> None:
    """Synchronise the framework tables with the files shipped in hemis/competency/data (the
    migration does it once; run it again after the files change)."""
    from hemis.competency.reference import load_framework as load
    from hemis.db.session import make_engine

    engine = make_engine(settings().owner_database_url)
    try:
        with engine.begin() as conn:
            synced = load(conn)
    finally:
        engine.dispose()
    table = Table(title="Khung năng lực số / competency framework")
    for column in ("bảng / table", "dòng / rows", "thêm / inserted", "sửa / updated"):
        table.add_column(column)
    for name, result in synced.items():
        table.add_row(name, str(result.rows), str(result.inserted), str(result.updated))
    console.print(table)
