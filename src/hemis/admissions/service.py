"""Admissions use cases: the admission calendar and exam registration.

The only place (with the other service_* modules, rounds.py and results_import.py) that commits.
Every write to a registration is audited (ExamRegistration is Audited). A candidate edits their
own registration inside the registration window; the ministry registers candidates (finding or
adding the person by national ID, never storing the ID in clear) and may correct at any time.
Offers are in service_offers.py, wishes in service_wishes.py, rounds in rounds.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.admissions import access
from hemis.admissions.eligibility import (
    Window,
    category_problems,
    graduation_problems,
    subject_problems,
)
from hemis.admissions.models import AdmissionYear, ExamRegistration
from hemis.admissions.rules import rules_for
from hemis.admissions.schemas import (
    AdmissionYearCreate,
    AdmissionYearUpdate,
    RegistrationCreate,
    RegistrationFields,
)
from hemis.common.crypto import IdCipher
from hemis.db.rows import commit, flush
from hemis.db.types import utcnow
from hemis.db.versions import ANY, Precondition, locked
from hemis.errors import Conflict, Forbidden, NotFound, ValidationFailed, problem
from hemis.registry.rules import Problem
from hemis.registry.service_people import resolve_person


def failed(problems: list[Problem], vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(
        vi,
        en,
        details=[problem(p.field, p.code, p.message_vi, p.message_en) for p in problems],
    )


# --- admission years ------------------------------------------------------------------------------


def get_year(session: Session, year: int) -> AdmissionYear:
    row = session.get(AdmissionYear, year)
    if row is None:
        raise NotFound("admission_year", year)
    return row


def _check_calendar(row: AdmissionYear) -> None:
    pairs = [
        ("registration_closes_at", row.registration_opens_at, row.registration_closes_at),
        ("wishes_close_at", row.wishes_open_at, row.wishes_close_at),
    ]
    for field, opens, closes in pairs:
        if opens is not None and closes is not None and closes <= opens:
            raise ValidationFailed(
                "Thời điểm đóng phải sau thời điểm mở.",
                "A window must close after it opens.",
                details=[{"field": field, "code": "calendar.order"}],
            )
    if row.term_starts_on is not None and row.term_starts_on.year not in (row.year, row.year + 1):
        raise ValidationFailed(
            "Ngày bắt đầu năm học phải thuộc năm tuyển sinh hoặc năm sau.",
            "The term must start in the admission year or the year after.",
            details=[{"field": "term_starts_on", "code": "calendar.term"}],
        )


def create_year(session: Session, data: AdmissionYearCreate) -> AdmissionYear:
    access.require_ministry(session)
    if session.get(AdmissionYear, data.year) is not None:
        raise Conflict(
            f"Năm tuyển sinh {data.year} đã có.",
            f"Admission year {data.year} exists.",
            details={"field": "year"},
        )
    rules = rules_for(data.rules_version or data.year)
    values = data.model_dump()
    row = AdmissionYear(**values)
    row.rules_version = rules.version
    if "wish_cap" not in data.model_fields_set:
        row.wish_cap = rules.wish_cap
    if "teacher_wish_limit" not in data.model_fields_set:
        row.teacher_wish_limit = rules.teacher_wish_limit
    if data.unpaid_wishes_count is None:
        row.unpaid_wishes_count = rules.unpaid_wishes_count
    _check_calendar(row)
    session.add(row)
    commit(session)
    return row


def update_year(
    session: Session, year: int, data: AdmissionYearUpdate, expected: Precondition = ANY
) -> AdmissionYear:
    access.require_ministry(session)
    row = session.scalar(locked(select(AdmissionYear).where(AdmissionYear.year == year)))
    if row is None:
        raise NotFound("admission_year", year)
    expected.check(row)
    for name, value in data.model_dump(exclude_unset=True).items():
        if name == "rules_version" and value is not None:
            value = rules_for(value).version
        if name in ("rules_version", "unpaid_wishes_count") and value is None:
            continue
        setattr(row, name, value)
    _check_calendar(row)
    commit(session)
    return row


def registration_window(row: AdmissionYear) -> Window:
    return Window(row.registration_opens_at, row.registration_closes_at)


def wish_window(row: AdmissionYear) -> Window:
    return Window(row.wishes_open_at, row.wishes_close_at)


def require_window(
    session: Session, window: Window, what_vi: str, what_en: str, now: dt.datetime | None
) -> None:
    """Candidates act only inside the window; the ministry may correct at any time."""
    if access.is_candidate(session) and not window.is_open(now or utcnow()):
        raise Forbidden(
            f"Ngoài thời gian {what_vi}.",
            f"The {what_en} window is closed.",
            code="window_closed",
        )


# --- registrations --------------------------------------------------------------------------------


def _check_registration(year: int, data: RegistrationFields, rules_version: int) -> None:
    electives = [e.value for e in data.electives]
    problems = subject_problems(
        electives,
        data.foreign_language.value if data.foreign_language else None,
        data.technology_track.value if data.technology_track else None,
    )
    problems += graduation_problems(year, data.graduation_year)
    category = data.category.value if data.category else None
    problems += category_problems(category, rules_for(rules_version).category_points)
    if problems:
        raise failed(problems, "Đăng ký dự thi không hợp lệ.", "The registration is not valid.")


def _values(data: RegistrationFields) -> dict[str, Any]:
    return {
        "school_code": data.school_code,
        "school_name": data.school_name,
        "area": data.area.value,
        "category": data.category.value if data.category else None,
        "graduation_year": data.graduation_year,
        "elective1": data.electives[0].value,
        "elective2": data.electives[1].value,
        "foreign_language": data.foreign_language.value if data.foreign_language else None,
        "technology_track": data.technology_track.value if data.technology_track else None,
        "exam_site": data.exam_site,
    }


def _next_candidate_number(session: Session, year: int, site: str) -> str:
    """8 digits: the exam council (first two digits of the site) and a running number.

    Read on the session's connection, below the ORM: a candidate's own session filters every
    registration but theirs (access.bind_candidate), and the number must follow everyone's."""
    prefix = (site[:2] if site[:2].isdigit() else "00").rjust(2, "0")
    last = session.connection().scalar(
        select(func.max(ExamRegistration.candidate_number)).where(
            ExamRegistration.year == year, ExamRegistration.candidate_number.like(f"{prefix}%")
        )
    )
    return f"{prefix}{(int(last[2:]) + 1) if last else 1:06d}"


