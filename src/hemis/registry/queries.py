"""Read side of the registry pages: filtered, paged lists and counts. Never writes.

Every query runs in the caller's scoped session, so an institution officer sees only their own
institution (db/tenancy.py); the explicit `institution_id` filters below are for the national
scope, where one institution's profile is shown.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hemis.common.crypto import IdCipher, mask
from hemis.common.text import fold, name_sort_key, split_name
from hemis.errors import NotFound
from hemis.registry.models import Institution, Learner, Person, Program, Province, Staff

PAGE_SIZE = 20
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _clamp(page: int, total: int, size: int) -> int:
    return min(max(page, 1), max(1, math.ceil(total / size)))


def like_contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the wildcards in `text` escaped (by \\)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- Vietnamese name order ------------------------------------------------------------------
# hemis.common.text.name_sort_key is the reference, but too slow for tens of thousands of names
# per page view. vietnamese_name_key returns the same key re-encoded as strings (rank r becomes
# chr(0x100 + r)), built from a per-character table that name_sort_key itself computes. It checks
# itself against the reference on probe names at first use and falls back to the reference if
# the two ever disagree (e.g. after the reference changes); a test compares them too.

_OFFSET = 0x100
_PROBES = (
    "Nguyễn Văn An",
    "Đặng Thị Ánh",
    "Lê An",
    "Tôn Nữ Thị Ngọc Hà",
    "An",
    "Âu Dương Phong",
    "Phạm  Ưng Ỷ",
    "Trần Văn Đức",
)


def _encode(ranks: Sequence[int]) -> str:
    return "".join(chr(_OFFSET + r) for r in ranks)


def exact_name_key(full_name: str) -> tuple[str, ...]:
    """name_sort_key, re-encoded as strings (the reference for vietnamese_name_key)."""
    return tuple(_encode(part) for part in name_sort_key(full_name))


@dataclass(frozen=True)
class _Tables:
    letters: dict[int, str]
    tones: dict[int, str]
    known: re.Pattern[str]


@lru_cache(maxsize=1)
def _tables() -> _Tables | None:
    """Per-character (letter rank, tone rank) as translate tables; None = fast path disabled."""
    chars = [chr(c) for c in range(0x30, 0x250)] + [chr(c) for c in range(0x1EA0, 0x1F00)]
    letters: dict[int, str] = {}
    tones: dict[int, str] = {}
    for ch in chars:
        if ch == ch.lower():
            key = name_sort_key(ch)
            half = len(key) // 2
            if len(key[0]) == 1 and len(key[half]) == 1:
                letters[ord(ch)], tones[ord(ch)] = _encode(key[0]), _encode(key[half])
    key = name_sort_key("a b c d")  # the space inside a two-word middle name
    half = len(key) // 2
    if len(key) > 1 and len(key[1]) == 3 and len(key[1 + half]) == 3:
        letters[ord(" ")], tones[ord(" ")] = _encode(key[1][1:2]), _encode(key[1 + half][1:2])
    known = re.compile("[" + "".join(re.escape(chr(c)) for c in letters) + "]*")
    tables = _Tables(letters, tones, known)
    if all(_fast_key(tables, name) == exact_name_key(name) for name in _PROBES):
        return tables
    return None


def _fast_key(tables: _Tables, full_name: str) -> tuple[str, ...] | None:
    family, middle, given = split_name(full_name)
    parts = [unicodedata.normalize("NFC", part.lower()) for part in (given, middle, family)]
    if not all(tables.known.fullmatch(part) for part in parts):
        return None
    return (
        *(part.translate(tables.letters) for part in parts),
        *(part.translate(tables.tones) for part in parts),
    )


@lru_cache(maxsize=100_000)
def vietnamese_name_key(full_name: str) -> tuple[str, ...]:
    """Sort key of a person's name: by given name, then middle names, then family name."""
    tables = _tables()
    fast = _fast_key(tables, full_name) if tables is not None else None
    return fast if fast is not None else exact_name_key(full_name)


