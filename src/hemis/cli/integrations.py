"""`hemis registry-sim`, `hemis sync` and `hemis exchange`: the national databases."""

from __future__ import annotations

import datetime as dt
import random
from enum import StrEnum

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from hemis.cli.common import clear_errors, console, err_console, fail, settings
from hemis.config import Environment
from hemis.db.session import make_engine
from hemis.integrations import exchange, signing
from hemis.integrations.sync import SyncParams, national
from hemis.integrations.wiring import cipher_of, run_sync

sync_app = typer.Typer(help="Đồng bộ với CSDL quốc gia / sync with national databases.")
exchange_app = typer.Typer(help="Nhật ký trao đổi / exchange log.", no_args_is_help=True)


class Kind(StrEnum):
    population = "population"
    insurance = "insurance"
    civil_service = "civil-service"


class FaultProfileName(StrEnum):
    none = "none"
    realistic = "realistic"
    sluggish = "sluggish"
    flaky = "flaky"


def registry_sim(
    kind: Kind = typer.Argument(..., help="population, insurance or civil-service"),
    port: int = typer.Option(..., "--port", min=1, max=65535),
    host: str = typer.Option("127.0.0.1", "--host"),
    source: str = typer.Option(
        None, "--source", help="HEMIS database URL the simulator copies its people from."
    ),
    seed: int = typer.Option(2024, "--seed", help="Seed of the noise and of the faults."),
    fault_profile: FaultProfileName = typer.Option(FaultProfileName.none, "--fault-profile"),
    slow_seconds: float = typer.Option(8.0, "--slow-seconds", min=0),
) -> None:
    """Run a national-registry simulator as its own HTTP service (development and tests)."""
    import uvicorn

    from hemis.integrations.civil_service import simulator as civil
    from hemis.integrations.insurance import simulator as insurance
    from hemis.integrations.population import simulator as population
    from hemis.integrations.sim_source import read_people
    from hemis.integrations.simulation import PROFILES, Faults, SimState, make_app, registry_key

    cfg = settings()
    if cfg.env == Environment.production:
        fail("Không chạy mô phỏng trong môi trường production.", "No simulators in production.")
    system = kind.value.replace("-", "_")
    url = source or cfg.database_url
    builder = {"population": population, "insurance": insurance, "civil_service": civil}[system]
    handlers, truth, _book = builder.build(read_people(url, cipher_of(cfg), system), seed)
    state = SimState(
        system=system,
        key=registry_key(),
        client_key=signing.private_key(cfg.exchange_signing_key).public_key(),
        faults=Faults(PROFILES[fault_profile.value], random.Random(seed), slow_seconds),
        truth=truth,
    )
    uvicorn.run(make_app(state, handlers), host=host, port=port, log_level="warning")


def _run(
    kind: Kind,
    year: int | None,
    institution: int | None,
    recheck: bool,
    url: str | None,
    enqueue: bool,
) -> None:
    cfg = settings()
    system = kind.value.replace("-", "_")
    if enqueue:
        from hemis.integrations.tasks import sync_task

        sync_task()(system, year, institution)
        console.print(f"Queued a {system} sync / đã xếp hàng.")
        return
    engine = make_engine(cfg.database_url)
    params = SyncParams(system, year, institution, recheck, batch_size=cfg.sync_batch_size)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not err_console.is_terminal,
        ) as bar:
            task = bar.add_task(f"sync {system}", total=None)
            summary = run_sync(
                engine,
                cfg,
                params,
                url,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    finally:
        engine.dispose()
    console.print_json(data={"run_id": summary.run_id, **summary.as_dict()})


@sync_app.command("population")
@clear_errors
def sync_population(
    institution: int = typer.Option(None, "--institution"),
    recheck: bool = typer.Option(False, "--recheck", help="Re-send unchanged records too."),
    url: str = typer.Option(None, "--url", help="Registry base URL (default: settings)."),
    enqueue: bool = typer.Option(False, "--enqueue", help="Queue on huey instead of running."),
) -> None:
    """Check learners' identities against the population database."""
    _run(Kind.population, None, institution, recheck, url, enqueue)


@sync_app.command("insurance")
@clear_errors
def sync_insurance(
    year: int = typer.Option(None, "--year", min=1950, max=2100, help="Graduation year."),
    institution: int = typer.Option(None, "--institution"),
    recheck: bool = typer.Option(False, "--recheck", help="Re-send unchanged records too."),
    url: str = typer.Option(None, "--url", help="Registry base URL (default: settings)."),
    enqueue: bool = typer.Option(False, "--enqueue", help="Queue on huey instead of running."),
) -> None:
    """Send graduates to the social-insurance database; record employment answers."""
    _run(Kind.insurance, year, institution, recheck, url, enqueue)


@sync_app.command("civil-service")
@clear_errors
def sync_civil_service(
    institution: int = typer.Option(None, "--institution"),
    recheck: bool = typer.Option(False, "--recheck", help="Re-send unchanged records too."),
    url: str = typer.Option(None, "--url", help="Registry base URL (default: settings)."),
    enqueue: bool = typer.Option(False, "--enqueue", help="Queue on huey instead of running."),
) -> None:
    """Link staff records to the civil-servant database."""
    _run(Kind.civil_service, None, institution, recheck, url, enqueue)


@sync_app.command("link")
@clear_errors
def sync_link(
    url: str = typer.Option(None, "--url", help="Civil-servant database URL (default: settings)."),
) -> None:
    """Link the civil-servant roster to persons: national ID first, then probabilistic."""
    from hemis.integrations.linkage_job import link_roster

    cfg = settings()
    engine = make_engine(cfg.database_url)
    try:
        report = link_roster(engine, cfg, url)
    finally:
        engine.dispose()
    console.print_json(data=report)


@sync_app.command("worker")
def sync_worker(workers: int = typer.Option(1, "--workers", min=1, max=4)) -> None:
    """Consume queued sync jobs (huey)."""
    from hemis.integrations.tasks import queue, sync_task

    sync_task()
    queue().create_consumer(workers=workers).run()


@exchange_app.command("verify")
@clear_errors
def exchange_verify() -> None:
    """Recompute the exchange log's hash chain and re-check every stored signature."""
    cfg = settings()
    keys = {
        "request": signing.private_key(cfg.exchange_signing_key).public_key(),
        "response": signing.public_key(cfg.registry_public_key),
    }
    engine = make_engine(cfg.owner_database_url)
    with engine.connect() as conn:
        national(conn)
        result = exchange.verify(conn, keys)
    engine.dispose()
    if result.ok:
        console.print(
            f"[green]Exchange log intact: {result.checked} entries, "
            f"{result.signatures_checked} signatures.[/green]"
        )
        return
    err_console.print(f"[red]Exchange log BROKEN ({len(result.problems)} problems):[/red]")
    for problem in result.problems[:50]:
        err_console.print(f"  - {problem}")
    raise typer.Exit(1)


@exchange_app.command("purge")
@clear_errors
def exchange_purge(
    days: int = typer.Option(None, "--older-than-days", min=1, help="Default: the retention."),
) -> None:
    """Delete messages past the retention period; the chain stays verifiable from its anchor."""
    cfg = settings()
    keep = days or cfg.exchange_retention_days
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=keep)
    engine = make_engine(cfg.owner_database_url)
    with engine.begin() as conn:
        national(conn)
        removed = exchange.purge(conn, cutoff)
    engine.dispose()
    console.print(f"Purged {removed} exchange entries older than {keep} days.")
