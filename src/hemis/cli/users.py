"""`hemis users`: accounts."""

from __future__ import annotations

import typer

from hemis.accounts import service
from hemis.accounts.roles import Role
from hemis.accounts.schemas import UserCreate
from hemis.cli.common import clear_errors, console, settings
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope

app = typer.Typer(help="Tài khoản / user accounts.", no_args_is_help=True)


@app.command("create")
@clear_errors
def create(
    username: str = typer.Option(..., "--username"),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True),
    role: Role = typer.Option(..., "--role"),
    institution: str | None = typer.Option(None, "--institution", help="MOET code"),
    display_name: str | None = typer.Option(None, "--display-name"),
    signatory: bool = typer.Option(
        False,
        "--signatory",
        help="an institution officer who signs submissions off (the head or their delegate)",
    ),
    school: str | None = typer.Option(
        None, "--school", help="a school officer's high-school code (e.g. 01001)"
    ),
) -> None:
    """Create a user: ministry_admin, ministry_analyst, institution_officer, candidate or
    school_officer (who issues the accounts of their high school's candidates)."""
    cfg = settings()
    data = UserCreate(
        username=username,
        password=password,
        role=role,
        institution_code=institution,
        display_name=display_name,
        signatory=signatory,
        school_code=school,
    )
    engine = make_engine(cfg.database_url)
    with scoped_session(make_session_factory(engine), Scope.system("cli")) as session:
        user = service.create_user(session, data)
    engine.dispose()
    console.print(f"[green]Created {user.username} ({user.role}).[/green]")
