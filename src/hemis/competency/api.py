"""The framework as JSON: published law, read without logging in, so under /api/public rather
than the staff API under /api/v1 (which refuses personal and anonymous callers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hemis.competency import queries
from hemis.competency.access import PublicDB
from hemis.competency.schemas import FrameworkRead, FrameworkVersion
from hemis.web.api_deps import ERROR_RESPONSES

router = APIRouter(prefix="/api/public/competency", tags=["competency"], responses=ERROR_RESPONSES)
VersionQuery = Annotated[
    str | None,
    Query(max_length=20, pattern=r"^[A-Za-z0-9._-]+$", description="Default: the current one"),
]


@router.get("/frameworks")
def frameworks(db: PublicDB) -> dict[str, list[FrameworkVersion]]:
    """Every version of the digital competency framework."""
    return {"items": queries.framework_versions(db)}


@router.get("/framework")
def framework(db: PublicDB, version: VersionQuery = None) -> FrameworkRead:
    """A version of the framework (Circular 02/2025/TT-BGDĐT by default): its 6 domains, 24
    competencies (code, position, names, DigComp 2.2 equivalent) and 8 levels (code, tier,
    descriptors; the codes of levels 6–8 are inferred, as `code_inferred` says)."""
    return queries.get_framework(db, version)
