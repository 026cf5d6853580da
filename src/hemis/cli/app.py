"""The `hemis` command."""

from __future__ import annotations

import typer

from hemis.cli import admissions, admissions_intake, admissions_rounds, audit, db, users
from hemis.cli import competency as competency_cli
from hemis.cli import credential as credential_cli
from hemis.cli import imports as imports_cli
from hemis.cli import indicators as indicators_cli
from hemis.cli import integrations as integrations_cli
from hemis.cli import payments as payments_cli
from hemis.cli import submissions as submissions_cli
from hemis.cli.demo import demo
from hemis.cli.identity import idp_sim
from hemis.cli.serve import serve
from hemis.cli.synth import synth

app = typer.Typer(
    help="HEMIS — Hệ thống thông tin quản lý giáo dục đại học / higher-education registry.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.command("serve")(serve)
app.command("synth")(synth)
app.command("demo")(demo)
app.command("template")(imports_cli.template)
app.command("validate")(imports_cli.validate)
app.command("import")(submissions_cli.import_file)
app.add_typer(imports_cli.rules_app, name="rules")
admissions_rounds.register(admissions.app)
admissions_intake.register(admissions.app)
app.add_typer(admissions.app, name="admissions")
app.command("registry-sim")(integrations_cli.registry_sim)
app.command("idp-sim")(idp_sim)
app.add_typer(integrations_cli.sync_app, name="sync", no_args_is_help=True)
app.add_typer(integrations_cli.exchange_app, name="exchange")
app.add_typer(indicators_cli.app, name="indicators")
app.add_typer(payments_cli.gateway_app, name="gateway")
app.add_typer(payments_cli.app, name="payments")
app.add_typer(competency_cli.app, name="competency")
app.add_typer(credential_cli.app, name="credential")


def main() -> None:
    from pydantic import ValidationError

    from hemis.config import get_settings
    from hemis.logging import configure

    try:
        level = get_settings().log_level
    except ValidationError:  # the command itself reports bad settings, clearly
        level = "INFO"
    configure(level)  # the one redacting log path, for every command
    app()
