"""Every model of the system, imported once so metadata and mappers are complete."""

from hemis.accounts.models import ApiToken, LoginAttempt, User, WebSession
from hemis.actions.models import ActionJob
from hemis.admissions.models import *  # noqa: F403
from hemis.admissions.models_published import PublishedResult
from hemis.audit.models import AuditEntry, AuditHead
from hemis.competency.models import *  # noqa: F403
from hemis.db.base import Base
from hemis.db.ids import id_allocator
from hemis.identity.models import EidTokenUse
from hemis.indicators.models import IndicatorCube, IndicatorResult, PopulationByAge
from hemis.integrations.models import (
    ExchangeEntry,
    ExchangeHead,
    PersonLink,
    SyncRun,
    SyncState,
)
from hemis.payments.models import *  # noqa: F403
from hemis.registry.models import *  # noqa: F403
from hemis.submissions.models import Submission, SubmissionAnswer, SubmissionJob, SubmissionSnapshot

__all__ = [
    "ActionJob",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "EidTokenUse",
    "ExchangeEntry",
    "ExchangeHead",
    "IndicatorCube",
    "IndicatorResult",
    "LoginAttempt",
    "PersonLink",
    "PopulationByAge",
    "PublishedResult",
    "Submission",
    "SubmissionAnswer",
    "SubmissionJob",
    "SubmissionSnapshot",
    "SyncRun",
    "SyncState",
    "User",
    "WebSession",
    "id_allocator",
]
