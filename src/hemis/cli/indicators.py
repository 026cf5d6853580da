"""`hemis indicators`: compute the Circular 01/2024 criteria, data quality and national
indicators for a year; export them; load the population table of the enrolment ratio."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, fail, settings

app = typer.Typer(help="Chỉ số và chuẩn cơ sở / standards and indicators.", no_args_is_help=True)


@app.command("compute")
@clear_errors
def compute(
    year: list[int] = typer.Option(..., "--year", help="Reporting year; repeat for several"),
) -> None:
    """Compute and store every indicator of every institution for each --year."""
    from hemis.db.session import make_engine, make_session_factory
    from hemis.indicators.engine import compute_year

    if any(not 2000 <= y <= 2100 for y in year):
        fail("Năm phải trong khoảng 2000–2100.", "The year must be within 2000–2100.")
    engine = make_engine(settings().database_url)
    try:
        for y in sorted(set(year)):
            done = compute_year(make_session_factory(engine), y)
            table = Table(title=f"{y} (ngày chốt / cut-off {done.cutoff.isoformat()})")
            table.add_column("bước / step")
            table.add_column("giây / s", justify="right")
            for step, seconds in done.seconds.items():
                table.add_row(step, f"{seconds:.2f}")
            console.print(table)
            statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(done.statuses.items()))
            console.print(
                f"{done.institutions} cơ sở / institutions, {done.results:,} kết quả / results "
                f"({statuses}), {done.cube_rows:,} dòng tổng hợp quốc gia / national cube rows"
            )
    finally:
        engine.dispose()


@app.command("export")
@clear_errors
def export(
    year: int = typer.Option(..., "--year", min=2000, max=2100),
    out: Path = typer.Option(..., "--out", help="File to write"),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx, csv, parquet or json"),
    open_data: bool = typer.Option(
        False, "--open-data", help="The public tables with small-cell suppression instead"
    ),
) -> None:
    """Write the compliance results (or the public open-data tables) of a year."""
    import json

    from hemis.db.session import make_engine, make_session_factory, scoped_session
    from hemis.db.tenancy import Scope
    from hemis.indicators import exports, opendata, queries

    exports.check_format(fmt)
    engine = make_engine(settings().database_url)
    try:
        with scoped_session(make_session_factory(engine), Scope.system("export")) as session:
            if open_data:
                tables = opendata.open_tables(session, year)
                if fmt == "json":
                    content = json.dumps(
                        {"year": year, "tables": [t.as_dict() for t in tables]}, ensure_ascii=False
                    ).encode()
                elif fmt == "xlsx":
                    content = exports.open_workbook(tables, year)
                else:
                    content = exports.to_bytes(opendata.open_frame(tables), fmt, [], year)
            else:
                rows = queries.matrix(session, year)
                if not rows:
                    fail(
                        f"Chưa có kết quả năm {year}: hãy chạy hemis indicators compute.",
                        f"No results for {year}: run hemis indicators compute first.",
                    )
                content = exports.to_bytes(exports.long_frame(rows, year), fmt, rows, year)
    finally:
        engine.dispose()
    out.write_bytes(content)
    console.print(f"{out} ({len(content):,} bytes)")


@app.command("load-population")
@clear_errors
def load_population(
    path: Path = typer.Argument(..., help="CSV: year,age,sex,population[,source]"),
    source: str = typer.Option(..., "--source", help="Where the figures come from (cited)"),
) -> None:
    """Load population by single year of age (the gross enrolment ratio's denominator)."""
    from hemis.db.session import make_engine, make_session_factory, scoped_session
    from hemis.db.tenancy import Scope
    from hemis.indicators.population import load_population as load
    from hemis.indicators.population import read_population

    frame = read_population(path, source)
    engine = make_engine(settings().database_url)
    try:
        with scoped_session(make_session_factory(engine), Scope.system("population")) as s:
            n = load(s, frame)
    finally:
        engine.dispose()
    console.print(f"{n:,} dòng dân số đã nạp / population rows loaded")


@app.command("definitions")
def definitions() -> None:
    """List every indicator: id, version, threshold and whether it was verified."""
    from hemis.indicators.definitions import DEFINITIONS

    table = Table()
    for title in ("id", "v", "tên / name", "ngưỡng / threshold", "đã xác minh / verified"):
        table.add_column(title)
    for d in DEFINITIONS:
        thresholds = "; ".join(
            f"{t.value:g} ({t.applies_to}, {t.from_year}+)" for t in d.thresholds
        )
        table.add_row(
            d.id, str(d.version), d.name_vi, thresholds, "✓" if d.threshold_verified else "✗"
        )
    console.print(table)
