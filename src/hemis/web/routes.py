"""Every router of the system, registered in one place."""

from __future__ import annotations

from fastapi import FastAPI

from hemis.accounts.api import router as auth_api
from hemis.accounts.pages import router as account_pages
from hemis.accounts.pages_candidates import router as school_candidate_pages
from hemis.accounts.pages_password import router as password_pages
from hemis.actions.api import router as actions_api
from hemis.actions.pages import router as action_pages
from hemis.admissions.routers import ROUTERS as ADMISSIONS_ROUTERS
from hemis.competency.routers import ROUTERS as COMPETENCY_ROUTERS
from hemis.identity.pages import router as eid_pages
from hemis.indicators.api import router as indicators_api
from hemis.indicators.pages import router as indicators_pages
from hemis.integrations.pages import router as integration_pages
from hemis.payments.api import gateway_router as payments_gateway
from hemis.payments.api import router as payments_api
from hemis.payments.pages import router as payments_pages
from hemis.payments.pages_ministry import router as payments_ministry_pages
from hemis.registry.api import router as registry_api
from hemis.registry.pages import router as registry_pages
from hemis.registry.pages_own import router as own_record_pages
from hemis.registry.pages_reviews import router as person_review_pages
from hemis.submissions.api import router as submissions_api
from hemis.submissions.pages import router as submissions_pages
from hemis.submissions.pages_periods import router as period_pages
from hemis.submissions.pages_review import router as submission_review_pages
from hemis.submissions.pages_templates import router as template_pages


def include_all(app: FastAPI) -> None:
    app.include_router(auth_api)
    app.include_router(registry_api)
    app.include_router(account_pages)
    app.include_router(registry_pages)
    app.include_router(person_review_pages)
    app.include_router(submissions_api)
    # before the review pages, whose /submissions/{submission_id} would take these paths
    app.include_router(template_pages)
    app.include_router(period_pages)
    app.include_router(submissions_pages)
    app.include_router(submission_review_pages)
    app.include_router(integration_pages)
    app.include_router(indicators_api)
    app.include_router(indicators_pages)
    for router in ADMISSIONS_ROUTERS:
        app.include_router(router)
    app.include_router(payments_api)
    app.include_router(payments_gateway)
    app.include_router(payments_pages)
    # Candidate accounts: the national e-ID, school-issued accounts, passwords, own records.
    app.include_router(eid_pages)
    app.include_router(school_candidate_pages)
    app.include_router(password_pages)
    app.include_router(own_record_pages)
    app.include_router(payments_ministry_pages)
    app.include_router(action_pages)
    app.include_router(actions_api)
    for router in COMPETENCY_ROUTERS:
        app.include_router(router)
