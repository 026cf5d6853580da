"""The rules of the Circular 01/2024/TT-BGDĐT indicators, each on a small hand-built institution
(tests/indicators/rules_world.py) with its answer worked out by hand in the comments, on SQLite
and PostgreSQL. Each test names its source; docs/indicators.md states every rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.indicators import drill
from hemis.indicators.definitions import by_id
from hemis.indicators.engine import compute_year
from hemis.indicators.history import years_before
from hemis.indicators.models import IndicatorResult
from tests.indicators import rules_world as rw

TODAY = dt.date(2026, 5, 1)


def build(sessions: sessionmaker[HemisSession], cipher: IdCipher, make: object) -> int:
    with scoped_session(sessions, Scope.system("test")) as s:
        inst = make(s, cipher)  # type: ignore[operator]
        s.commit()
        return int(inst.id)


def computed(
    sessions: sessionmaker[HemisSession], institution_id: int, year: int
) -> dict[str, IndicatorResult]:
    compute_year(sessions, year, today=TODAY)
    with scoped_session(sessions, Scope.system("test")) as s:
        rows = s.scalars(
            select(IndicatorResult).where(
                IndicatorResult.institution_id == institution_id, IndicatorResult.year == year
            )
        )
        return {r.indicator_id: r for r in rows}


def counts(r: dict[str, IndicatorResult], indicator: str) -> tuple[float | None, float | None]:
    return r[indicator].numerator, r[indicator].denominator


def drilled(
    sessions: sessionmaker[HemisSession], iid: int, indicator: str, part: str, year: int
) -> list[str]:
    with scoped_session(sessions, Scope.system("test")) as s:
        found = drill.drill(s, iid, indicator, part, year)
        return sorted(str(row["student_code"]) for row in found.rows)


# --- Same calendar day earlier (SAME_DAY_RULE) -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2025, 12, 31), 3, dt.date(2022, 12, 31)),  # not 28 December
        (dt.date(2024, 12, 31), 1, dt.date(2023, 12, 31)),  # not 1 Jan 2024 (365 days back)
        (dt.date(2028, 2, 29), 3, dt.date(2025, 2, 28)),
        (dt.date(2028, 2, 29), 1, dt.date(2027, 2, 28)),  # not 1 Mar 2027 (365 days back)
        (dt.date(2028, 2, 29), 4, dt.date(2024, 2, 29)),
        (dt.date(2025, 12, 31), 65, dt.date(1960, 12, 31)),
    ],
)
def test_earlier_cutoffs_are_the_same_calendar_day(
    day: dt.date, years: int, expected: dt.date
) -> None:
    assert years_before(day, years) == expected


# --- Status on a date, 31 December (STATUS_RULE, Circular 01/2024: data at the 31 Dec cut-off) --


def test_scale_change_counts_the_status_on_31_december(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, Standard 5: enrolment not down by more than 30 % against three years
    earlier — students studying on 31 Dec 2025 against those studying on 31 Dec 2022."""
    iid = build(sessions, cipher, rw.history_institution)
    r = computed(sessions, iid, 2025)
    # 31 Dec 2025: A (back since 2023), C, D, H, Z → 5.
    # 31 Dec 2022: A suspended, B withdrawn (30 Dec), C admitted (30 Dec), D, F suspended,
    #   G admitted (Sep 2022), Z enrolled (its last event of the day) → C, D, G, Z = 4.
    # (Reading latest statuses on 28 Dec 2022 would give A, B, D, F, G, Z = 6.)
    assert counts(r, "scale_change") == (5, 4)
    assert r["scale_change"].status == "pass"
    assert drilled(sessions, iid, "scale_change", "denominator", 2025) == ["C", "D", "G", "Z"]
    # Converted students (no lecturers, so the ratio is unknown) count the same 5.
    assert r["lecturer_ratio"].numerator == 5
    # 2024: 31 Dec 2024 → A, C, D, H, U, V, Z = 7; 31 Dec 2021 → A, B, D, Z = 4
    # (F was suspended on 10 Jan 2021).
    r24 = computed(sessions, iid, 2024)
    assert counts(r24, "scale_change") == (7, 4)


