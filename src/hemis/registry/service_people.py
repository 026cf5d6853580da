"""Registry use cases for persons and staff.

A person is national: one row per human, found by the blind index of the national ID (never by
the ID itself, which is stored only encrypted). Institutions create persons implicitly when they
enrol a learner or employ a staff member; the ministry manages persons directly. The national ID
is never written into an error, a log or a Read shape other than masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.access import require_ministry
from hemis.common.crypto import IdCipher, mask
from hemis.common.text import clean, fold
from hemis.db.rows import commit, flush, get_for_update
from hemis.db.tenancy import get_scope
from hemis.db.versions import ANY, Precondition
from hemis.errors import Conflict, NotFound, ValidationFailed, problem
from hemis.registry.codes import ReviewStatus, Sex
from hemis.registry.models import Learner, Person, Staff, StaffChange
from hemis.registry.rules import national_id_problems
from hemis.registry.schemas_people import (
    PersonCreate,
    PersonFields,
    PersonIdentity,
    PersonRead,
    PersonUpdate,
    StaffCreate,
    StaffRead,
    StaffUpdate,
)
from hemis.registry.service import changes_of, target_institution

R = TypeVar("R", bound=BaseModel)

# The facts that must agree when a national ID is presented again.
IDENTITY_FIELDS = ("full_name", "date_of_birth", "sex")


def check_national_id(national_id: str, sex: str, date_of_birth: dt.date) -> None:
    """422 listing every structural problem of the ID; the ID itself is never echoed."""
    problems = national_id_problems(national_id, sex, date_of_birth)
    if problems:
        raise ValidationFailed(
            "Số định danh cá nhân không hợp lệ.",
            "The national ID is not valid.",
            details=[problem(p.field, p.code, p.message_vi, p.message_en) for p in problems],
        )


def find_person_by_national_id(
    session: Session, cipher: IdCipher, national_id: str
) -> Person | None:
    """The person with this national ID anywhere in the nation, or None.

    `person_lookup` lifts the tenancy filter on persons for this one query: an institution must
    find a person another institution already registered, or it would create a duplicate.
    """
    stmt = (
        select(Person)
        .where(Person.national_id_index == cipher.blind_index(national_id))
        .execution_options(person_lookup=True)
    )
    return session.scalars(stmt).one_or_none()


def _differing(person: Person, data: PersonFields) -> list[str]:
    differing = []
    if clean(person.full_name).casefold() != clean(data.full_name).casefold():
        differing.append("full_name")
    if person.date_of_birth != data.date_of_birth:
        differing.append("date_of_birth")
    if person.sex != data.sex:
        differing.append("sex")
    return differing


def same_details(person: Person, data: PersonFields) -> bool:
    """Whether a person not yet the institution's is what it sent: every field that a read of
    the person would show it (name, birth date, sex, ethnicity, nationality), so that linking
    them shows it nothing it did not send (but for the letter case of the name)."""
    return (
        clean(person.full_name).casefold() == clean(data.full_name).casefold()
        and person.date_of_birth == data.date_of_birth
        and person.sex == data.sex
        and person.ethnicity_code == data.ethnicity_code
        and person.nationality == data.nationality
    )


def _new_person(
    cipher: IdCipher, data: PersonIdentity, index: bytes | None = None, review_of: int | None = None
) -> Person:
    return Person(
        national_id_enc=cipher.encrypt(data.national_id),
        national_id_index=cipher.blind_index(data.national_id) if index is None else index,
        full_name=data.full_name,
        name_folded=fold(data.full_name),
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        ethnicity_code=data.ethnicity_code,
        nationality=data.nationality,
        review_of=review_of,
        review_status=None if review_of is None else ReviewStatus.pending.value,
    )


def _mismatch(differing: list[str]) -> Conflict:
    return Conflict(
        "Số định danh này đã gắn với một người có thông tin khác: " + ", ".join(differing),
        "This national ID belongs to a person whose details differ: " + ", ".join(differing),
        details={"code": "person.mismatch", "fields": differing},
    )


def _added(session: Session, person: Person) -> Person:
    session.add(person)
    flush(session)
    return person


def resolve_person(session: Session, cipher: IdCipher, data: PersonIdentity) -> Person:
    """The person a learner, staff or registration body describes: found by national ID, or
    added (flushed, not committed).

    The ministry sees every person: 409 if the ID is registered with another name, birth date
    or sex. An institution learns nothing about persons that are not its own (docs/security.md):
    see `_resolve_for_institution`."""
    check_national_id(data.national_id, data.sex, data.date_of_birth)
    scope = get_scope(session)
    if scope.institution_id is not None:
        return _resolve_for_institution(session, cipher, data, scope.institution_id)
    person = find_person_by_national_id(session, cipher, data.national_id)
    if person is None:
        return _added(session, _new_person(cipher, data))
    differing = _differing(person, data)
    if differing:
        raise _mismatch(differing)
    return person


def _resolve_for_institution(
    session: Session, cipher: IdCipher, data: PersonIdentity, iid: int
) -> Person:
    """For an institution: its own person (one it enrols or employs, or its own claim) is
    checked as the ministry's would be (409 listing the differences: it sees that person
    anyway). Any other person with the ID is linked only if they are exactly what was sent;
    otherwise the institution's details become a claim (a new person pending the ministry's
    review). The claim, a new person and a linked one all answer the same, and every path runs
    the same one query and at most one insert, so neither the answer nor its timing tells
    whether someone else holds the ID, or with which details."""
    national = cipher.blind_index(data.national_id)
    claim = cipher.claim_index(iid, data.national_id)
    ours = (
        select(Learner.id).where(Learner.institution_id == iid, Learner.person_id == Person.id)
    ).exists() | (
        select(Staff.id).where(Staff.institution_id == iid, Staff.person_id == Person.id)
    ).exists()
    stmt = (
        select(Person, ours)
        .where(Person.national_id_index.in_([national, claim]))
        .execution_options(person_lookup=True)
    )
    found = {p.national_id_index: (p, bool(own)) for p, own in session.execute(stmt)}
    registered, own = found.get(national, (None, False))
    mine = found.get(claim, (None, False))[0]
    if mine is not None:
        registered, own = mine, True
    if registered is None:
        return _added(session, _new_person(cipher, data))
    if own:
        differing = _differing(registered, data)
        if differing:
            raise _mismatch(differing)
        return registered
    if same_details(registered, data):
        return registered
    return _added(session, _new_person(cipher, data, claim, review_of=registered.id))


def person_read(person: Person, cipher: IdCipher) -> PersonRead:
    return PersonRead(
        id=person.id,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        sex=Sex(person.sex),
        ethnicity_code=person.ethnicity_code,
        nationality=person.nationality,
        national_id_masked=mask(cipher.decrypt(person.national_id_enc)),
    )


def persons_by_id(session: Session, ids: Sequence[int]) -> dict[int, Person]:
    """Persons of rows the caller can already see (the tenancy filter admits exactly those)."""
    if not ids:
        return {}
    rows = session.scalars(select(Person).where(Person.id.in_(set(ids))))
    return {p.id: p for p in rows}


def reads_with_person(
    session: Session, cipher: IdCipher, rows: Sequence[Any], read: type[R]
) -> list[R]:
    """Read shapes of learner or staff rows, each with its person (masked national ID)."""
    persons = persons_by_id(session, [row.person_id for row in rows])
    out = []
    for row in rows:
        values = {name: getattr(row, name) for name in read.model_fields if name != "person"}
        values["person"] = person_read(persons[row.person_id], cipher)
        out.append(read.model_validate(values))
    return out


# --- persons (ministry) ------------------------------------------------------------------------


def create_person(session: Session, cipher: IdCipher, data: PersonCreate) -> Person:
    require_ministry(session, write=False)
    check_national_id(data.national_id, data.sex, data.date_of_birth)
    existing = find_person_by_national_id(session, cipher, data.national_id)
    if existing is not None:
        raise Conflict(
            "Đã có người mang số định danh này.",
            "A person with this national ID already exists.",
            details={"code": "person.exists", "person_id": existing.id},
        )
    person = _new_person(cipher, data)
    session.add(person)
    commit(session)
    return person


def lookup_person(session: Session, cipher: IdCipher, national_id: str) -> Person:
    """The person with this national ID (ministry only). NotFound carries no key: the ID must
    not travel back in an error."""
    require_ministry(session, write=False)
    person = find_person_by_national_id(session, cipher, national_id)
    if person is None:
        raise NotFound("person")
    return person


def update_person(
    session: Session,
    cipher: IdCipher,
    person_id: int,
    data: PersonUpdate,
    expected: Precondition = ANY,
) -> Person:
    require_ministry(session, write=False)
    person = get_for_update(session, Person, person_id, expected)
    changes = changes_of(data)
    for name, value in changes.items():
        setattr(person, name, value)
    if "full_name" in changes:
        person.name_folded = fold(person.full_name)
    if {"sex", "date_of_birth"} & set(changes):
        # The ID encodes sex and birth year, so a correction must still agree with it.
        check_national_id(cipher.decrypt(person.national_id_enc), person.sex, person.date_of_birth)
    commit(session)
    return person


# --- staff -------------------------------------------------------------------------------------


def create_staff(session: Session, cipher: IdCipher, data: StaffCreate) -> Staff:
    iid = target_institution(session, data)
    person = resolve_person(session, cipher, data)
    values = data.model_dump(
        exclude={"institution_id", "institution_code", "national_id", *PersonFields.model_fields}
    )
    staff = Staff(institution_id=iid, person_id=person.id, **values)
    session.add(staff)
    commit(session)
    return staff


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def update_staff(
    session: Session, staff_id: int, data: StaffUpdate, expected: Precondition = ANY
) -> Staff:
    """Apply a PATCH and keep the fields that changed, before and after, in the history (the
    row is locked, so "before" is what was committed)."""
    staff = get_for_update(session, Staff, staff_id, expected)
    changes = changes_of(data)
    effective_on = changes.pop("effective_on", None) or dt.date.today()
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in changes.items():
        old = getattr(staff, name)
        if old != value:
            before[name], after[name] = _jsonable(old), _jsonable(value)
            setattr(staff, name, value)
    if after:
        session.add(
            StaffChange(
                institution_id=staff.institution_id,
                staff_id=staff.id,
                effective_on=effective_on,
                before=before,
                after=after,
            )
        )
    commit(session)
    return staff


def staff_reads(session: Session, cipher: IdCipher, rows: Sequence[Staff]) -> list[StaffRead]:
    return reads_with_person(session, cipher, rows, StaffRead)
