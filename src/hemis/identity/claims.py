"""The citizen an e-ID token speaks for, and the claims that carry it (pure: no HTTP, no
database). The provider (the simulator here) and HEMIS's client share these names.

Claims of an ID token, besides the registered ones (iss, sub, aud, exp, iat, nonce, jti):
`national_id` (the 12-digit CCCD), `name`, `birthdate` (YYYY-MM-DD, as in OpenID Connect's
standard claims), `gender` and `acr`, the identity assurance level: "1" (an account registered
online) or "2" (identity verified in person).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hemis.common.text import clean
from hemis.registry.codes import Sex
from hemis.registry.rules import decode_century_sex, national_id_problems

NATIONAL_ID = "national_id"
NAME = "name"
BIRTHDATE = "birthdate"
GENDER = "gender"
LEVEL = "acr"
LEVELS = (1, 2)
REGISTRATION_LEVEL = 2  # registering for the exam needs an identity verified in person

# The Vietnamese (and English) name of each field, as the forms show it.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    NATIONAL_ID: ("Số định danh cá nhân", "National ID"),
    NAME: ("Họ và tên", "Full name"),
    BIRTHDATE: ("Ngày sinh", "Date of birth"),
    LEVEL: ("Mức định danh", "Assurance level"),
}


@dataclass(frozen=True)
class Citizen:
    national_id: str
    full_name: str
    birth_date: dt.date
    level: int

    @property
    def sex(self) -> Sex:
        """Encoded in the CCCD's 4th digit (with the century of birth)."""
        return decode_century_sex(int(self.national_id[3]))[1]

    def claims(self) -> dict[str, Any]:
        return {
            NATIONAL_ID: self.national_id,
            NAME: self.full_name,
            BIRTHDATE: self.birth_date.isoformat(),
            GENDER: self.sex.value,
            LEVEL: str(self.level),
        }


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message_vi: str
    message_en: str


def parse_date(text: str) -> dt.date | None:
    """A date typed as YYYY-MM-DD (an HTML date field) or DD/MM/YYYY (as Vietnamese write it)."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def citizen_problems(
    national_id: str, full_name: str, birth_date: str, level: str, today: dt.date
) -> list[FieldProblem]:
    """Everything wrong with a citizen as typed; at most one problem per field."""
    problems: list[FieldProblem] = []
    name = clean(full_name)
    if not name:
        problems.append(FieldProblem(NAME, "Vui lòng nhập họ và tên.", "Enter the full name."))
    elif len(name) > 150 or any(ch.isdigit() for ch in name):
        problems.append(
            FieldProblem(
                NAME,
                "Họ và tên không được có chữ số và dài tối đa 150 ký tự.",
                "A name has no digits and at most 150 characters.",
            )
        )
    born = parse_date(birth_date)
    if born is None:
        problems.append(
            FieldProblem(
                BIRTHDATE,
                "Ngày sinh không hợp lệ (ngày/tháng/năm).",
                "The date of birth is not a valid date (day/month/year).",
            )
        )
    elif not dt.date(1900, 1, 1) <= born <= today:
        problems.append(
            FieldProblem(
                BIRTHDATE,
                "Ngày sinh phải trong khoảng 1900 đến hôm nay.",
                "The date of birth must be between 1900 and today.",
            )
        )
        born = None
    nid = national_id.strip()
    found = national_id_problems(nid, None, born)
    if found:
        problems.append(FieldProblem(NATIONAL_ID, found[0].message_vi, found[0].message_en))
    if level.strip() not in {str(v) for v in LEVELS}:
        problems.append(
            FieldProblem(LEVEL, "Chọn mức định danh 1 hoặc 2.", "Choose assurance level 1 or 2.")
        )
    return problems


def citizen_from_form(
    national_id: str, full_name: str, birth_date: str, level: str, today: dt.date
) -> Citizen | list[FieldProblem]:
    problems = citizen_problems(national_id, full_name, birth_date, level, today)
    if problems:
        return problems
    born = parse_date(birth_date)
    assert born is not None
    return Citizen(national_id.strip(), clean(full_name), born, int(level.strip()))


def citizen_from_claims(claims: dict[str, Any], today: dt.date) -> Citizen | None:
    """The citizen of a verified ID token; None when a claim is missing or malformed."""
    values = [claims.get(k) for k in (NATIONAL_ID, NAME, BIRTHDATE, LEVEL)]
    if not all(isinstance(v, str) for v in values):
        return None
    national_id, name, birth, level = (str(v) for v in values)
    if "/" in birth:  # the claim is ISO 8601 only
        return None
    found = citizen_from_form(national_id, name, birth, level, today)
    return found if isinstance(found, Citizen) else None
