"""Every router of admissions, for hemis.web.routes."""

from __future__ import annotations

from hemis.admissions import (
    api,
    api_me,
    api_paths,
    api_rounds,
    pages,
    pages_intake,
    pages_offers,
    pages_paths,
    pages_staff,
    pages_whatif,
    pages_years,
)

ROUTERS = [
    api.router,
    api_rounds.router,
    api_me.router,
    api_paths.router,
    pages.router,
    pages_staff.router,
    pages_intake.router,
    pages_offers.router,
    pages_paths.router,
    pages_years.router,
    pages_whatif.router,
]
