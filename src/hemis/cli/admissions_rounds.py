"""`hemis admissions …`: results import and round control against the database.

(`hemis admissions match`, the audit command over CSV files, lives in cli/admissions.py.)
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, fail, settings
from hemis.db.session import HemisSession, make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope

round_app = typer.Typer(help="Đợt xét tuyển / admission rounds.", no_args_is_help=True)


@contextmanager
def _session() -> Iterator[HemisSession]:
    cfg = settings()
    engine = make_engine(cfg.database_url)
    try:
        with scoped_session(make_session_factory(engine), Scope.system("cli")) as session:
            yield session
    finally:
        engine.dispose()


@clear_errors
def import_results(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file"),
    year: int = typer.Option(..., "--year", help="Admission year"),
    method: str = typer.Option(..., "--method", help="exam, transcript, hsa, vact or tsa"),
    source: str = typer.Option(..., "--source", help="Where the results come from"),
) -> None:
    """Import exam scores or another method's results from CSV (all or nothing)."""
    from hemis.admissions.codes import Method
    from hemis.admissions.results_import import import_results as run_import

    with _session() as session:
        report = run_import(session, year, Method(method), file.read_bytes(), source)
    console.print(
        f"[green]Batch {report.batch_id}:[/green] {report.rows:,} rows, {report.scores:,} "
        f"scores ({report.method}), sha256 {report.sha256}"
    )


def _show(round_: object) -> None:
    from hemis.admissions.models import AdmissionRound

    assert isinstance(round_, AdmissionRound)
    table = Table(title=f"Đợt / round {round_.number} ({round_.year})", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("id", str(round_.id))
    table.add_row("status", round_.status)
    table.add_row("kind", round_.kind + (" (final)" if round_.is_final else ""))
    table.add_row("sha256", round_.snapshot_sha256 or "")
    if round_.confirm_deadline_at is not None:
        table.add_row("confirm by", round_.confirm_deadline_at.isoformat())
    for key, value in round_.stats.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)


@round_app.command("create")
@clear_errors
def create(
    year: int = typer.Option(..., "--year"),
    supplementary: bool = typer.Option(False, "--supplementary", help="A supplementary round"),
    final: bool = typer.Option(False, "--final", help="The final main round"),
    tie_policy: str = typer.Option("group", "--tie-policy", help="group or strict"),
    confirm_by: str | None = typer.Option(
        None,
        "--confirm-by",
        help="supplementary round: last day (yyyy-mm-dd, until 17:00 Vietnam time) to confirm "
        "its admissions (default: a week after publication)",
    ),
) -> None:
    """Create the next round of a year."""
    from hemis.admissions import rounds
    from hemis.admissions.eligibility import local_deadline
    from hemis.admissions.schemas import RoundCreate

    kind = "supplementary" if supplementary else "regular"
    day = None
    if confirm_by:
        try:
            day = dt.date.fromisoformat(confirm_by)
        except ValueError:
            fail(f"Ngày sai: {confirm_by} (yyyy-mm-dd).", f"Bad date: {confirm_by} (yyyy-mm-dd).")
    with _session() as session:
        body = RoundCreate.model_validate(
            {
                "year": year,
                "kind": kind,
                "is_final": final,
                "tie_policy": tie_policy,
                "confirm_deadline_at": None if day is None else local_deadline(day),
            }
        )
        _show(rounds.create_round(session, body))


@round_app.command("snapshot")
@clear_errors
def snapshot(round_id: int = typer.Argument(..., help="Round id")) -> None:
    """Compute every wish's score and store the hashed, immutable snapshot."""
    from hemis.admissions import rounds

    with _session() as session:
        _show(rounds.take_snapshot(session, round_id))


@round_app.command("run")
@clear_errors
def run(round_id: int = typer.Argument(..., help="Round id")) -> None:
    """Match from the stored snapshot and write the results."""
    from hemis.admissions import rounds

    with _session() as session:
        _show(rounds.run_round(session, round_id))


@round_app.command("publish")
@clear_errors
def publish(round_id: int = typer.Argument(..., help="Round id")) -> None:
    """Publish a round's results to institutions and candidates."""
    from hemis.admissions import rounds

    with _session() as session:
        _show(rounds.publish_round(session, round_id))


@round_app.command("read-model")
@clear_errors
def read_model(round_id: int = typer.Argument(..., help="Round id")) -> None:
    """Write what each candidate is shown (the results-day read model) for a round published
    before it existed; refused if the round has it already."""
    from hemis.admissions.published import backfill_published

    with _session() as session:
        written = backfill_published(session, round_id)
    console.print(f"[green]{written:,}[/green] published result rows written")


@round_app.command("verify")
@clear_errors
def verify(round_id: int = typer.Argument(..., help="Round id")) -> None:
    """Re-run a round from its snapshot alone and compare with the stored results and with what
    every candidate is shown (each explanation, and the published results read model)."""
    from hemis.admissions import round_verify

    with _session() as session:
        check = round_verify.verify_round(session, round_id)
    console.print_json(json.dumps(check.model_dump()))
    if not check.identical:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add these commands to the `hemis admissions` group."""
    app.command("import-results")(import_results)
    app.add_typer(round_app, name="round")
