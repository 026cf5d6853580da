"""Who may touch which admissions records, and the data scopes of candidates.

A candidate's own records (registration, results, wishes, round outcomes, confirmation) live in
national tables, found by the candidate's person (app_user.person_id, linked by the ministry).
Two scopes serve a candidate:

- `own_scope`: writable, but bound to institution 0 (never allocated), so every tenant table and
  every registry person stays invisible and no tenant row can be written; the admissions
  services then filter national tables by the candidate's person_id (`require_own`);
- `catalogue_scope`: national but read-only, used only to read the published offer catalogue
  (programs open for admission, quotas, last year's cutoffs).

A second wall: in a candidate's own session every ORM statement on a personal admissions table
(registrations, results, wishes, round outcomes, published results, confirmations) is filtered
to the candidate's person (`bind_candidate`), as db/tenancy.py filters tenant tables; unbound,
it sees none.

Institution officers keep their institution scope (their offers, their applicants); ministry
users the national scope. The tenancy hooks (db/tenancy.py) and row-level security still apply.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

# The ministry checks are hemis.access's; the admissions modules still call them through here.
from hemis.access import is_ministry as is_ministry
from hemis.access import require_ministry as require_ministry
from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.accounts.service import NO_INSTITUTION, Principal
from hemis.db.session import HemisSession
from hemis.db.tenancy import Scope, bind_person, bound_person, get_scope, set_scope
from hemis.errors import Forbidden

CANDIDATE = Role.candidate.value


def own_scope(principal: Principal) -> Scope:
    """The scope of admissions requests: a candidate may write their own national records."""
    if principal.role is Role.candidate:
        return Scope(f"user:{principal.user_id}", NO_INSTITUTION, True, CANDIDATE)
    return principal.scope()


def catalogue_scope(principal: Principal) -> Scope:
    """Read-only national scope of the public offer catalogue for candidates (others: their own
    scope, so an officer still sees only their institution's offers)."""
    if principal.role is Role.candidate:
        return Scope(f"user:{principal.user_id}", None, False, "catalogue")
    return principal.scope()


def linked_person(session: Session, user_id: int) -> int | None:
    return session.scalar(select(User.person_id).where(User.id == user_id))


def person_of(session: Session, principal: Principal) -> int:
    """The candidate's person; refused when the account is not linked to one."""
    if principal.role is not Role.candidate:
        raise Forbidden(
            "Chỉ thí sinh mới có hồ sơ tuyển sinh cá nhân.",
            "Only candidates have personal admission records.",
        )
    person_id = linked_person(session, principal.user_id)
    if person_id is None:
        raise Forbidden(
            "Tài khoản chưa được gắn với hồ sơ thí sinh. Vui lòng liên hệ Bộ GD&ĐT.",
            "This account is not linked to a candidate yet. Please contact the ministry.",
            code="candidate_not_linked",
        )
    return person_id


def may_register(session: Session, user_id: int) -> bool:
    """Whether the account's identity allows registering for the exam: an e-ID account at
    level 1 (registered online, never verified in person) may only look."""
    from hemis.identity.claims import REGISTRATION_LEVEL

    level = session.scalar(select(User.assurance_level).where(User.id == user_id))
    return level is None or level >= REGISTRATION_LEVEL


def require_registration_identity(session: Session) -> None:
    """Refuse a candidate whose identity is not assured enough to register (see may_register)."""
    scope = get_scope(session)
    if scope.role != CANDIDATE:
        return
    user_id = _user_id(scope)
    if user_id is None or not may_register(session, user_id):
        raise Forbidden(
            "Tài khoản định danh điện tử mức 1 chỉ được xem thông tin. Để đăng ký dự thi, hãy "
            "nâng tài khoản lên mức 2 (xác thực tại cơ quan công an) rồi đăng nhập lại.",
            "A level-1 e-ID account may only look. To register for the exam, upgrade it to "
            "level 2 (verified in person by the police) and log in again.",
            code="assurance_level",
        )


def _user_id(scope: Scope) -> int | None:
    prefix = "user:"
    return int(scope.actor[len(prefix) :]) if scope.actor.startswith(prefix) else None


def is_candidate(session: Session) -> bool:
    return get_scope(session).role == CANDIDATE


def require_own(session: Session, person_id: int) -> None:
    """A candidate acts only on their own person; the ministry (national, writable or not
    depending on the operation) on anyone; officers never on a candidate's national records."""
    scope = get_scope(session)
    if scope.role == CANDIDATE:
        user_id = _user_id(scope)
        if user_id is None or linked_person(session, user_id) != person_id:
            raise Forbidden()
        return
    if not scope.national:
        raise Forbidden()


def require_own_bound(session: Session, person_id: int) -> None:
    """As require_own, without a query: a candidate's session must be bound to this person
    (bind_candidate looked the person up when the session opened)."""
    scope = get_scope(session)
    if scope.role == CANDIDATE:
        if bound_person(session) != person_id:
            raise Forbidden()
        return
    if not scope.national:
        raise Forbidden()


def _personal_models() -> tuple[type[Any], ...]:
    from hemis.admissions.models import (
        CandidateAchievement,
        DirectAdmission,
        EnrolmentConfirmation,
        ExamRegistration,
        ResultScore,
        RoundCandidate,
        Wish,
    )
    from hemis.admissions.models_published import PublishedResult

    return (
        ExamRegistration,
        ResultScore,
        Wish,
        RoundCandidate,
        EnrolmentConfirmation,
        CandidateAchievement,
        DirectAdmission,
        PublishedResult,
    )


def bind_candidate(session: Session, principal: Principal) -> int:
    """Give a session the candidate's own scope, bound to their person; returns the person."""
    set_scope(session, own_scope(principal))
    person_id = person_of(session, principal)
    bind_person(session, person_id)  # the ORM filter below, and row-level security
    return person_id


def _only_own_rows(state: ORMExecuteState) -> None:
    scope = state.session.info.get("scope")
    if not isinstance(scope, Scope) or scope.role != CANDIDATE or not state.is_orm_statement:
        return
    bound = bound_person(state.session)
    state.statement = state.statement.options(*_own_options(-1 if bound is None else bound))


@lru_cache(maxsize=1024)
def _own_options(person: int) -> tuple[Any, ...]:
    """The person criteria of a candidate's statements, built once per person (as
    tenancy._institution_options: building them costs more than a one-row read)."""
    return tuple(
        with_loader_criteria(model, lambda cls: cls.person_id == person, include_aliases=True)
        for model in _personal_models()
    )


event.listen(HemisSession, "do_orm_execute", _only_own_rows)
