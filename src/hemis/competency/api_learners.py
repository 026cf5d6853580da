"""REST API of learners' assessed levels under /api/v1/competency: a learner's profile (latest
level per competency, with history, against the program's targets). An officer reads their own
institution's learners only; assessed levels are written through the submission pipeline
(entities `digital_competencies`, `digital_competencies_wide`)."""

from __future__ import annotations

from fastapi import APIRouter

from hemis.competency.profile import profile_of
from hemis.competency.schemas import ProfileRead
from hemis.web.api_deps import ERROR_RESPONSES, PathId, RegistryAccess
from hemis.web.deps import DB

router = APIRouter(
    prefix="/api/v1/competency",
    tags=["competency"],
    dependencies=[RegistryAccess],
    responses=ERROR_RESPONSES,
)


@router.get("/learners/{learner_id}/profile")
def learner_profile(db: DB, learner_id: PathId) -> ProfileRead:
    """The learner's profile: per competency the latest assessed level, its history (newest
    first), the program's target and whether the latest level reaches it."""
    return ProfileRead.of(profile_of(db, learner_id))
