"""`hemis gateway sandbox` (the sandbox gateway process) and `hemis payments ...` (fees, windows,
invoices, reconciliation, the daily report, refunds)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import sessionmaker

from hemis.cli.common import clear_errors, console, fail, settings
from hemis.config import Settings
from hemis.db.session import HemisSession, make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.payments import reconcile, service

gateway_app = typer.Typer(help="Cổng thanh toán thử nghiệm / the sandbox payment gateway.")
app = typer.Typer(help="Lệ phí và thanh toán / fees and online payment.", no_args_is_help=True)


@gateway_app.command("sandbox")
def sandbox(
    port: int = typer.Option(8700, "--port", help="Port to listen on (loopback)."),
    ipn_url: str = typer.Option(
        "http://127.0.0.1:8000/payments/vnpay/ipn", "--ipn-url", help="Merchant IPN URL."
    ),
    fault_profile: str = typer.Option(
        "none", "--fault-profile", help="none, flaky, lossy or hostile."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the fault dice."),
    host: str = typer.Option("127.0.0.1", "--host"),
) -> None:
    """Run the sandbox gateway (VNPay 2.1.0 protocol) as its own process."""
    from hemis.payments.sandbox.__main__ import serve
    from hemis.payments.sandbox.state import Faults

    cfg = settings()
    try:
        Faults.profile(fault_profile)
    except ValueError as exc:
        fail("Hồ sơ lỗi không hợp lệ.", str(exc))
    console.print(f"sandbox gateway on http://{host}:{port} → IPN {ipn_url} ({fault_profile})")
    serve(port, ipn_url, fault_profile, seed, host, cfg.vnpay_tmn_code, cfg.vnpay_secret)


@contextmanager
def _sessions() -> Iterator[tuple[Settings, sessionmaker[HemisSession]]]:
    cfg = settings()
    engine = make_engine(cfg.database_url)
    try:
        yield cfg, make_session_factory(engine)
    finally:
        engine.dispose()


def _time(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@app.command("fees")
@clear_errors
def fees(
    year: int = typer.Option(..., "--year"),
    wish_fee: int = typer.Option(..., "--wish-fee", help="Per wish, in đồng."),
    exam_fee: int = typer.Option(0, "--exam-fee", help="Exam registration fee, in đồng."),
) -> None:
    """Set a year's fee schedule."""
    with _sessions() as (_cfg, sessions), scoped_session(sessions, Scope.system("cli")) as session:
        service.set_fees(session, year, wish_fee, exam_fee)
        session.commit()
    console.print(f"{year}: {wish_fee:,} đ/wish, exam {exam_fee:,} đ")


@app.command("window")
@clear_errors
def window(
    year: int = typer.Option(..., "--year"),
    group: int = typer.Option(..., "--group", min=1, max=99),
    opens: str = typer.Option(..., "--opens", help="ISO time (UTC if no zone)."),
    closes: str = typer.Option(..., "--closes", help="ISO time (UTC if no zone)."),
    provinces: str = typer.Option("", "--provinces", help="Comma-separated province codes."),
) -> None:
    """Set a province group's payment window."""
    codes = [p.strip() for p in provinces.split(",") if p.strip()]
    with _sessions() as (_cfg, sessions), scoped_session(sessions, Scope.system("cli")) as session:
        service.set_window(session, year, group, _time(opens), _time(closes), codes)
        session.commit()
    console.print(f"{year} group {group}: {opens} – {closes}")


@app.command("invoices")
@clear_errors
def invoices(year: int = typer.Option(..., "--year")) -> None:
    """Issue the year's invoices from the candidates' wishes (after the wish window closes)."""
    with _sessions() as (_cfg, sessions), scoped_session(sessions, Scope.system("cli")) as session:
        summary = service.issue_invoices(session, year)
        session.commit()
    console.print(f"issued {summary.issued:,}, already there {summary.existing:,}")


@app.command("reconcile")
@clear_errors
def reconcile_command() -> None:
    """Settle every intent pending too long by asking the gateway; refund double charges."""
    # Imported here: the job module builds its queue from the settings when imported, and every
    # command must be able to report a bad setting plainly first.
    from hemis.payments.jobs import reconcile_once

    console.print(json.dumps(reconcile_once(settings()), ensure_ascii=False))


@app.command("report")
@clear_errors
def report(day: str = typer.Option(..., "--day", help="YYYY-MM-DD (Vietnam time).")) -> None:
    """Compare a day's ledger with the gateway's settlement file; list every difference."""
    with _sessions() as (cfg, sessions):
        gateway = service.gateway_from_settings(cfg)
        row = reconcile.daily_report(sessions, gateway, dt.date.fromisoformat(day))
    console.print(
        f"ledger {row.ledger_count} ({row.ledger_amount:,} đ) — gateway {row.gateway_count} "
        f"({row.gateway_amount:,} đ) — {len(row.differences)} differences"
    )
    for diff in row.differences:
        console.print(json.dumps(diff, ensure_ascii=False))
    if row.differences:
        raise typer.Exit(1)
