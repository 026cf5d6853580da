"""Pure business rules of the registry (no Session, no HTTP).

National ID (CCCD, 12 digits): 3-digit province of birth registration (the 63 pre-2025 codes of
Circular 07/2016/TT-BCA, Appendix 1) + 1 century/sex digit (1900s male 0 / female 1, 2000s 2/3,
2100s 4/5, 2200s 6/7, 2300s 8/9) + 2 digits of the birth year + 6 digits. There is no checksum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from hemis.registry.codes import Sex


@dataclass(frozen=True)
class Problem:
    """One broken rule: a stable code and a message in Vietnamese and English."""

    code: str
    field: str
    message_vi: str
    message_en: str


@lru_cache(maxsize=1)
def cccd_province_codes() -> frozenset[str]:
    from hemis.registry.reference import read_rows

    return frozenset(row["code"] for row in read_rows("provinces_cccd.csv"))


def century_sex_digit(sex: Sex | str, birth_year: int) -> int:
    """The 4th digit of a CCCD for a person of this sex born in this year."""
    century = birth_year // 100 - 19
    if not 0 <= century <= 4:
        raise ValueError(f"birth year {birth_year} outside 1900–2399")
    return century * 2 + (1 if Sex(sex) is Sex.female else 0)


def decode_century_sex(digit: int) -> tuple[int, Sex]:
    """(first year of the century, sex) encoded by a CCCD's 4th digit."""
    return 1900 + (digit // 2) * 100, Sex.female if digit % 2 else Sex.male


def national_id_problems(
    national_id: str, sex: Sex | str | None = None, date_of_birth: dt.date | None = None
) -> list[Problem]:
    """Everything structurally wrong with a CCCD, given what is known of the person."""
    field = "national_id"
    if len(national_id) != 12 or not national_id.isascii() or not national_id.isdigit():
        return [
            Problem(
                "national_id.format",
                field,
                "Số định danh cá nhân phải gồm đúng 12 chữ số.",
                "The national ID must be exactly 12 digits.",
            )
        ]
    problems: list[Problem] = []
    if national_id[:3] not in cccd_province_codes():
        problems.append(
            Problem(
                "national_id.province",
                field,
                f"Mã nơi đăng ký khai sinh {national_id[:3]} không có trong danh mục.",
                f"Birth-registration code {national_id[:3]} is not a known province code.",
            )
        )
    century_start, encoded_sex = decode_century_sex(int(national_id[3]))
    if sex is not None and Sex(sex) is not encoded_sex:
        problems.append(
            Problem(
                "national_id.sex",
                field,
                "Chữ số thứ 4 của số định danh không khớp với giới tính.",
                "The 4th digit of the national ID does not match the sex.",
            )
        )
    if date_of_birth is not None:
        encoded_year = century_start + int(national_id[4:6])
        if encoded_year // 100 != date_of_birth.year // 100:
            problems.append(
                Problem(
                    "national_id.century",
                    field,
                    "Chữ số thứ 4 của số định danh không khớp với thế kỷ của năm sinh.",
                    "The 4th digit of the national ID does not match the century of birth.",
                )
            )
        elif encoded_year != date_of_birth.year:
            problems.append(
                Problem(
                    "national_id.birth_year",
                    field,
                    "Chữ số thứ 5–6 của số định danh không khớp với năm sinh.",
                    "Digits 5–6 of the national ID do not match the year of birth.",
                )
            )
    return problems


def is_valid_national_id(
    national_id: str, sex: Sex | str | None = None, date_of_birth: dt.date | None = None
) -> bool:
    return not national_id_problems(national_id, sex, date_of_birth)


def make_national_id(province: str, sex: Sex | str, birth_year: int, serial: int) -> str:
    """A structurally valid CCCD (used by the synthetic nation and tests)."""
    if not 0 <= serial < 1_000_000:
        raise ValueError("serial must have at most 6 digits")
    digit = century_sex_digit(sex, birth_year)
    return f"{province}{digit}{birth_year % 100:02d}{serial:06d}"
