"""ASGI entry point for uvicorn workers."""

from hemis.web.app import create_app

app = create_app()
