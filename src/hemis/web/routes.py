"""Every router of the system, registered in one place."""

from __future__ import annotations

from fastapi import FastAPI

from hemis.accounts.api import router as auth_api


def include_all(app: FastAPI) -> None:
    app.include_router(auth_api)
