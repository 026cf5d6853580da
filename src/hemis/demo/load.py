"""The cohort's registrations and wishes written set-based.

The registration and wish services work one candidate, one wish at a time (about 3 ms each with
their audit entries), which for a cohort of thousands would hold the demo's start for a minute.
So the cohort takes this path instead: every row is checked by the rules the services apply
(admissions.eligibility, registry.rules), nothing is written unless every row passes, then each
table is written in one statement with one audit entry (a count and a digest, as the results
import does). Persons are found by the blind index of their national ID as the services find
them; new ones are encrypted the same way. The demo candidate goes through the services
themselves (setup.py): that is the journey a newcomer walks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hemis import access
from hemis.admissions.codes import OfferStatus
from hemis.admissions.eligibility import (
    category_problems,
    graduation_problems,
    subject_problems,
    teacher_rank_problems,
    wish_count_problems,
)
from hemis.admissions.models import AdmissionOffer, ExamRegistration, Wish
from hemis.admissions.rules import rules_for
from hemis.admissions.service import failed, get_year
from hemis.audit.recorder import record_bulk
from hemis.common.crypto import IdCipher
from hemis.common.text import fold
from hemis.db.ids import allocate_ids
from hemis.db.rows import commit
from hemis.db.types import utcnow
from hemis.demo.cohort import Applicant
from hemis.registry.models import Person
from hemis.registry.rules import Problem, national_id_problems


def _digest(parts: Iterable[object]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode())
    return h.hexdigest()


def register_cohort(
    s: Session, cipher: IdCipher, year: int, applicants: Sequence[Applicant]
) -> int:
    """Persons (found or added) and their exam registrations; returns the registrations written.
    An ID that belongs to someone with other details is left out, as the service refuses it."""
    access.require_ministry(s)
    categories = rules_for(get_year(s, year).rules_version).category_points
    problems: list[Problem] = []
    for a in applicants:
        problems += national_id_problems(a.national_id, a.sex, a.date_of_birth)
        problems += subject_problems(list(a.electives), a.foreign_language, a.technology_track)
        problems += graduation_problems(year, a.graduation_year)
        problems += category_problems(a.category, categories)
    if problems:
        raise failed(
            problems, "Danh sách đăng ký không hợp lệ.", "The registrations are not valid."
        )
    index = [cipher.blind_index(a.national_id) for a in applicants]
    by_index = dict(zip(index, applicants, strict=True))
    known = {
        row.national_id_index: row
        for row in s.execute(
            select(
                Person.id,
                Person.national_id_index,
                Person.full_name,
                Person.date_of_birth,
                Person.sex,
            ).where(Person.national_id_index.in_(index))
        )
    }
    registered = set(
        s.scalars(select(ExamRegistration.person_id).where(ExamRegistration.year == year))
    )
    new = [(a, i) for a, i in zip(applicants, index, strict=True) if i not in known]
    now = utcnow()
    person_of = {
        i: row.id
        for i, row in known.items()
        if (row.full_name.casefold(), row.date_of_birth, row.sex)
        == (by_index[i].full_name.casefold(), by_index[i].date_of_birth, by_index[i].sex)
    }
    if new:
        first = allocate_ids(s.connection(), "person", len(new))
        rows = []
        for k, (a, i) in enumerate(new):
            person_of[i] = first + k
            rows.append(
                {
                    "id": first + k,
                    "national_id_enc": cipher.encrypt(a.national_id),
                    "national_id_index": i,
                    "full_name": a.full_name,
                    "name_folded": fold(a.full_name),
                    "date_of_birth": a.date_of_birth,
                    "sex": a.sex,
                    "ethnicity_code": "01",
                    "nationality": "VN",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        s.execute(insert(Person), rows)
        record_bulk(s, "person", len(rows), _digest(r["id"] for r in rows))
    todo = [
        (a, person_of[i])
        for a, i in zip(applicants, index, strict=True)
        if i in person_of and person_of[i] not in registered
    ]
    if not todo:
        commit(s)
        return 0
    first = allocate_ids(s.connection(), "exam_registration", len(todo))
    numbers = _candidate_numbers(s, year, [a.exam_site for a, _ in todo])
    rows = [
        {
            "id": first + k,
            "year": year,
            "person_id": person_id,
            "candidate_number": numbers[k],
            "school_code": a.school_code,
            "school_name": a.school_name,
            "area": a.area,
            "category": a.category,
            "graduation_year": a.graduation_year,
            "elective1": a.electives[0],
            "elective2": a.electives[1],
            "foreign_language": a.foreign_language,
            "technology_track": a.technology_track,
            "exam_site": a.exam_site,
            "created_at": now,
            "updated_at": now,
        }
        for k, (a, person_id) in enumerate(todo)
    ]
    s.execute(insert(ExamRegistration), rows)
    record_bulk(s, "exam_registration", len(rows), _digest(r["candidate_number"] for r in rows))
    commit(s)
    return len(rows)


def _candidate_numbers(s: Session, year: int, sites: Sequence[str]) -> list[str]:
    """8 digits: the exam council (the site's first two digits) and a running number after the
    council's last one, in order (admissions.service numbers one registration the same way)."""
    prefixes = [(site[:2] if site[:2].isdigit() else "00").rjust(2, "0") for site in sites]
    last: dict[str, int] = {}
    for number in s.scalars(
        select(ExamRegistration.candidate_number).where(ExamRegistration.year == year)
    ):
        last[number[:2]] = max(last.get(number[:2], 0), int(number[2:]))
    out = []
    for prefix in prefixes:
        last[prefix] = last.get(prefix, 0) + 1
        out.append(f"{prefix}{last[prefix]:06d}")
    return out


def add_cohort_wishes(s: Session, year: int, plans: dict[int, list[tuple[int, int]]]) -> int:
    """Each candidate's wishes, ranked 1..n, for candidates who have none yet; returns how many
    were written. Every list is checked as the wish service checks one: open offers of the year,
    no repeats, the year's cap and the teacher-training rank limit."""
    access.require_ministry(s)
    calendar = get_year(s, year)
    rules = rules_for(calendar.rules_version)
    offers = {
        (o.institution_id, o.id): o
        for o in s.scalars(
            select(AdmissionOffer).where(
                AdmissionOffer.year == year, AdmissionOffer.status == OfferStatus.open.value
            )
        )
    }
    have = set(s.scalars(select(Wish.person_id).where(Wish.year == year).distinct()))
    problems: list[Problem] = []
    todo = {p: keys for p, keys in sorted(plans.items()) if keys and p not in have}
    for keys in todo.values():
        unknown = [k for k in keys if k not in offers]
        if unknown or len(set(keys)) != len(keys):
            problems.append(
                Problem(
                    "wish.offer",
                    "offer_id",
                    "Không có ngành/chương trình xét tuyển này, hoặc bị lặp.",
                    "No such open offer, or a repeated one.",
                )
            )
            continue
        problems += wish_count_problems(len(keys), calendar.wish_cap)
        problems += teacher_rank_problems(
            [offers[k].discipline_code for k in keys],
            calendar.teacher_wish_limit,
            rules.teacher_group,
        )
    if problems:
        raise failed(problems, "Nguyện vọng không hợp lệ.", "The wishes break a rule.")
    count = sum(len(keys) for keys in todo.values())
    if count == 0:
        return 0
    first = allocate_ids(s.connection(), "wish", count)
    now = utcnow()
    rows: list[dict[str, object]] = []
    for person_id, keys in todo.items():
        for rank, (institution_id, offer_id) in enumerate(keys, start=1):
            rows.append(
                {
                    "id": first + len(rows),
                    "year": year,
                    "person_id": person_id,
                    "rank": rank,
                    "institution_id": institution_id,
                    "offer_id": offer_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    s.execute(insert(Wish), rows)
    record_bulk(
        s, "wish", len(rows), _digest((r["person_id"], r["rank"], r["offer_id"]) for r in rows)
    )
    commit(s)
    return len(rows)