def test_dropout_year_starts_on_31_december_of_the_year_before(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, Standard 5: undergraduate dropout in the year. 2024 is a leap year:
    its year starts at the 2023 cut-off, 31 Dec 2023 (not 365 days before 31 Dec 2024, which
    is 1 Jan 2024)."""
    iid = build(sessions, cipher, rw.history_institution)
    r = computed(sessions, iid, 2024)
    # Studying on 31 Dec 2023: A, C, D, G, Y, Z = 6 (H is admitted on 1 Jan 2024: not yet).
    # Withdrawn on 31 Dec 2024 among them: G (1 Jan 2024), Y (1 Mar 2024) = 2.
    assert counts(r, "dropout") == (2, 6)
    assert r["dropout"].status == "fail"  # 33 % > 10 %
    assert drilled(sessions, iid, "dropout", "numerator", 2024) == ["G", "Y"]
    assert drilled(sessions, iid, "dropout", "denominator", 2024) == ["A", "C", "D", "G", "Y", "Z"]
    # 2025: studying on 31 Dec 2024: A, C, D, H, U, V, Z = 7; withdrawn in 2025: U, V = 2.
    r25 = computed(sessions, iid, 2025)
    assert counts(r25, "dropout") == (2, 7)


def test_first_year_dropout_reads_the_status_a_year_after_admission(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, Standard 5: first-year dropout — withdrawn within the first 12 months,
    read as the status on the first anniversary of admission (29 Feb → 28 Feb)."""
    iid = build(sessions, cipher, rw.history_institution)
    # 2024: admitted in 2023 → Y; a year after 1 Mar 2023 is 1 Mar 2024 (366 days, across
    # 29 Feb 2024), the day Y withdrew → 1 of 1.
    assert counts(computed(sessions, iid, 2024), "first_year_dropout") == (1, 1)
    # 2025: admitted in 2024 → H, U, V. A year after 29 Feb 2024 is 28 Feb 2025: U withdrew
    # that day (counted), V on 1 Mar 2025 (not) → 1 of 3.
    assert counts(computed(sessions, iid, 2025), "first_year_dropout") == (1, 3)
    assert drilled(sessions, iid, "first_year_dropout", "numerator", 2025) == ["U"]


# --- Status on a date, 29 February -------------------------------------------------------------


def test_a_29_february_cutoff(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> None:
    """A cut-off of 29 Feb 2028: three years earlier is 28 Feb 2025, the year starts on
    28 Feb 2027, and an event effective on the cut-off itself is in force on it."""
    iid = build(sessions, cipher, rw.leap_cutoff_institution)
    r = computed(sessions, iid, 2028)
    # 29 Feb 2028: P withdrew that day, Q, T admitted that day → Q, T = 2.
    # 28 Feb 2025: P, Q (admitted that day), R (withdrew the next day), S → 4.
    assert counts(r, "scale_change") == (2, 4)
    assert r["scale_change"].status == "fail"  # 50 % < 70 %
    # Studying on 28 Feb 2027: P, Q, S (withdrew 1 Mar 2027) = 3; withdrawn on 29 Feb 2028:
    # P, S = 2. (365 days before 29 Feb 2028 is 1 Mar 2027, which would drop S.)
    assert counts(r, "dropout") == (2, 3)
    assert drilled(sessions, iid, "dropout", "numerator", 2028) == ["P", "S"]


# --- Doctorate threshold (Circular 01/2024, criterion 2.3) -----------------------------------


@pytest.mark.parametrize(
    ("doctoral", "specialised", "year", "expected"),
    [
        (False, False, 2025, 0.20),
        (False, False, 2030, 0.30),
        (True, False, 2025, 0.40),
        (True, False, 2030, 0.50),
        (False, True, 2025, 0.05),
        (False, True, 2030, 0.10),
        (True, True, 2025, 0.10),  # specialised and trains doctorates
        (True, True, 2030, 0.15),
    ],
)
def test_doctorate_threshold_by_kind_of_institution(
    doctoral: bool, specialised: bool, year: int, expected: float
) -> None:
    """Circular 01/2024, criterion 2.3: 20 % (30 % from 2030); institutions training
    doctorates 40 % (50 %); specialised institutions 5 % (10 %), and 10 % (15 %) when they
    train doctorates."""
    assert by_id()["doctorate_lecturers"].threshold(year, doctoral, specialised) == expected


def test_a_specialised_institution_training_doctorates_needs_10_percent(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, criterion 2.3: 1 doctor among 12 full-time lecturers is 8.3 %,
    under the 10 % of a specialised institution that trains doctorates (it would pass 5 %)."""
    iid = build(sessions, cipher, rw.specialised_doctoral_institution)
    r = computed(sessions, iid, 2025)
    assert counts(r, "doctorate_lecturers") == (1, 12)
    assert r["doctorate_lecturers"].threshold == pytest.approx(0.10)
    assert r["doctorate_lecturers"].status == "fail"


# --- Working age at the cut-off (WORKING_AGE_RULE) ---------------------------------------------


def test_working_age_ends_on_the_65th_birthday(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, criterion 2.2 (permanent lecturers of working age; the limit of 65 is
    an operational choice): on 31 Dec 2025 those born 28 and 31 Dec 1960 are 65, the one born
    1 Jan 1961 is 64 → 1 of 3 (a cut-off of 28 Dec 1960 would count 2)."""
    iid = build(sessions, cipher, rw.working_age_institution)
    got = computed(sessions, iid, 2025)["permanent_lecturers"]
    assert (got.numerator, got.denominator) == (1, 3)
    assert got.status == "fail"


# --- Lecturer workspaces: a share is capped by its meaning (SHARE_RULE) -------------------------


def test_workspaces_above_the_lecturers_count_as_every_lecturer(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, criterion 3.2: the share of full-time lecturers with their own
    workspace. 15 workspaces reported for 12 lecturers: 12 of 12 = 100 %, not 125 %."""
    iid = build(sessions, cipher, rw.specialised_doctoral_institution)
    got = computed(sessions, iid, 2025)["lecturer_workspaces"]
    assert (got.numerator, got.denominator, got.value) == (12, 12, 1.0)
    assert got.status == "pass"
    assert got.reason_en == (
        "The number reported (15) exceeds the denominator (12): counted as the denominator; "
        "a share cannot exceed 100 %."
    )
    assert "(15)" in str(got.reason_vi)


# --- Floor area for training (FLOOR_RULE) ------------------------------------------------------


def test_floor_area_for_training_excludes_dormitories(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, criterion 3.2: floor area for training ≥ 2.8 m² per converted
    full-time student. Of 100 m², halls, classrooms, offices, library, laboratories, workshops
    and sports count (50 m²); the dormitory (40) and other buildings (10) do not:
    50 / 20 = 2.5 m² fails (the total, 5 m², would pass)."""
    iid = build(sessions, cipher, rw.floor_institution)
    got = computed(sessions, iid, 2025)["floor_per_student"]
    assert (got.numerator, got.denominator) == (50, 20)
    assert got.value == pytest.approx(2.5)
    assert got.status == "fail"


def test_floor_area_without_rooms_by_kind_is_unknown(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """A campus total alone cannot tell the area for training apart: unknown, with the reason."""
    iid = build(sessions, cipher, rw.specialised_doctoral_institution)
    got = computed(sessions, iid, 2025)["floor_per_student"]
    assert got.status == "unknown"
    assert got.value is None
    assert got.reason_en == (
        "No floor area by kind of room recorded: the area for training cannot be told apart."
    )


# --- Form of training is the program's (MODE_RULE) ---------------------------------------------


def test_the_form_of_training_is_the_programs(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """Circular 01/2024, criterion 2.1 (converted by level, field and form of training) and 3.1
    (per converted full-time student): 4 learners of a full-time program (records: part-time)
    weigh 1, 5 of a part-time program (records: full-time) weigh 0.8 → 4 + 4 = 8 converted;
    full-time students are the 4."""
    iid = build(sessions, cipher, rw.mode_institution)
    r = computed(sessions, iid, 2025)
    assert r["lecturer_ratio"].numerator == pytest.approx(8.0)  # not 4 × 0.8 + 5 = 8.2
    assert r["land_per_student"].denominator == pytest.approx(4.0)  # not 5
    assert r["land_per_student"].value == pytest.approx(25.0)


# --- Data-quality completeness (NOT_APPLICABLE_RULE) -------------------------------------------


def test_a_field_that_does_not_apply_is_not_missing(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    """ADR 0012 completeness: 12 lecturers with degree country, year and hiring date, 2
    administrative staff with no degree and a hiring date → staff fields 38 of 38, not 38 of
    42. Areas: profile 2 of 4 (no founding date, no website), staff 1, the 2025 returns 1 of 3
    (resource summary only); no programs → (0.5 + 1 + 1/3) / 3."""
    iid = build(sessions, cipher, rw.specialised_doctoral_institution)
    got = computed(sessions, iid, 2025)["dq_completeness"]
    assert got.numerator == pytest.approx(0.5 + 1.0 + 1 / 3)
    assert got.denominator == 3
