"""Read side of the framework: its versions and one version's domains, competencies and levels,
from the framework tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.competency.framework import CURRENT_VERSION
from hemis.competency.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    CompetencyLevel,
)
from hemis.competency.schemas import (
    CompetencyRead,
    DomainRead,
    FrameworkRead,
    FrameworkVersion,
    LevelRead,
)
from hemis.errors import NotFound


def framework_versions(session: Session) -> list[FrameworkVersion]:
    rows = session.scalars(select(CompetencyFramework).order_by(CompetencyFramework.in_force_from))
    return [FrameworkVersion.model_validate(r) for r in rows]


def get_framework(session: Session, version: str | None = None) -> FrameworkRead:
    """A version of the framework (the current one by default); NotFound for another code."""
    chosen = version or CURRENT_VERSION
    meta = session.get(CompetencyFramework, chosen)
    if meta is None:
        raise NotFound("khung năng lực số / competency framework", chosen)
    domains = session.scalars(
        select(CompetencyDomain)
        .where(CompetencyDomain.framework_version == chosen)
        .order_by(CompetencyDomain.position)
    ).all()
    competencies = session.scalars(
        select(Competency)
        .where(Competency.framework_version == chosen)
        .order_by(Competency.position)
    ).all()
    levels = session.scalars(
        select(CompetencyLevel)
        .where(CompetencyLevel.framework_version == chosen)
        .order_by(CompetencyLevel.level)
    ).all()
    return FrameworkRead(
        version=meta.version,
        title_vi=meta.title_vi,
        title_en=meta.title_en,
        legal_basis=meta.legal_basis,
        signed_on=meta.signed_on,
        in_force_from=meta.in_force_from,
        current=meta.version == CURRENT_VERSION,
        domains=[
            DomainRead(
                code=d.code,
                name_vi=d.name_vi,
                name_en=d.name_en,
                competencies=[
                    CompetencyRead.model_validate(c)
                    for c in competencies
                    if c.domain_code == d.code
                ],
            )
            for d in domains
        ],
        levels=[LevelRead.model_validate(lv) for lv in levels],
    )
