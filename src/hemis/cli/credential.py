"""`hemis credential verify FILE`: the verdict on a digital competency credential file — the
ministry's signature, tampering, validity dates and revocation (from the database, or from a
status list file with --status-list; --offline reads no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, fail, settings

app = typer.Typer(
    help="Chứng nhận năng lực số / digital competency credentials.", no_args_is_help=True
)


@app.command("verify")
@clear_errors
def verify(
    file: Path = typer.Argument(..., help="The credential file (.json)"),
    status_list: Path | None = typer.Option(
        None, "--status-list", help="A status list credential file to read revocation from"
    ),
    public_key: list[str] = typer.Option(
        [], "--public-key", help="Another trusted issuer Multikey (z6Mk…); repeatable"
    ),
    offline: bool = typer.Option(False, "--offline", help="Read no database"),
) -> None:
    """Verify a credential; exits 0 when it is valid, 1 otherwise (the verdict says why)."""
    from hemis.competency.credentials.keys import trusted
    from hemis.competency.credentials.verify import (
        MAX_BYTES,
        Outcome,
        StatusLookup,
        Verdict,
        status_from_list,
    )
    from hemis.competency.credentials.verify import verify as check

    cfg = settings()
    keys = trusted(cfg, *public_key)
    try:
        with file.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        fail(f"Không đọc được tệp {file}: {exc.strerror}.", f"Cannot read {file}: {exc.strerror}.")
    status: StatusLookup | None = None
    if status_list is not None:
        try:
            status = status_from_list(status_list.read_bytes(), keys)
        except (OSError, ValueError) as exc:
            fail(
                f"Danh sách trạng thái không dùng được: {exc}.",
                f"The status list cannot be used: {exc}.",
            )
    now = dt.datetime.now(dt.UTC)
    outcome: Outcome
    if status is None and not offline:
        from hemis.competency.access import public_scope
        from hemis.competency.service_credentials import database_status
        from hemis.db.session import make_engine, make_session_factory, scoped_session

        engine = make_engine(cfg.database_url)
        try:
            with scoped_session(make_session_factory(engine), public_scope()) as session:
                outcome = check(raw, keys, database_status(session), now)
        finally:
            engine.dispose()
    else:
        outcome = check(raw, keys, status, now)
    style = "green" if outcome.verdict is Verdict.valid else "red"
    console.print(f"[bold {style}]{outcome.verdict.value}[/]: {outcome.message('vi')}")
    console.print(f"  {outcome.message('en')}")
    if outcome.reason:
        console.print(f"  ({outcome.reason})")
    if outcome.holder:
        table = Table(title=f"{outcome.holder} — {outcome.student_id or ''}")
        table.add_column("năng lực / competency")
        table.add_column("mức / level")
        for code, level in outcome.levels:
            table.add_row(code, level)
        console.print(table)
    raise typer.Exit(0 if outcome.ok else 1)
