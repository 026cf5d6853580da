"""The competency domain's routers, in the order the app includes them."""

from __future__ import annotations

from fastapi import APIRouter

from hemis.competency.api import router as api
from hemis.competency.pages import router as pages

ROUTERS: tuple[APIRouter, ...] = (api, pages)
