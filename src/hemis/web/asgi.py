"""ASGI entry point for uvicorn workers (each worker process imports it, so each sets up the
one redacting log path before the app exists)."""

from hemis.config import get_settings
from hemis.logging import configure
from hemis.web.app import create_app

configure(get_settings().log_level)
app = create_app()
