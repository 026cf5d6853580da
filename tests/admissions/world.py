"""Builders of admissions data for tests: a calendar, institutions with offers, candidates with
registrations, results and wishes — through the services where the behaviour matters, directly
where it is only scenery."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.admissions import results_import, service, service_offers, service_wishes
from hemis.admissions.codes import Method
from hemis.admissions.models import AdmissionYear, ExamRegistration
from hemis.admissions.schemas import (
    AdmissionYearCreate,
    ConversionTableCreate,
    OfferCreate,
    RegistrationFields,
    WishCreate,
)
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.registry.models import Institution, Program
from hemis.registry.rules import make_national_id
from tests import factories

YEAR = 2025
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def system() -> Scope:
    return Scope.system("test")


def calendar(
    s: Session,
    year: int = YEAR,
    *,
    registration_open: bool = True,
    wishes_open: bool = True,
    deadline_in: dt.timedelta | None = 10 * DAY,
    **extra: object,
) -> AdmissionYear:
    now = utcnow()
    values: dict[str, object] = {
        "year": year,
        "registration_opens_at": now - DAY,
        "registration_closes_at": now + DAY if registration_open else now - HOUR,
        "wishes_open_at": now - DAY,
        "wishes_close_at": now + DAY if wishes_open else now - HOUR,
        "confirm_deadline_at": None if deadline_in is None else now + deadline_in,
    }
    values.update(extra)
    return service.create_year(s, AdmissionYearCreate.model_validate(values))


def program(s: Session, inst: Institution, code: str, discipline: str = "7480201") -> Program:
    return factories.program(s, inst, code, discipline_code=discipline, name_vi=f"Ngành {code}")


def offer(
    s: Session,
    prog: Program,
    quota: int,
    *,
    code: str | None = None,
    methods: Iterable[str] = ("exam",),
    combinations: Mapping[str, str] | None = None,
    floor: str = "0",
    tiebreaks: Iterable[str] = (),
    method_quotas: Mapping[str, int] | None = None,
    year: int = YEAR,
) -> int:
    row = service_offers.create_offer(
        s,
        OfferCreate.model_validate(
            {
                "institution_id": prog.institution_id,
                "year": year,
                "program_id": prog.id,
                "code": code or prog.code,
                "quota": quota,
                "methods": list(methods),
                "combinations": dict(combinations or {"A00": "0"}),
                "floor": floor,
                "tiebreaks": list(tiebreaks),
                "method_quotas": dict(method_quotas or {}),
            }
        ),
    )
    return row.id


def table(s: Session, inst_id: int, method: str, points: list[tuple[str, str]]) -> None:
    service_offers.publish_table(
        s,
        ConversionTableCreate.model_validate(
            {"institution_id": inst_id, "year": YEAR, "method": method, "points": points}
        ),
    )


@dataclass
class Candidate:
    person_id: int
    number: str
    username: str | None = None
    national_id: str = ""
    wishes: list[int] = field(default_factory=list)


def registration_fields(**kw: object) -> RegistrationFields:
    values: dict[str, object] = {
        "school_code": "01001",
        "school_name": "THPT Chu Văn An",
        "area": "KV3",
        "graduation_year": YEAR,
        "electives": ["physics", "chemistry"],
        "exam_site": "01",
    }
    values.update(kw)
    return RegistrationFields.model_validate(values)


def candidate(
    s: Session, cipher: IdCipher, serial: int, name: str = "Nguyễn Văn An", **reg: object
) -> Candidate:
    nid = make_national_id("001", "male", 2007, serial)
    person = factories.person(s, cipher, nid, f"{name} {serial}", "male", dt.date(2007, 1, 1))
    row = service.save_registration(s, YEAR, person.id, registration_fields(**reg))
    return Candidate(person.id, row.candidate_number, national_id=nid)


def account(sessions: sessionmaker[HemisSession], username: str, person_id: int | None) -> None:
    from tests.web.page_factories import make_user

    make_user(sessions, username, Role.candidate, display_name=username)
    with scoped_session(sessions, system()) as s:
        user = s.query(User).filter_by(username=username).one()
        user.person_id = person_id
        s.commit()


def import_exam(s: Session, rows: Mapping[str, Mapping[str, str]], method: str = "exam") -> None:
    """rows: candidate_number → {subject: score}."""
    subjects = sorted({subject for scores in rows.values() for subject in scores})
    head = "candidate_number," + ",".join(subjects)
    lines = [head] + [
        number + "," + ",".join(scores.get(subject, "") for subject in subjects)
        for number, scores in rows.items()
    ]
    results_import.import_results(
        s, YEAR, Method(method), ("\n".join(lines) + "\n").encode(), "test file"
    )


def import_tests(s: Session, method: str, rows: Mapping[str, str]) -> None:
    body = io.StringIO()
    body.write("candidate_number,score\n")
    for number, score in rows.items():
        body.write(f"{number},{score}\n")
    results_import.import_results(s, YEAR, Method(method), body.getvalue().encode(), "test file")


def wish(s: Session, c: Candidate, inst_id: int, offer_id: int, year: int = YEAR) -> int:
    row = service_wishes.add_wish(
        s, s, year, c.person_id, WishCreate(institution_id=inst_id, offer_id=offer_id)
    )
    c.wishes.append(row.id)
    return row.id


def registration_of(s: Session, person_id: int) -> ExamRegistration | None:
    return service.find_registration(s, YEAR, person_id)
