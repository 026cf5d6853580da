"""`hemis synth`: generate and load the synthetic nation."""

from __future__ import annotations

import typer

from hemis.cli.common import clear_errors, fail


@clear_errors
def synth(
    scale: float = typer.Option(0.01, "--scale", help="1 = the nation (470 institutions …)"),
    seed: int = typer.Option(2026, "--seed"),
) -> None:
    """Generate the synthetic nation and load it through the bulk path."""
    fail("Chưa có bộ sinh dữ liệu.", "The generator is not built yet.")