def find_registration(
    session: Session, year: int, person_id: int, *, lock: bool = False
) -> ExamRegistration | None:
    stmt = select(ExamRegistration).where(
        ExamRegistration.year == year, ExamRegistration.person_id == person_id
    )
    return session.scalar(locked(stmt) if lock else stmt)


def save_registration(
    session: Session,
    year: int,
    person_id: int,
    data: RegistrationFields,
    expected: Precondition = ANY,
    now: dt.datetime | None = None,
) -> ExamRegistration:
    """Create or change a person's registration for a year (audited; an existing one is
    locked and checked against the version the caller read)."""
    access.require_own(session, person_id)
    access.require_registration_identity(session)
    calendar = get_year(session, year)
    require_window(session, registration_window(calendar), "đăng ký dự thi", "registration", now)
    _check_registration(year, data, calendar.rules_version)
    row = find_registration(session, year, person_id, lock=True)
    values = _values(data)
    if row is not None:
        expected.check(row)
    if row is None:
        row = ExamRegistration(
            year=year,
            person_id=person_id,
            candidate_number=_next_candidate_number(session, year, data.exam_site),
            **values,
        )
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    commit(session)
    return row


def register_candidate(
    session: Session, cipher: IdCipher, data: RegistrationCreate
) -> ExamRegistration:
    """The ministry registers a candidate: the person is found by national ID (blind index) or
    added, optionally linked to a candidate account, and registered for the year."""
    access.require_ministry(session)
    person = resolve_person(session, cipher, data)
    if data.username is not None:
        user = session.scalar(select(User).where(User.username == data.username))
        if user is None or user.role != Role.candidate.value:
            raise ValidationFailed(
                "Không có tài khoản thí sinh này.",
                "No such candidate account.",
                details=[{"field": "username", "code": "candidate.account"}],
            )
        if user.person_id not in (None, person.id):
            raise Conflict(
                "Tài khoản đã gắn với người khác.",
                "The account is linked to someone else.",
                details={"field": "username"},
            )
        user.person_id = person.id
        flush(session)
    return save_registration(session, data.year, person.id, data)


def get_registration(session: Session, registration_id: int) -> ExamRegistration:
    access.require_ministry(session, write=False)
    row = session.get(ExamRegistration, registration_id)
    if row is None:
        raise NotFound("exam_registration", registration_id)
    return row
