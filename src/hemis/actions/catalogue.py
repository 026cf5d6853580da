"""Every domain's action kinds, registered by importing their modules (as web/routes.py gathers
the routers)."""

from __future__ import annotations

from hemis.admissions import actions as admissions_actions
from hemis.competency import actions as competency_actions
from hemis.indicators import actions as indicators_actions
from hemis.integrations import actions as integrations_actions
from hemis.payments import actions as payments_actions

MODULES = (
    admissions_actions,
    indicators_actions,
    integrations_actions,
    payments_actions,
    competency_actions,
)
