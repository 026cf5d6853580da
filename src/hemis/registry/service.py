"""Registry use cases: the only place that commits. Shared helpers, institutions, reporting periods.

Tenancy is not handled here row by row: the session is scoped to the caller (db/tenancy.py), so an
institution officer's queries only ever see their own rows, and a write of another institution's
row is refused at flush. What this module adds is the choice of the owning institution for new
rows (`target_institution`) and the translation of database refusals into HemisErrors.
Units, finance and assets are in service_units.py; persons, learners and staff in
service_people.py and service_learners.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import UniqueConstraint, inspect, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hemis.common.text import fold
from hemis.db.base import Base, table_of
from hemis.db.tenancy import get_scope
from hemis.db.versions import ANY, Precondition, locked
from hemis.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
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


# --- database refusals -----------------------------------------------------------------------

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: (\w+)\.(\w+)")


def _unique_name(columns: str) -> str:
    """The named unique constraint (or unique index) over SQLite's 'table.col, table.col'."""
    pairs = [part.strip().split(".", 1) for part in columns.split(",")]
    table = Base.metadata.tables.get(pairs[0][0])
    wanted = {col for _, col in pairs}
    if table is not None:
        for constraint in table.constraints:
            if (
                isinstance(constraint, UniqueConstraint)
                and constraint.name
                and {c.name for c in constraint.columns} == wanted
            ):
                return str(constraint.name)
        for index in table.indexes:
            if index.unique and {c.name for c in index.columns} == wanted and index.name:
                return str(index.name)
    return f"unique:{pairs[0][0]}"


def constraint_name(exc: IntegrityError) -> str:
    """The name of the constraint a write broke, the same on PostgreSQL and SQLite.

    Only the name is ever reported: the database's message may quote the refused values.
    """
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    if diag is not None and getattr(diag, "column_name", None):
        return f"not_null:{diag.table_name}.{diag.column_name}"
    message = str(exc.orig)
    if match := _SQLITE_UNIQUE.search(message):
        return _unique_name(match.group(1))
    if match := _SQLITE_CHECK.search(message):
        return match.group(1)
    if match := _SQLITE_NOT_NULL.search(message):
        return f"not_null:{match.group(1)}.{match.group(2)}"
    if "FOREIGN KEY" in message:
        return "foreign_key"
    return "unknown"


@contextmanager
def _database_refusals(session: Session) -> Iterator[None]:
    """A broken constraint becomes 409, a value the column refuses 422, and a write over a row
    changed since it was read (the version counter matched no row) 412 (rolled back)."""
    try:
        yield
    except StaleDataError:
        session.rollback()
        raise PreconditionFailed() from None
    except IntegrityError as exc:
        session.rollback()
        name = constraint_name(exc)
        raise Conflict(
            "Dữ liệu trùng hoặc mâu thuẫn với dữ liệu đã có.",
            "The data duplicates or contradicts existing data.",
            details={"constraint": name},
        ) from None
    except DataError:
        session.rollback()
        raise ValidationFailed(
            "Cơ sở dữ liệu từ chối một giá trị (quá dài hoặc ngoài khoảng cho phép).",
            "The database refused a value (too long or out of range).",
            details=[],
        ) from None


def flush(session: Session) -> None:
    """Flush (to get ids assigned) with database refusals translated."""
    with _database_refusals(session):
        session.flush()


def commit(session: Session) -> None:
    """Commit with database refusals translated."""
    with _database_refusals(session):
        session.commit()


# --- finding rows ------------------------------------------------------------------------------


def entity_name(model: type[Any]) -> str:
    return table_of(model).name


def find_row(session: Session, model: type[M], row_id: int) -> M | None:
    """The row with this id, if the caller's scope can see it."""
    id_column = inspect(model).columns["id"]
    row: M | None = session.scalars(select(model).where(id_column == row_id)).one_or_none()
    return row


def get_row(session: Session, model: type[M], row_id: int) -> M:
    """Like find_row; NotFound also when the row belongs to another institution (not 403, so
    that ids of other institutions cannot be probed)."""
    row = find_row(session, model, row_id)
    if row is None:
        raise NotFound(entity_name(model), row_id)
    return row


def get_for_update(
    session: Session, model: type[M], row_id: int, expected: Precondition = ANY
) -> M:
    """Like get_row, for an update: the row locked until commit, read as committed, and
    checked against the version the caller read (db/versions.py). NotFound comes first, so a
    precondition never tells anything about a row the caller cannot see."""
    id_column = inspect(model).columns["id"]
    row: M | None = session.scalars(locked(select(model).where(id_column == row_id))).one_or_none()
    if row is None:
        raise NotFound(entity_name(model), row_id)
    expected.check(row)  # type: ignore[arg-type]  # every updatable model is Versioned
    return row


def require_national(session: Session) -> None:
    if not get_scope(session).national:
        raise Forbidden(
            "Chỉ Bộ GD&ĐT được thực hiện thao tác này.",
            "Only the ministry may do this.",
        )


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
    require_national(session)
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
    require_national(session)
    period = ReportingPeriod(**data.model_dump())
    _check_period_dates(period)
    session.add(period)
    commit(session)
    return period


def update_reporting_period(
    session: Session, period_id: int, data: ReportingPeriodUpdate, expected: Precondition = ANY
) -> ReportingPeriod:
    require_national(session)
    period = get_for_update(session, ReportingPeriod, period_id, expected)
    for name, value in changes_of(data).items():
        setattr(period, name, value)
    _check_period_dates(period)
    commit(session)
    return period
