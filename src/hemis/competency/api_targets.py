"""REST API of program targets and the ministry's coverage view, under /api/v1/competency.
Targets are written through the submission pipeline (entity `competency_targets`, POST
/api/v1/submissions/…); these routes read them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hemis.competency import queries_targets
from hemis.competency.queries_targets import CoverageBy
from hemis.competency.schemas import CoverageRowRead, ProgramTargetsRead
from hemis.registry.queries import get_institution
from hemis.web.api_deps import ERROR_RESPONSES, MinistryOnly, PathId, RegistryAccess
from hemis.web.deps import DB

router = APIRouter(
    prefix="/api/v1/competency",
    tags=["competency"],
    dependencies=[RegistryAccess],
    responses=ERROR_RESPONSES,
)


@router.get("/institutions/{institution_id}/targets")
def institution_targets(db: DB, institution_id: PathId) -> dict[str, Any]:
    """Every program of the institution with the level it targets per competency (an officer:
    their own institution only)."""
    inst = get_institution(db, institution_id)
    items = queries_targets.program_targets(db, inst.id)
    return {
        "institution_id": inst.id,
        "items": [ProgramTargetsRead.model_validate(p, from_attributes=True) for p in items],
    }


@router.get("/coverage", dependencies=[MinistryOnly])
def coverage(
    db: DB, by: Annotated[CoverageBy, Query(description="Group by")] = CoverageBy.institution
) -> dict[str, Any]:
    """Per institution, field or region: open programs, how many declare targets, how many
    target each competency, and the competencies no open program targets."""
    rows = queries_targets.coverage(db, by)
    return {
        "by": by.value,
        "items": [
            CoverageRowRead(
                key=r.key,
                name=r.name,
                programs=r.programs,
                programs_with_targets=r.programs_with_targets,
                counts=r.counts,
                uncovered=r.uncovered,
            )
            for r in rows
        ],
    }
