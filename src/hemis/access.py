"""Who may do what, checked on the session's scope (db/tenancy.py): the checks the services of
every domain make, in one place.

A scope is the ministry's when it is national and not a candidate's or the offer catalogue's
(both have no institution either); it writes only if its role may (`ReadOnly` otherwise). The
API and pages check roles before a service runs (web/api_deps.py); these checks stand behind
them for every other way in (CLI, jobs, the demo).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hemis.db.tenancy import Scope, get_scope
from hemis.errors import Forbidden, ReadOnly

NOT_MINISTRY = ("Chỉ Bộ GD&ĐT được thực hiện thao tác này.", "Only the ministry may do this.")
NOT_INSTITUTION = (
    "Chỉ cán bộ của cơ sở đào tạo được thực hiện bước này.",
    "Only the institution's officers may do this.",
)
# Scopes without an institution that are not the ministry's.
OUTSIDERS = ("candidate", "catalogue")


def is_ministry(session: Session) -> bool:
    return _ministry(get_scope(session))


def _ministry(scope: Scope) -> bool:
    return scope.national and scope.role not in OUTSIDERS


def require_writable(session: Session) -> None:
    if not get_scope(session).writable:
        raise ReadOnly()


def require_ministry(
    session: Session, *, write: bool = True, refused: tuple[str, str] = NOT_MINISTRY
) -> None:
    """The ministry; for a write, a ministry role that may write (ReadOnly otherwise)."""
    scope = get_scope(session)
    if not _ministry(scope):
        raise Forbidden(*refused)
    if write and not scope.writable:
        raise ReadOnly()


def require_ministry_admin(session: Session, refused: tuple[str, str]) -> None:
    """A ministry administrator (a ministry role that writes): anyone else is refused with the
    step's own message, a read-only ministry role included."""
    scope = get_scope(session)
    if not _ministry(scope) or not scope.writable:
        raise Forbidden(*refused)


def require_institution(session: Session, refused: tuple[str, str] = NOT_INSTITUTION) -> int:
    """The caller's own institution, for the steps that are its officers' own."""
    scope = get_scope(session)
    if scope.national or scope.institution_id is None or not scope.writable:
        raise Forbidden(*refused)
    return scope.institution_id
