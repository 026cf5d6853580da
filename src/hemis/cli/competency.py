"""`hemis competency`: the digital competency framework (Circular 02/2025/TT-BGDĐT) and its
indicators."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, fail, settings

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


@app.command("indicators")
@clear_errors
def indicators(
    year: list[int] = typer.Option(..., "--year", help="Reporting year; repeat for several"),
) -> None:
    """Compute and store the competency indicators (shares at or above target, gaps) of each
    --year, nationally, replacing the year's earlier figures."""
    from hemis.competency.indicators import compute_year
    from hemis.db.session import make_engine, make_session_factory

    if any(not 2000 <= y <= 2100 for y in year):
        fail("Năm phải trong khoảng 2000–2100.", "The year must be within 2000–2100.")
    engine = make_engine(settings().database_url)
    try:
        for y in sorted(set(year)):
            done = compute_year(make_session_factory(engine), y)
            steps = ", ".join(f"{k} {v:.2f} s" for k, v in done.seconds.items())
            console.print(
                f"{y}: {done.learners:,} hồ sơ người học / learner records, {done.rows:,} dòng "
                f"tổng hợp / cube rows ({steps})"
            )
    finally:
        engine.dispose()


@app.command("open-data")
@clear_errors
def open_data(
    year: int = typer.Option(..., "--year", min=2000, max=2100),
    out: Path = typer.Option(..., "--out", help="CSV file to write"),
) -> None:
    """Write the year's public competency tables (small cells suppressed) as CSV."""
    from hemis.common.spreadsheet import write_csv
    from hemis.competency.opendata import open_tables
    from hemis.db.session import make_engine, make_session_factory, scoped_session
    from hemis.db.tenancy import Scope
    from hemis.indicators.opendata import open_frame

    engine = make_engine(settings().database_url)
    try:
        with scoped_session(make_session_factory(engine), Scope.system("open-data")) as s:
            tables = open_tables(s, year)
    finally:
        engine.dispose()
    write_csv(open_frame(tables), out)
    hidden = sum(t.result.suppressed_count for t in tables)
    console.print(f"{len(tables)} bảng / tables, {hidden} ô ẩn / suppressed cells → {out}")
