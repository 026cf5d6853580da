"""Tenancy, enforced in one place for every ORM query and write.

A Session carries a `Scope` in `session.info["scope"]`. A national scope (ministry, system jobs)
sees everything; an institution scope sees only rows whose institution_id is its own, and may only
write those. A session with no scope is refused (fail closed). On PostgreSQL the scope is also set
as transaction-local settings that the row-level-security policies read (db/rls.py), so a query
that escaped this module would still be filtered by the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.session import SessionTransaction

from hemis.db.base import IdMixin, Tenanted, TenantMixin, table_of
from hemis.db.ids import allocate_ids
from hemis.errors import Forbidden, HemisError, ReadOnly


@dataclass(frozen=True)
class Scope:
    """Who is acting, and over which institution (None = the whole nation)."""

    actor: str
    institution_id: int | None
    writable: bool = True
    role: str = "system"

    @property
    def national(self) -> bool:
        return self.institution_id is None

    @classmethod
    def system(cls, actor: str = "system") -> Scope:
        return cls(actor=f"system:{actor}", institution_id=None, writable=True, role="system")


class TenancyError(HemisError):
    code = "tenancy"
    status = 500


def get_scope(session: Session) -> Scope:
    scope = session.info.get("scope")
    if not isinstance(scope, Scope):
        raise TenancyError(
            "Phiên làm việc chưa gắn phạm vi dữ liệu.", "The session has no data scope."
        )
    return scope


def set_scope(session: Session, scope: Scope) -> None:
    """Give the session its scope; inside an open transaction, the database's row-level security
    follows at once (_apply_settings)."""
    session.info["scope"] = scope
    _reapply(session)


# Criteria of the national tables an institution sees only in part (the persons it enrols or
# employs), registered by the package that defines them (registry/models/visibility.py), so
# that the db package imports no domain's models.
LinkedCriteria = Callable[[int], Any]
_LINKED: list[LinkedCriteria] = []


def register_linked_criteria(build: LinkedCriteria) -> None:
    """Add the loader criteria an institution's queries of a national table get (built for the
    institution's id)."""
    if build not in _LINKED:
        _LINKED.append(build)
        _institution_options.cache_clear()


@lru_cache(maxsize=1)
def _tenant_classes() -> tuple[type[Any], ...]:
    from hemis.db.base import Base

    return tuple(m.class_ for m in Base.registry.mappers if issubclass(m.class_, Tenanted))


def _on_execute(state: ORMExecuteState) -> None:
    if state.execution_options.get("tenancy_checked"):
        return
    scope = get_scope(state.session)
    if scope.national:
        return
    if not state.is_orm_statement:
        raise TenancyError(
            "Câu lệnh trực tiếp chỉ được chạy ở phạm vi quốc gia.",
            "Raw statements are only allowed in a national scope.",
        )
    iid = scope.institution_id
    assert iid is not None
    linked = not state.execution_options.get("person_lookup")
    state.statement = state.statement.options(*_institution_options(iid, linked))


@lru_cache(maxsize=4096)
def _institution_options(iid: int, linked: bool) -> tuple[Any, ...]:
    """The loader criteria of one institution's statements. Built once per institution: each
    criterion analyses its lambda when built, which costs far more than the query on a read
    that touches one row (dozens of tenant classes on every statement)."""
    options: list[Any] = [
        with_loader_criteria(cls, lambda cls: cls.institution_id == iid, include_aliases=True)
        for cls in _tenant_classes()
    ]
    if linked:
        options.extend(build(iid) for build in _LINKED)
    return tuple(options)


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    scope = get_scope(session)
    touched = list(session.new) + list(session.dirty) + list(session.deleted)
    if touched and not scope.writable:
        raise ReadOnly()
    if not scope.national:
        for obj in touched:
            if isinstance(obj, Tenanted) and obj.institution_id != scope.institution_id:
                raise Forbidden(
                    "Không được ghi dữ liệu của cơ sở đào tạo khác.",
                    "Writing another institution's data is not allowed.",
                    code="tenancy_violation",
                )
    _assign_ids(session)


def _assign_ids(session: Session) -> None:
    missing: dict[str, list[Any]] = defaultdict(list)
    for obj in session.new:
        if isinstance(obj, IdMixin | TenantMixin) and obj.id is None:
            missing[table_of(type(obj)).name].append(obj)
    if not missing:
        return
    conn = session.connection()
    for table, objs in missing.items():
        first = allocate_ids(conn, table, len(objs))
        for offset, obj in enumerate(objs):
            obj.id = first + offset


PERSON_KEY = "hemis_person_id"
_SETTINGS = text(
    "SELECT set_config('hemis.national', :national, true), "
    "set_config('hemis.institution_id', :iid, true), "
    "set_config('hemis.person_id', :person, true)"
)


def bound_person(session: Session) -> int | None:
    """The person a candidate's session is bound to (bind_person), or None."""
    person = session.info.get(PERSON_KEY)
    return person if isinstance(person, int) else None


def bind_person(session: Session, person_id: int) -> None:
    """Bind the session to one person (a candidate's own records). On PostgreSQL the row-level
    security of the candidates' admissions tables reads it as `hemis.person_id`."""
    session.info[PERSON_KEY] = person_id
    _reapply(session)


def _apply_settings(session: Session, connection: Any) -> None:
    """The scope as transaction-local settings, which the row-level-security policies read."""
    if connection.dialect.name != "postgresql":
        return
    scope = get_scope(session)
    person = bound_person(session)
    connection.execute(
        _SETTINGS,
        {
            "national": "on" if scope.national else "off",
            "iid": "" if scope.institution_id is None else str(scope.institution_id),
            "person": "" if person is None else str(person),
        },
    )


def _reapply(session: Session) -> None:
    # A transaction already open keeps the settings it began with: set them again. (One that
    # begins later gets them from _after_begin.)
    transaction = session.get_transaction()
    if transaction is not None and transaction.is_active:
        _apply_settings(session, session.connection())


def _after_begin(session: Session, transaction: SessionTransaction, connection: Any) -> None:
    _apply_settings(session, connection)


def install(session_class: type[Session]) -> None:
    """Attach the tenancy hooks to a Session class (done once by db/session.py)."""
    event.listen(session_class, "do_orm_execute", _on_execute)
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_begin", _after_begin)
