"""Subject combinations (tổ hợp xét tuyển) from data/subject_combinations.csv (see SOURCES.md).

Each code names three subjects by their Vietnamese names; they are mapped onto the scored subjects
of the national exam. A combination with a subject the exam (2025 on) does not hold cannot be
scored and `subjects_of` answers None for it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hemis.admissions.codes import Subject

DATA = Path(__file__).parent / "data" / "subject_combinations.csv"

SUBJECT_BY_NAME: dict[str, Subject] = {
    "Toán": Subject.math,
    "Ngữ văn": Subject.literature,
    "Vật lí": Subject.physics,
    "Hóa học": Subject.chemistry,
    "Sinh học": Subject.biology,
    "Lịch sử": Subject.history,
    "Địa lí": Subject.geography,
    "Giáo dục kinh tế và pháp luật": Subject.economics_law,
    "Tin học": Subject.informatics,
    "Công nghệ công nghiệp": Subject.technology_industry,
    "Công nghệ nông nghiệp": Subject.technology_agriculture,
    "Tiếng Anh": Subject.english,
    "Tiếng Nga": Subject.russian,
    "Tiếng Pháp": Subject.french,
    "Tiếng Trung": Subject.chinese,
    "Tiếng Đức": Subject.german,
    "Tiếng Nhật": Subject.japanese,
    "Tiếng Hàn": Subject.korean,
}


@dataclass(frozen=True)
class Combination:
    code: str
    names: tuple[str, str, str]
    kind: str
    subjects: tuple[Subject, Subject, Subject] | None  # None: not scorable from the exam


@lru_cache(maxsize=1)
def all_combinations() -> dict[str, Combination]:
    out: dict[str, Combination] = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names = (row["subject1"], row["subject2"], row["subject3"])
            a, b, c = (SUBJECT_BY_NAME.get(name) for name in names)
            subjects = None
            if a is not None and b is not None and c is not None and len({a, b, c}) == 3:
                subjects = (a, b, c)
            out[row["code"]] = Combination(row["code"], names, row["kind"], subjects)
    return out


def subjects_of(code: str) -> tuple[Subject, Subject, Subject] | None:
    """The three scored subjects of a combination code, or None (unknown or not scorable)."""
    combination = all_combinations().get(code)
    return combination.subjects if combination else None


def scorable_codes() -> list[str]:
    return sorted(code for code, c in all_combinations().items() if c.subjects is not None)
