"""Registry use cases for an institution's units and money: campuses, facilities, resource
summaries, programs, revenues, expenditures and assets. Commits through service.commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.db.rows import get_for_update
from hemis.db.versions import ANY, Precondition
from hemis.errors import invalid
from hemis.registry.models import (
    Asset,
    Campus,
    Discipline,
    Expenditure,
    Facility,
    Program,
    ResourceSummary,
    Revenue,
)
from hemis.registry.schemas_finance import (
    AssetCreate,
    AssetUpdate,
    ExpenditureCreate,
    ExpenditureUpdate,
    RevenueCreate,
    RevenueUpdate,
)
from hemis.registry.schemas_units import (
    CampusCreate,
    CampusUpdate,
    FacilityCreate,
    FacilityUpdate,
    ProgramCreate,
    ProgramUpdate,
    ResourceSummaryCreate,
    ResourceSummaryUpdate,
)
from hemis.registry.service import create_tenant_row, update_row

# --- reference checks --------------------------------------------------------------------------


def _check_campus(session: Session, iid: int, values: Mapping[str, Any]) -> None:
    """A facility's campus must be one of the same institution's campuses."""
    campus_id = values.get("campus_id")
    if campus_id is None:
        return
    # Filtered explicitly by institution too: a ministry session sees every campus.
    found = session.scalar(
        select(Campus.id).where(Campus.institution_id == iid, Campus.id == campus_id)
    )
    if found is None:
        raise invalid(
            "campus_id",
            "campus.unknown",
            "Cơ sở đào tạo không có phân hiệu/cơ sở này.",
            "The institution has no such campus.",
        )


def _check_discipline(session: Session, iid: int, values: Mapping[str, Any]) -> None:
    code = values.get("discipline_code")
    if code is not None and session.get(Discipline, code) is None:
        raise invalid(
            "discipline_code",
            "discipline.unknown",
            "Mã ngành không có trong danh mục (Thông tư 09/2022/TT-BGDĐT).",
            "The discipline code is not in the catalogue (Circular 09/2022).",
        )


def check_program(session: Session, iid: int, values: Mapping[str, Any]) -> None:
    """A learner's program must be one of the same institution's programs."""
    program_id = values.get("program_id")
    if program_id is None:
        return
    found = session.scalar(
        select(Program.id).where(Program.institution_id == iid, Program.id == program_id)
    )
    if found is None:
        raise invalid(
            "program_id",
            "program.unknown",
            "Cơ sở đào tạo không có chương trình này.",
            "The institution has no such program.",
        )


# --- campuses, facilities, resource summaries ---------------------------------------------------


def create_campus(session: Session, data: CampusCreate) -> Campus:
    return create_tenant_row(session, Campus, data)


def update_campus(
    session: Session, campus_id: int, data: CampusUpdate, expected: Precondition = ANY
) -> Campus:
    return update_row(session, get_for_update(session, Campus, campus_id, expected), data)


def create_facility(session: Session, data: FacilityCreate) -> Facility:
    return create_tenant_row(session, Facility, data, _check_campus)


def update_facility(
    session: Session, facility_id: int, data: FacilityUpdate, expected: Precondition = ANY
) -> Facility:
    return update_row(session, get_for_update(session, Facility, facility_id, expected), data)


def create_resource_summary(session: Session, data: ResourceSummaryCreate) -> ResourceSummary:
    return create_tenant_row(session, ResourceSummary, data)


def update_resource_summary(
    session: Session, summary_id: int, data: ResourceSummaryUpdate, expected: Precondition = ANY
) -> ResourceSummary:
    return update_row(session, get_for_update(session, ResourceSummary, summary_id, expected), data)


# --- programs ----------------------------------------------------------------------------------


def create_program(session: Session, data: ProgramCreate) -> Program:
    return create_tenant_row(session, Program, data, _check_discipline)


def update_program(
    session: Session, program_id: int, data: ProgramUpdate, expected: Precondition = ANY
) -> Program:
    return update_row(
        session, get_for_update(session, Program, program_id, expected), data, _check_discipline
    )


# --- finance and assets ------------------------------------------------------------------------


def create_revenue(session: Session, data: RevenueCreate) -> Revenue:
    return create_tenant_row(session, Revenue, data)


def update_revenue(
    session: Session, revenue_id: int, data: RevenueUpdate, expected: Precondition = ANY
) -> Revenue:
    return update_row(session, get_for_update(session, Revenue, revenue_id, expected), data)


def create_expenditure(session: Session, data: ExpenditureCreate) -> Expenditure:
    return create_tenant_row(session, Expenditure, data)


def update_expenditure(
    session: Session, expenditure_id: int, data: ExpenditureUpdate, expected: Precondition = ANY
) -> Expenditure:
    return update_row(session, get_for_update(session, Expenditure, expenditure_id, expected), data)


def create_asset(session: Session, data: AssetCreate) -> Asset:
    return create_tenant_row(session, Asset, data)


def update_asset(
    session: Session, asset_id: int, data: AssetUpdate, expected: Precondition = ANY
) -> Asset:
    return update_row(session, get_for_update(session, Asset, asset_id, expected), data)
