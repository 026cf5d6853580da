"""Candidate accounts: issued by a high school from its list of pupils (one-time passwords that
must be changed at the first login), password changes, and the audit entries of both.

Accounts are not an audited table (a row holds a password hash); what happens to them is
written to the audit chain explicitly, without the hash (accounts/records.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hemis.accounts.candidate_list import ListedCandidate, RowProblem
from hemis.accounts.models import User, WebSession
from hemis.accounts.passwords import (
    NO_PASSWORD,
    hash_one_time_password,
    hash_password,
    new_one_time_password,
    verify_password,
)
from hemis.accounts.records import record_account
from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.common.text import clean
from hemis.db.rows import commit
from hemis.db.tenancy import get_scope
from hemis.errors import Forbidden, ValidationFailed
from hemis.registry.models import Person
from hemis.registry.schemas_people import PersonIdentity
from hemis.registry.service_people import resolve_person

MIN_PASSWORD = 10


# --- issued by a school -------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    row: int
    username: str
    password: str  # shown once, never stored
    full_name: str
    birth_date: str
    id_tail: str


@dataclass
class IssueResult:
    school_code: str
    issued: list[Issued] = field(default_factory=list)
    already: list[tuple[int, str, str]] = field(default_factory=list)  # row, name, username


def _new_username(session: Session, taken: set[str]) -> str:
    while True:
        username = "ts-" + secrets.token_hex(4)
        if username in taken:
            continue
        if session.scalar(select(User.id).where(User.username == username)) is None:
            taken.add(username)
            return username


def _differing(person: Person, row: ListedCandidate) -> list[str]:
    out = []
    if clean(person.full_name).casefold() != row.full_name.casefold():
        out.append("full_name")
    if person.date_of_birth != row.birth_date:
        out.append("date_of_birth")
    if person.sex != row.sex.value:
        out.append("sex")
    return out


def issue_accounts(
    session: Session, cipher: IdCipher, school_code: str, rows: list[ListedCandidate]
) -> IssueResult:
    """Accounts for the pupils of a list, all or none: a pupil whose national ID is known with
    other details refuses the whole list; one who already has an account is listed, not
    issued again. Commits."""
    scope = get_scope(session)
    if not scope.writable or scope.role not in (Role.school_officer.value, "ministry"):
        raise Forbidden()
    indexes = {cipher.blind_index(r.national_id): r for r in rows}
    persons = {
        p.national_id_index: p
        for p in session.scalars(
            select(Person)
            .where(Person.national_id_index.in_(list(indexes)))
            .execution_options(person_lookup=True)
        )
    }
    accounts = {
        u.person_id: u
        for u in session.scalars(
            select(User).where(User.person_id.in_([p.id for p in persons.values()]))
        )
    }
    problems: list[RowProblem] = []
    for index, row in indexes.items():
        person = persons.get(index)
        if person is not None and (differing := _differing(person, row)):
            problems.append(
                RowProblem(
                    row.row,
                    differing[0],
                    "Số định danh này đã có trong HEMIS với họ tên, ngày sinh hoặc giới tính "
                    "khác. Vui lòng kiểm tra lại.",
                    "This national ID is already in HEMIS with another name, birth date or sex.",
                )
            )
    if problems:
        raise ValidationFailed(
            "Danh sách có lỗi; chưa tài khoản nào được tạo.",
            "The list has errors; no account was created.",
            details=problems,
        )
    result = IssueResult(school_code)
    taken: set[str] = set()
    for index, row in indexes.items():
        person = persons.get(index)
        existing = accounts.get(person.id) if person is not None else None
        if existing is not None:
            result.already.append((row.row, row.full_name, existing.username))
            continue
        if person is None:
            person = resolve_person(
                session,
                cipher,
                PersonIdentity(
                    national_id=row.national_id,
                    full_name=row.full_name,
                    date_of_birth=row.birth_date,
                    sex=row.sex,
                ),
            )
        password = new_one_time_password()
        user = User(
            username=_new_username(session, taken),
            display_name=row.full_name,
            password_hash=hash_one_time_password(password),
            role=Role.candidate.value,
            person_id=person.id,
            is_active=True,
            must_change_password=True,
            # The school knows its pupil in person: as good as an identity verified in person.
            assurance_level=2,
            school_code=school_code,
        )
        session.add(user)
        session.flush()
        record_account(session, user, "school_issue", school_code=school_code)
        result.issued.append(
            Issued(
                row.row,
                user.username,
                password,
                row.full_name,
                row.birth_date.strftime("%d/%m/%Y"),
                row.national_id[-3:],
            )
        )
    commit(session)
    return result


@dataclass(frozen=True)
class IssuedAccount:
    username: str
    full_name: str
    activated: bool  # the one-time password was replaced (or the pupil used the e-ID)


def accounts_of_school(session: Session, school_code: str) -> list[IssuedAccount]:
    users = session.scalars(
        select(User)
        .where(User.school_code == school_code, User.role == Role.candidate.value)
        .order_by(User.display_name, User.id)
    )
    return [IssuedAccount(u.username, u.display_name, not u.must_change_password) for u in users]


# --- changing one's password ---------------------------------------------------------------------


def has_password(session: Session, user_id: int) -> bool:
    user = session.get(User, user_id)
    return user is not None and user.password_hash != NO_PASSWORD


def password_problems(
    session: Session, user_id: int, current: str, new: str, confirm: str
) -> dict[str, tuple[str, str]]:
    """{field: (Vietnamese, English)} of everything wrong with a password change."""
    user = session.get(User, user_id)
    problems: dict[str, tuple[str, str]] = {}
    if user is None or not verify_password(user.password_hash, current):
        problems["current"] = ("Mật khẩu hiện tại không đúng.", "The current password is wrong.")
    if len(new) < MIN_PASSWORD:
        problems["new"] = (
            f"Mật khẩu mới phải có ít nhất {MIN_PASSWORD} ký tự.",
            f"The new password needs at least {MIN_PASSWORD} characters.",
        )
    elif new == current:
        problems["new"] = (
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
            "The new password must differ from the current one.",
        )
    elif new.isdigit():
        problems["new"] = (
            "Mật khẩu mới không được chỉ gồm chữ số.",
            "The new password cannot be digits only.",
        )
    if confirm != new:
        problems["confirm"] = (
            "Mật khẩu nhập lại không khớp với mật khẩu mới.",
            "The repeated password does not match the new one.",
        )
    return problems


def change_password(
    session: Session, user_id: int, current: str, new: str, confirm: str, keep_session: str
) -> None:
    """Set a new password (ending the one-time one) and close the user's other sessions."""
    problems = password_problems(session, user_id, current, new, confirm)
    if problems:
        raise ValidationFailed(
            "Chưa đổi được mật khẩu.",
            "The password was not changed.",
            details=[
                {"field": k, "message": vi, "message_en": en} for k, (vi, en) in problems.items()
            ],
        )
    user = session.get(User, user_id)
    assert user is not None
    first = user.must_change_password
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.execute(
        delete(WebSession).where(
            WebSession.user_id == user_id, WebSession.token_hash != keep_session
        )
    )
    record_account(session, user, "password_change", first_login=first)
    session.commit()
