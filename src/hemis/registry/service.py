"""Registry use cases: the only place that commits. Shared helpers, institutions, reporting periods.

Tenancy is not handled here row by row: the session is scoped to the caller (db/tenancy.py), so an
institution officer's queries only ever see their own rows, and a write of another institution's
row is refused at flush. What this module adds is the choice of the owning institution for new
rows (`target_institution`); reading rows and committing with the database's refusals translated
are db/rows.py's.
Units, finance and assets are in service_units.py; persons, learners and staff in
service_people.py and service_learners.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.access import require_ministry
from hemis.common.text import fold
from hemis.db.base import Base
from hemis.db.rows import commit, get_for_update
from hemis.db.tenancy import get_scope
from hemis.db.versions import ANY, Precondition
from hemis.errors import (
    Forbidden,
    invalid,
)
from hemis.registry.models import Institution, ReportingPeriod
from hemis.registry.schemas import (
    OFFICER_INSTITUTION_FIELDS,
    InstitutionCreate,
    InstitutionUpdate,
    ReportingPeriodCreate,
    ReportingPeriodUpdate,
    TenantRef,
    UpdateSchema,
)

M = TypeVar("M")
T = TypeVar("T", bound=Base)

# A check of a row's references (e.g. a facility's campus) inside its institution:
# (session, institution_id, values) -> None, raising ValidationFailed.
RefCheck = Callable[[Session, int, Mapping[str, Any]], None]


def target_institution(session: Session, ref: TenantRef) -> int:
    """The institution a new row belongs to.

    An officer's rows always go to the officer's own institution; naming another one is refused
    (the body is never trusted for this). A ministry administrator must name one.
    """
    scope = get_scope(session)
    if not scope.national:
        own = scope.institution_id
        assert own is not None
        named_other = ref.institution_id not in (None, own)
        if ref.institution_code is not None:
            # Searched in the officer's scope: another institution's code is simply not found.
            found = session.scalar(
                select(Institution.id).where(Institution.moet_code == ref.institution_code)
            )
            named_other = named_other or found != own
        if named_other:
            raise Forbidden(
                "Không được ghi dữ liệu của cơ sở đào tạo khác.",
                "Writing another institution's data is not allowed.",
                code="tenancy_violation",
            )
        return own
    if ref.institution_id is None and ref.institution_code is None:
        raise invalid(
            "institution_id",
            "institution.required",
            "Cần chỉ rõ cơ sở đào tạo (institution_id hoặc institution_code).",
            "Name the institution (institution_id or institution_code).",
        )
    stmt = select(Institution.id)
    if ref.institution_id is not None:
        stmt = stmt.where(Institution.id == ref.institution_id)
    if ref.institution_code is not None:
        stmt = stmt.where(Institution.moet_code == ref.institution_code)
    found = session.scalar(stmt)
    if found is None:
        raise invalid(
            "institution_id",
            "institution.unknown",
            "Không có cơ sở đào tạo này.",
            "No such institution.",
        )
    return int(found)


# --- generic create / update -------------------------------------------------------------------


def create_tenant_row(
    session: Session, model: type[T], data: TenantRef, check: RefCheck | None = None
) -> T:
    """Insert a row of `model` owned by the target institution, and commit."""
    iid = target_institution(session, data)
    values = data.model_dump(exclude={"institution_id", "institution_code"})
    if check is not None:
        check(session, iid, values)
    row = model(institution_id=iid, **values)
    session.add(row)
    commit(session)
    return row


def changes_of(data: UpdateSchema) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)


def update_row(session: Session, row: M, data: UpdateSchema, check: RefCheck | None = None) -> M:
    """Apply the fields sent in a PATCH body, and commit."""
    changes = changes_of(data)
    if check is not None:
        check(session, int(getattr(row, "institution_id")), changes)  # noqa: B009
    for name, value in changes.items():
        setattr(row, name, value)
    commit(session)
    return row


# --- institutions -----------------------------------------------------------------------------


def create_institution(session: Session, data: InstitutionCreate) -> Institution:
    require_ministry(session, write=False)
    inst = Institution(**data.model_dump(), name_folded=fold(data.name_vi))
    session.add(inst)
    commit(session)
    return inst


def update_institution(
    session: Session, institution_id: int, data: InstitutionUpdate, expected: Precondition = ANY
) -> Institution:
    """Officers may edit a few descriptive fields of their own institution; the rest (code,
    names, type, status, location) is the ministry's."""
    inst = get_for_update(session, Institution, institution_id, expected)
    changes = changes_of(data)
    if not get_scope(session).national:
        refused = sorted(set(changes) - OFFICER_INSTITUTION_FIELDS)
        if refused:
            raise Forbidden(
                "Chỉ Bộ GD&ĐT được sửa các trường này.",
                "Only the ministry may change these fields.",
                code="ministry_field",
                details={"fields": refused},
            )
    for name, value in changes.items():
        setattr(inst, name, value)
    if "name_vi" in changes:
        inst.name_folded = fold(inst.name_vi)
    commit(session)
    return inst


# --- reporting periods (national) -------------------------------------------------------------


def _check_period_dates(period: ReportingPeriod) -> None:
    if period.opens_on > period.closes_on:
        raise invalid(
            "closes_on",
            "reporting_period.dates",
            "Ngày đóng kỳ báo cáo phải sau ngày mở.",
            "A reporting period must close after it opens.",
        )


def create_reporting_period(session: Session, data: ReportingPeriodCreate) -> ReportingPeriod:
    require_ministry(session, write=False)
    period = ReportingPeriod(**data.model_dump())
    _check_period_dates(period)
    session.add(period)
    commit(session)
    return period


def update_reporting_period(
    session: Session, period_id: int, data: ReportingPeriodUpdate, expected: Precondition = ANY
) -> ReportingPeriod:
    require_ministry(session, write=False)
    period = get_for_update(session, ReportingPeriod, period_id, expected)
    for name, value in changes_of(data).items():
        setattr(period, name, value)
    _check_period_dates(period)
    commit(session)
    return period
