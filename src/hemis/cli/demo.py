"""`hemis demo`: one command from a fresh clone to a running portal with a demo nation."""

from __future__ import annotations

import json
import secrets
import signal
from pathlib import Path
from types import FrameType

import typer
from rich.table import Table
from sqlalchemy import func, make_url, select

from hemis.accounts import service
from hemis.accounts.models import User
from hemis.accounts.roles import ROLE_LABELS, Role
from hemis.accounts.schemas import UserCreate
from hemis.cli.common import clear_errors, console, fail, settings
from hemis.cli.serve import serve
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.demo.rules import PHASE_LABELS, Phase
from hemis.registry.models import Institution


def _delete_database(url: str) -> None:
    """--reset: the SQLite file goes (with its write-ahead log); a server database stays."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        fail(
            "--reset chỉ xóa cơ sở dữ liệu SQLite; với PostgreSQL hãy tạo lại cơ sở dữ liệu.",
            "--reset deletes only a SQLite database; with PostgreSQL, recreate the database.",
        )
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)
    console.print("Đã xóa cơ sở dữ liệu demo / demo database deleted.")


def _demo_year(
    cfg: Settings, scale: float, seed: int, phase: Phase | None, candidate: str | None
) -> None:
    """Build the demo admission year if there is none; else move it to `phase`, or keep its
    phase with dates around today."""
    from hemis.demo import queries as demo_queries
    from hemis.demo import service as demo_service
    from hemis.demo.context import DemoContext
    from hemis.demo.rules import DEFAULT_PHASE, cohort_size

    ctx = DemoContext.open(cfg, seed)
    try:
        with ctx.session() as s:
            exists = demo_service.has_demo_year(s)
        if not exists:
            size = cohort_size(scale)
            console.print(
                f"[bold]3/4[/bold] Building the demo admission year ({size:,} candidates)…"
            )
            demo_service.build_year(ctx, size, candidate, phase or DEFAULT_PHASE)
        elif phase is not None:
            console.print(f"[bold]3/4[/bold] Moving the demo admission year to {phase.value}…")
            demo_service.move_to(ctx, phase)
        else:
            console.print("[bold]3/4[/bold] Demo admission year present; dates moved to today.")
            demo_service.reanchor(ctx)
        with ctx.session() as s:
            status = demo_queries.status(s)
    finally:
        ctx.dispose()
    if status is not None:
        vi, en = PHASE_LABELS[status.phase]
        counts = ", ".join(f"{k} {v:,}" for k, v in status.counts.items())
        console.print(f"Năm tuyển sinh {status.year} — giai đoạn / phase: {vi} / {en} ({counts})")


def _display_names() -> dict[str, str]:
    """The names the header shows for the demo logins (the candidate: the person's own name)."""
    from hemis.demo.rules import DEMO_CANDIDATE

    return {
        Role.ministry_admin.value: "Quản trị viên Bộ GD&ĐT",
        Role.ministry_analyst.value: "Chuyên viên phân tích, Bộ GD&ĐT",
        Role.institution_officer.value: "Cán bộ phụ trách dữ liệu",
        Role.candidate.value: DEMO_CANDIDATE.full_name,
    }


def _demo_logins(logins_file: Path, institution_code: str) -> list[dict[str, str]]:
    """Demo accounts with passwords made on first run and kept in var/ (never in the repo); a
    login added to the demo later is made and kept the same way."""
    wanted = _wanted_logins(institution_code)
    if logins_file.exists():
        stored = json.loads(logins_file.read_text(encoding="utf-8"))
        if isinstance(stored, list):
            names = {x.get("username") for x in stored}
            added = [x for x in wanted if x["username"] not in names]
            if not added:
                return stored
            for login in added:
                login["password"] = secrets.token_urlsafe(9)
            logins = [*stored, *added]
            logins_file.write_text(json.dumps(logins, indent=2), encoding="utf-8")
            return logins
    logins = wanted
    for login in logins:
        login["password"] = secrets.token_urlsafe(9)
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.write_text(json.dumps(logins, indent=2), encoding="utf-8")
    logins_file.chmod(0o600)
    return logins


def _wanted_logins(institution_code: str) -> list[dict[str, str]]:
    return [
        {"username": "admin", "role": Role.ministry_admin.value, "institution": ""},
        {"username": "analyst", "role": Role.ministry_analyst.value, "institution": ""},
        {
            "username": "officer",
            "role": Role.institution_officer.value,
            "institution": institution_code,
        },
        {"username": "candidate", "role": Role.candidate.value, "institution": ""},
        # linked to a learner of the officer's institution (hemis.demo.competency)
        {"username": "learner", "role": Role.learner.value, "institution": ""},
    ]


@clear_errors
def _exit_on_sigterm() -> None:
    """SIGTERM (`kill`, a service manager) stops the demo as Ctrl+C does. uvicorn shuts down on
    it, then raises the signal again; by default that ends the process on the spot, before the
    blocks that stop the child processes run, and leaves them holding their ports."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


@clear_errors
def demo(
    scale: float = typer.Option(0.01, "--scale", help="Size of the demo nation (1 = national)"),
    seed: int = typer.Option(2026, "--seed"),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Prepare only; do not serve"),
    phase: Phase | None = typer.Option(
        None,
        "--phase",
        help="Move the demo admission year to this phase (registration, wishes, rounds, "
        "confirmation or enrolled), print where it stands and exit; a running portal shows it.",
    ),
    reset: bool = typer.Option(
        False, "--reset", help="Start over: delete the demo database (SQLite) and load it again."
    ),
) -> None:
    """Migrate the database, load a demo nation and its admission year if it is empty, create
    demo logins, serve."""
    cfg = settings()
    if cfg.env == Environment.production:
        fail(
            "Không chạy bản demo trên môi trường production.",
            "The demo refuses to run in production.",
        )
    if reset:
        _delete_database(cfg.database_url)
    console.print("[bold]1/4[/bold] Database migrations…")
    migrate.upgrade(cfg.owner_database_url)
    engine = make_engine(cfg.database_url)
    sessions = make_session_factory(engine)
    with scoped_session(sessions, Scope.system("demo")) as s:
        count = s.scalar(select(func.count()).select_from(Institution)) or 0
    if count == 0:
        console.print(f"[bold]2/4[/bold] Loading the demo nation (scale {scale})…")
        from hemis.cli.synth import synth

        synth(scale=scale, seed=seed, replace=False)
        from hemis.indicators.engine import compute_year
        from hemis.synth.common import AS_OF

        compute_year(sessions, AS_OF.year)  # the dashboard's figures for the demo year
    else:
        console.print(f"[bold]2/4[/bold] Demo data present ({count} institutions).")
    from hemis.demo.competency import build as build_competency
    from hemis.demo.competency import link_learner
    from hemis.synth.common import AS_OF as NATION_AS_OF

    built = build_competency(sessions, seed, NATION_AS_OF)
    if built.targets:
        console.print(
            f"      Năng lực số / digital competency: {built.targets:,} mục tiêu / targets, "
            f"{built.sittings:,} lần đánh giá / sittings"
        )
    with scoped_session(sessions, Scope.system("demo")) as s:
        first = s.scalar(select(Institution.moet_code).order_by(Institution.moet_code).limit(1))
        logins = _demo_logins(cfg.var_dir / "demo-logins.json", first or "")
        names = _display_names()
        for login in logins:
            if s.scalar(select(User.id).where(User.username == login["username"])) is None:
                service.create_user(
                    s,
                    UserCreate(
                        username=login["username"],
                        password=login["password"],
                        role=Role(login["role"]),
                        institution_code=login["institution"] or None,
                        display_name=names.get(login["role"]),
                        # The demo officer is also the institution's signatory, so the whole
                        # submission lifecycle can be walked with one login.
                        signatory=login["role"] == Role.institution_officer.value,
                    ),
                )
    learner = next((x["username"] for x in logins if x["role"] == Role.learner.value), None)
    if learner is not None:
        link_learner(sessions, learner, first or "")
    engine.dispose()
    candidate = next((x["username"] for x in logins if x["role"] == Role.candidate.value), None)
    _demo_year(cfg, scale, seed, phase, candidate)
    url = f"http://{host}:{port}/"
    table = Table(title=f"HEMIS demo — {url}")
    for column in ("vai trò / role", "username", "password", "institution"):
        table.add_column(column)
    for login in logins:
        vi, en = ROLE_LABELS[Role(login["role"])]
        table.add_row(f"{vi} / {en}", login["username"], login["password"], login["institution"])
    console.print("[bold]4/4[/bold] Ready.")
    console.print(table)
    if phase is not None:
        return  # the phase is moved; a portal already running shows it
    console.print(f"Mở / open: [bold link={url}]{url}[/bold link={url}]  (Ctrl+C to stop)")
    if not no_serve:
        from hemis.identity.child import idp_child
        from hemis.integrations.children import simulator_children
        from hemis.payments.sandbox.child import sandbox_child

        # The sandbox payment gateway, the national-registry simulators and the national e-ID
        # simulator, child processes.
        _exit_on_sigterm()
        with (
            sandbox_child(cfg, host, port),
            simulator_children(cfg) as simulators,
            idp_child(cfg, host, port) as idp,
        ):
            for started in simulators:
                console.print(f"Mô phỏng CSDL quốc gia / registry simulator: {started}")
            if idp:
                console.print(f"Mô phỏng định danh điện tử / e-ID simulator: {idp}")
            serve(host=host, port=port, workers=1)