# --- Institutions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InstitutionFilter:
    q: str = ""
    type: str = ""
    ownership: str = ""
    province: str = ""


def _institution_conditions(flt: InstitutionFilter) -> list[Any]:
    conditions: list[Any] = []
    if flt.q.strip():
        pattern = like_contains(fold(flt.q))
        conditions.append(
            or_(
                Institution.name_folded.like(pattern, escape="\\"),
                func.lower(Institution.moet_code).like(pattern, escape="\\"),
            )
        )
    if flt.type:
        conditions.append(Institution.type == flt.type)
    if flt.ownership:
        conditions.append(Institution.ownership == flt.ownership)
    if flt.province:
        conditions.append(Institution.province_code == flt.province)
    return conditions


def search_institutions(
    session: Session, flt: InstitutionFilter, page: int = 1, size: int = PAGE_SIZE
) -> Page[Institution]:
    conditions = _institution_conditions(flt)
    total = session.scalar(select(func.count(Institution.id)).where(*conditions)) or 0
    number = _clamp(page, total, size)
    rows = session.scalars(
        select(Institution)
        .where(*conditions)
        .order_by(Institution.name_folded, Institution.moet_code)
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    return Page(list(rows), number, size, total)


def get_institution(session: Session, institution_id: int) -> Institution:
    """The institution, if the caller's scope can see it; NotFound otherwise."""
    inst = session.scalar(select(Institution).where(Institution.id == institution_id))
    if inst is None:
        raise NotFound("cơ sở đào tạo / institution", institution_id)
    return inst


def province_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """Province names by code, preferring the current (34-province) generation."""
    names: dict[str, str] = {}
    rows = session.execute(
        select(Province.code, Province.name_vi)
        .where(Province.code.in_(list(codes)))
        .order_by(Province.generation.desc())
    ).all()
    for code, name in rows:
        names.setdefault(code, name)
    return names


def province_options(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the provinces that have at least one institution, by name."""
    codes = list(session.scalars(select(Institution.province_code).distinct()))
    names = province_names(session, codes)
    options = [(code, names.get(code, code)) for code in codes]
    return sorted(options, key=lambda option: (fold(option[1]), option[0]))


@dataclass(frozen=True)
class Counts:
    institutions: int
    programs: int
    learners: int
    enrolled: int
    staff: int


def count_registry(session: Session, institution_id: int | None = None) -> Counts:
    """Totals for one institution, or for everything the scope can see."""

    def count(column: Any, *where: Any) -> int:
        stmt: Select[tuple[int]] = select(func.count(column))
        if institution_id is not None:
            stmt = stmt.where(column.class_.institution_id == institution_id)
        return session.scalar(stmt.where(*where)) or 0

    return Counts(
        institutions=count(Institution.id),
        programs=count(Program.id),
        learners=count(Learner.id),
        enrolled=count(Learner.id, Learner.status == "enrolled"),
        staff=count(Staff.id),
    )


# --- Lists of one institution ---------------------------------------------------------------


def program_page(
    session: Session, institution_id: int, page: int = 1, size: int = PAGE_SIZE
) -> Page[Program]:
    where = Program.institution_id == institution_id
    total = session.scalar(select(func.count(Program.id)).where(where)) or 0
    number = _clamp(page, total, size)
    rows = session.scalars(
        select(Program)
        .where(where)
        .order_by(Program.level, Program.code)
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    return Page(list(rows), number, size, total)


@dataclass(frozen=True)
class LearnerRow:
    id: int
    person_id: int
    student_code: str
    full_name: str
    masked_id: str
    date_of_birth: dt.date
    sex: str
    program_code: str
    program_name: str
    cohort_year: int
    status: str


@dataclass(frozen=True)
class StaffRow:
    id: int
    staff_code: str
    full_name: str
    masked_id: str
    unit: str
    position: str
    highest_degree: str
    academic_title: str
    contract_type: str
    fte: float


def _name_filter(q: str, code_column: Any) -> list[Any]:
    if not q.strip():
        return []
    pattern = like_contains(fold(q))
    return [
        or_(
            Person.name_folded.like(pattern, escape="\\"),
            func.lower(code_column).like(pattern, escape="\\"),
        )
    ]


def _page_of_ids(rows: Sequence[Any], page: int, size: int) -> tuple[int, list[int], int]:
    """Sort (id, full_name, code) rows in Vietnamese name order; the ids of one page."""
    ordered = sorted(rows, key=lambda r: (vietnamese_name_key(r[1]), r[2]))
    number = _clamp(page, len(ordered), size)
    start = (number - 1) * size
    return number, [r[0] for r in ordered[start : start + size]], len(ordered)


def _masked(cipher: IdCipher, blob: bytes) -> str:
    return mask(cipher.decrypt(blob))


def learner_page(
    session: Session,
    cipher: IdCipher,
    institution_id: int,
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    status: str = "",
    cohort: int | None = None,
) -> Page[LearnerRow]:
    """Learners of an institution in Vietnamese name order, searchable without diacritics,
    filtered by status and cohort."""
    extra = [Learner.status == status] if status else []
    if cohort is not None:
        extra.append(Learner.cohort_year == cohort)
    matches = session.execute(
        select(Learner.id, Person.full_name, Learner.student_code)
        .join(Person, Person.id == Learner.person_id)
        .where(
            Learner.institution_id == institution_id,
            *_name_filter(q, Learner.student_code),
            *extra,
        )
    ).all()
    number, ids, total = _page_of_ids(matches, page, size)
    found = session.execute(
        select(Learner, Person, Program)
        .join(Person, Person.id == Learner.person_id)
        .join(
            Program,
            (Program.institution_id == Learner.institution_id) & (Program.id == Learner.program_id),
        )
        .where(Learner.institution_id == institution_id, Learner.id.in_(ids))
    ).all()
    by_id = {learner.id: (learner, person, program) for learner, person, program in found}
    items = [
        LearnerRow(
            id=learner.id,
            person_id=learner.person_id,
            student_code=learner.student_code,
            full_name=person.full_name,
            masked_id=_masked(cipher, person.national_id_enc),
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            program_code=program.code,
            program_name=program.name_vi,
            cohort_year=learner.cohort_year,
            status=learner.status,
        )
        for learner, person, program in (by_id[i] for i in ids if i in by_id)
    ]
    return Page(items, number, size, total)


def staff_page(
    session: Session,
    cipher: IdCipher,
    institution_id: int,
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    position: str = "",
) -> Page[StaffRow]:
    """Staff of an institution in Vietnamese name order, searchable without diacritics,
    filtered by position."""
    extra = [Staff.position == position] if position else []
    matches = session.execute(
        select(Staff.id, Person.full_name, Staff.staff_code)
        .join(Person, Person.id == Staff.person_id)
        .where(
            Staff.institution_id == institution_id,
            *_name_filter(q, Staff.staff_code),
            *extra,
        )
    ).all()
    number, ids, total = _page_of_ids(matches, page, size)
    found = session.execute(
        select(Staff, Person)
        .join(Person, Person.id == Staff.person_id)
        .where(Staff.institution_id == institution_id, Staff.id.in_(ids))
    ).all()
    by_id = {staff.id: (staff, person) for staff, person in found}
    items = [
        StaffRow(
            id=staff.id,
            staff_code=staff.staff_code,
            full_name=person.full_name,
            masked_id=_masked(cipher, person.national_id_enc),
            unit=staff.unit,
            position=staff.position,
            highest_degree=staff.highest_degree,
            academic_title=staff.academic_title,
            contract_type=staff.contract_type,
            fte=staff.fte,
        )
        for staff, person in (by_id[i] for i in ids if i in by_id)
    ]
    return Page(items, number, size, total)
