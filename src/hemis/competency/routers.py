"""The competency domain's routers, in the order the app includes them."""

from __future__ import annotations

from fastapi import APIRouter

from hemis.competency.api import router as api
from hemis.competency.api_credentials import router as api_credentials
from hemis.competency.api_indicators import router as api_indicators
from hemis.competency.api_learners import router as api_learners
from hemis.competency.api_targets import router as api_targets
from hemis.competency.pages import router as pages
from hemis.competency.pages_credentials import router as pages_credentials
from hemis.competency.pages_indicators import router as pages_indicators
from hemis.competency.pages_learner import router as pages_learner
from hemis.competency.pages_learners import router as pages_learners
from hemis.competency.pages_targets import router as pages_targets

ROUTERS: tuple[APIRouter, ...] = (
    api,
    api_targets,
    api_learners,
    pages,
    pages_targets,
    pages_learners,
    pages_learner,
    api_credentials,
    pages_credentials,
    api_indicators,
    pages_indicators,
)
