"""Read side of program targets: an institution's programs with the level each targets per
competency, and the ministry's coverage view — per institution, field or region, the
competencies that no open program targets. Every query is an ORM select through the caller's
scoped session, so an officer only ever counts their own institution's programs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from hemis.competency.framework import framework
from hemis.competency.models import ProgramCompetencyTarget
from hemis.registry.codes import ProgramStatus
from hemis.registry.models import DisciplineGroup, Institution, Program, Province

T = ProgramCompetencyTarget


class CoverageBy(StrEnum):
    institution = "institution"
    field = "field"
    region = "region"


COVERAGE_LABELS = {
    CoverageBy.institution: ("Cơ sở đào tạo", "Institution"),
    CoverageBy.field: ("Lĩnh vực", "Field"),
    CoverageBy.region: ("Vùng", "Region"),
}


@dataclass
class ProgramTargets:
    program_id: int
    code: str
    name: str
    level: str
    status: str
    targets: dict[str, int] = field(default_factory=dict)  # competency code → level


def program_targets(session: Session, institution_id: int) -> list[ProgramTargets]:
    """Every program of the institution (in the caller's scope) with its targets."""
    programs = session.execute(
        select(Program.id, Program.code, Program.name_vi, Program.level, Program.status)
        .where(Program.institution_id == institution_id)
        .order_by(Program.code)
    ).all()
    out = {
        int(p.id): ProgramTargets(int(p.id), p.code, p.name_vi, p.level, p.status) for p in programs
    }
    rows = session.execute(
        select(T.program_id, T.competency_code, T.level).where(T.institution_id == institution_id)
    )
    for program_id, code, level in rows:
        if int(program_id) in out:
            out[int(program_id)].targets[code] = int(level)
    return list(out.values())


@dataclass
class CoverageRow:
    key: str
    name: str
    programs: int  # open programs
    programs_with_targets: int
    counts: dict[str, int]  # competency code → open programs targeting it

    @property
    def uncovered(self) -> list[str]:
        return [code for code in framework().codes if not self.counts.get(code)]


def _key(by: CoverageBy) -> Any:
    if by is CoverageBy.institution:
        return Program.institution_id
    if by is CoverageBy.field:
        return func.substr(Program.discipline_code, 2, 2)
    return func.coalesce(Province.region, "")


def _places(stmt: Any, by: CoverageBy) -> Any:
    if by is not CoverageBy.region:
        return stmt
    return stmt.join(Institution, Institution.id == Program.institution_id).outerjoin(
        Province, and_(Province.generation == 34, Province.code == Institution.province_code)
    )


def group_names(session: Session, by: CoverageBy, keys: set[str]) -> dict[str, str]:
    if by is CoverageBy.institution:
        rows = session.execute(
            select(Institution.id, Institution.moet_code, Institution.name_vi).where(
                Institution.id.in_([int(k) for k in keys])
            )
        )
        return {str(i): f"{name} ({code})" for i, code, name in rows}
    if by is CoverageBy.field:
        fields = session.execute(
            select(DisciplineGroup.code, DisciplineGroup.name_vi).where(
                DisciplineGroup.kind == "field"
            )
        )
        names = {str(code)[1:]: str(name) for code, name in fields}
        return {k: f"{k} — {names.get(k, '')}".rstrip(" —") for k in keys}
    return {k: k or "—" for k in keys}


def coverage(session: Session, by: CoverageBy) -> list[CoverageRow]:
    """Per group: open programs, how many declare targets, and per competency how many target
    it (a competency nobody targets is the gap the ministry looks for)."""
    key = _key(by).label("key")
    is_open = Program.status == ProgramStatus.open.value
    programs = session.execute(
        _places(select(key, func.count(Program.id)).select_from(Program), by)
        .where(is_open)
        .group_by(key)
    ).all()
    on_program = and_(Program.institution_id == T.institution_id, Program.id == T.program_id)
    targeted = session.execute(
        _places(
            select(key, T.competency_code, func.count(distinct(T.program_id)))
            .select_from(T)
            .join(Program, on_program),
            by,
        )
        .where(is_open)
        .group_by(key, T.competency_code)
    ).all()
    with_targets = session.execute(
        _places(
            select(key, func.count(distinct(T.program_id)))
            .select_from(T)
            .join(Program, on_program),
            by,
        )
        .where(is_open)
        .group_by(key)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for k, code, n in targeted:
        counts.setdefault(str(k), {})[str(code)] = int(n)
    declared = {str(k): int(n) for k, n in with_targets}
    names = group_names(session, by, {str(k) for k, _ in programs})
    rows = [
        CoverageRow(str(k), names.get(str(k), str(k)), int(n), declared.get(str(k), 0),
                    counts.get(str(k), {}))
        for k, n in programs
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-len(r.uncovered), r.name))
