"""`hemis admissions intake`: write the year's intake (confirmed candidates become learners)."""

from __future__ import annotations

import typer
from rich.table import Table

from hemis.cli.common import clear_errors, console, settings


@clear_errors
def intake(
    year: int = typer.Option(..., "--year", help="Admission year"),
    institution: str | None = typer.Option(
        None, "--institution", help="MOET institution code (default: every institution)"
    ),
) -> None:
    """Write the year's intake: every confirmed candidate not written yet becomes a learner of the
    admitted program, one transaction per institution. Running it again writes nothing new."""
    from hemis.admissions.intake import write_intake
    from hemis.cli.submissions import CliProgress, _institution_id
    from hemis.common.crypto import IdCipher
    from hemis.db.session import make_engine

    cfg = settings()
    # A bulk write, as `hemis import`: the owner role (its COPY fast path when allowed).
    engine = make_engine(cfg.owner_database_url)
    try:
        iid = _institution_id(engine, institution) if institution else None
        cipher = IdCipher.from_settings(cfg.id_encryption_key, cfg.blind_index_key)
        with CliProgress() as progress:
            outcomes = write_intake(
                engine, cipher, year, institution_id=iid, actor="system:cli", progress=progress
            )
    finally:
        engine.dispose()
    table = Table(title=f"Tân sinh viên / intake {year}")
    for name in ("institution", "confirmed", "pending", "created", "linked", "rows written"):
        table.add_column(name, justify="left" if name == "institution" else "right")
    for o in outcomes:
        table.add_row(
            o.moet_code,
            *(f"{v:,}" for v in (o.confirmed, o.pending, o.created, o.linked, o.rows_written)),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("intake")(intake)
