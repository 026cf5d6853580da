"""`hemis serve`: the web portal and API."""

from __future__ import annotations

import typer
import uvicorn

from hemis.cli.common import settings
from hemis.logging import configure


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers"),
) -> None:
    """Serve the portal and the API."""
    cfg = settings()
    configure(cfg.log_level)
    uvicorn.run(
        "hemis.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=cfg.log_level.lower(),
        access_log=False,
        # No handlers of uvicorn's own: its records go through the redacting path (logging.py).
        log_config=None,
        # X-Forwarded-For is read by the app itself, from HEMIS_TRUSTED_PROXIES only
        # (web/guards.py); uvicorn's own reading would trust 127.0.0.1 whatever is configured.
        proxy_headers=False,
    )
