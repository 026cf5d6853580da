"""Use cases of learners' own accounts: an institution issues a learner account (one-time
password), a learner reads their own enrolments and profiles, and records a self-assessment.

A learner's own data is read in a national, read-only scope and always filtered by the person
linked to the account — never by anything in the request. A self-assessment is written in a
scope bound to institution 0 (it sees no tenant row) and names the linked person itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hemis.accounts.models import User
from hemis.accounts.passwords import hash_one_time_password, new_one_time_password
from hemis.accounts.records import record_account
from hemis.accounts.roles import Role
from hemis.accounts.service import NO_INSTITUTION, Principal
from hemis.admissions.access import linked_person
from hemis.audit.chain import Change, append
from hemis.competency import selfcheck
from hemis.competency.framework import CURRENT_VERSION, framework
from hemis.competency.models import CompetencySelfAssessment
from hemis.competency.profile import Profile, get_learner, learner_profile
from hemis.db.rows import commit
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope, get_scope
from hemis.errors import Conflict, Forbidden, NotFound
from hemis.registry.models import Learner, Person

SELF = "self"


def own_scope(principal: Principal) -> Scope:
    """National and read-only: a person's enrolments are at many institutions."""
    return Scope(f"user:{principal.user_id}", None, False, SELF)


def require_personal(principal: Principal) -> None:
    if not principal.role.personal:
        raise Forbidden(
            "Trang này dành cho người học (và thí sinh).",
            "This page is for learners (and candidates).",
        )


@dataclass
class OwnCompetency:
    person_id: int | None
    full_name: str
    profiles: list[Profile]
    self_assessments: dict[str, CompetencySelfAssessment]  # latest per competency code


def own_learner_ids(session: Session, person_id: int) -> list[tuple[int, int]]:
    rows = session.execute(
        select(Learner.institution_id, Learner.id)
        .where(Learner.person_id == person_id)
        .order_by(Learner.admitted_on, Learner.id)
    ).all()
    return [(int(i), int(lid)) for i, lid in rows]


def latest_self_assessments(
    session: Session, person_id: int
) -> dict[str, CompetencySelfAssessment]:
    rows = session.scalars(
        select(CompetencySelfAssessment)
        .where(CompetencySelfAssessment.person_id == person_id)
        .order_by(CompetencySelfAssessment.taken_at, CompetencySelfAssessment.id)
    )
    return {row.competency_code: row for row in rows}  # the last one taken wins


def own_competency(sessions: sessionmaker[HemisSession], principal: Principal) -> OwnCompetency:
    require_personal(principal)
    with scoped_session(sessions, own_scope(principal)) as session:
        person_id = linked_person(session, principal.user_id)
        if person_id is None:
            return OwnCompetency(None, "", [], {})
        person = session.scalars(
            select(Person).where(Person.id == person_id).execution_options(person_lookup=True)
        ).one_or_none()
        profiles = [
            learner_profile(session, i, lid) for i, lid in own_learner_ids(session, person_id)
        ]
        return OwnCompetency(
            person_id,
            person.full_name if person else "",
            profiles,
            latest_self_assessments(session, person_id),
        )


def own_profile(session: Session, person_id: int, learner_id: int) -> Profile:
    """One of the person's own enrolments; another person's learner id is not found."""
    for institution_id, lid in own_learner_ids(session, person_id):
        if lid == learner_id:
            return learner_profile(session, institution_id, lid)
    raise NotFound("người học / learner", learner_id)


def record_self_assessment(
    sessions: sessionmaker[HemisSession], principal: Principal, code: str, answers: list[int]
) -> CompetencySelfAssessment:
    """Score and keep a self-assessment of the account's own person (audited). Commits."""
    require_personal(principal)
    if code not in framework().codes:
        raise NotFound("năng lực / competency", code)
    result = selfcheck.band(answers)
    scope = Scope(f"user:{principal.user_id}", NO_INSTITUTION, True, SELF)
    with scoped_session(sessions, scope) as session:
        person_id = linked_person(session, principal.user_id)
        if person_id is None:
            raise Forbidden(
                "Tài khoản chưa được gắn với hồ sơ người học.",
                "This account is not linked to a learner yet.",
                code="learner_not_linked",
            )
        row = CompetencySelfAssessment(
            person_id=person_id,
            framework_version=CURRENT_VERSION,
            competency_code=code,
            answers="".join(str(a) for a in answers),
            score=result.score,
            band_low=result.low,
            band_high=result.high,
        )
        session.add(row)
        session.flush()
        append(
            session.connection(),
            [
                Change(
                    actor=scope.actor,
                    institution_id=None,
                    action="self_assessment",
                    entity="competency_self_assessment",
                    entity_id=str(row.id),
                    before=None,
                    after={
                        "person_id": person_id,
                        "competency_code": code,
                        "band": [result.low, result.high],
                    },
                )
            ],
        )
        commit(session)
        session.refresh(row)
        session.expunge(row)
        return row


@dataclass(frozen=True)
class IssuedLearnerAccount:
    username: str
    password: str  # shown once, never stored


def issue_learner_account(session: Session, learner_id: int) -> IssuedLearnerAccount:
    """An account for one of the officer's own learners, with a one-time password to hand over
    (changed at the first login). A person has one account: one that exists is a conflict.
    Commits."""
    scope = get_scope(session)
    if scope.national or scope.institution_id is None or not scope.writable:
        raise Forbidden(
            "Chỉ cán bộ của cơ sở đào tạo được cấp tài khoản cho người học của cơ sở.",
            "Only the institution's officers issue accounts to its learners.",
        )
    learner = get_learner(session, scope.institution_id, learner_id)
    existing = session.scalar(select(User).where(User.person_id == learner.person_id))
    if existing is not None:
        raise Conflict(
            f"Người học đã có tài khoản ({existing.username}); có thể đăng nhập bằng định danh "
            "điện tử hoặc mật khẩu của tài khoản đó.",
            f"The learner already has an account ({existing.username}); they can log in with "
            "the national e-ID or that account's password.",
            details={"username": existing.username},
        )
    while True:
        username = "sv-" + secrets.token_hex(4)
        if session.scalar(select(User.id).where(User.username == username)) is None:
            break
    password = new_one_time_password()
    person = session.scalars(
        select(Person).where(Person.id == learner.person_id).execution_options(person_lookup=True)
    ).one()
    user = User(
        username=username,
        display_name=person.full_name,
        password_hash=hash_one_time_password(password),
        role=Role.learner.value,
        person_id=learner.person_id,
        institution_id=scope.institution_id,
        is_active=True,
        must_change_password=True,
        # The institution knows its learner in person.
        assurance_level=2,
    )
    session.add(user)
    session.flush()
    record_account(session, user, "learner_issue", learner_id=learner.id)
    commit(session)
    return IssuedLearnerAccount(username, password)
