"""CCCD structural validation: property tests over the whole space of valid IDs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hemis.registry.codes import Sex
from hemis.registry.rules import (
    cccd_province_codes,
    century_sex_digit,
    decode_century_sex,
    is_valid_national_id,
    make_national_id,
    national_id_problems,
)

provinces = st.sampled_from(sorted(cccd_province_codes()))
sexes = st.sampled_from([Sex.male, Sex.female])
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2399, 12, 31))
serials = st.integers(min_value=0, max_value=999_999)


@given(provinces, sexes, birth_dates, serials)
def test_every_generated_valid_id_passes(
    province: str, sex: Sex, born: dt.date, serial: int
) -> None:
    national_id = make_national_id(province, sex, born.year, serial)
    assert len(national_id) == 12
    assert national_id_problems(national_id, sex, born) == []


@given(provinces, sexes, birth_dates, serials, st.integers(3, 5), st.integers(1, 9))
def test_every_single_digit_corruption_of_century_or_year_fails(
    province: str, sex: Sex, born: dt.date, serial: int, position: int, delta: int
) -> None:
    national_id = make_national_id(province, sex, born.year, serial)
    corrupted_digit = (int(national_id[position]) + delta) % 10
    corrupted = national_id[:position] + str(corrupted_digit) + national_id[position + 1 :]
    assert corrupted != national_id
    assert not is_valid_national_id(corrupted, sex, born)


@given(sexes, st.integers(1900, 2399))
def test_century_digit_round_trips(sex: Sex, year: int) -> None:
    start, decoded_sex = decode_century_sex(century_sex_digit(sex, year))
    assert decoded_sex is sex
    assert start == year // 100 * 100


@pytest.mark.parametrize(
    ("sex", "year", "digit"),
    [
        ("male", 1985, 0),
        ("female", 1985, 1),
        ("male", 2004, 2),
        ("female", 2004, 3),
        ("male", 2100, 4),
        ("female", 2399, 9),
    ],
)
def test_century_digit_table(sex: str, year: int, digit: int) -> None:
    assert century_sex_digit(sex, year) == digit


@pytest.mark.parametrize(
    ("national_id", "code"),
    [
        ("00109901234", "national_id.format"),  # 11 digits
        ("0010990123456", "national_id.format"),  # 13 digits
        ("00109901234a", "national_id.format"),
        ("００１０９９０１２３４５", "national_id.format"),  # full-width digits
        ("999099012345", "national_id.province"),  # 999 is not a province code
        ("003099012345", "national_id.province"),  # 003 unused since 2004's renumbering
        ("001199012345", "national_id.sex"),  # female digit for a man
        ("001299012345", "national_id.century"),  # 2000s digit for someone born 1999
        ("001098012345", "national_id.birth_year"),
    ],
)
def test_known_bad_ids(national_id: str, code: str) -> None:
    codes = [p.code for p in national_id_problems(national_id, "male", dt.date(1999, 3, 1))]
    assert code in codes


def test_old_nine_digit_cmnd_is_refused() -> None:
    assert not is_valid_national_id("012345678")


def test_messages_never_contain_the_id() -> None:
    national_id = "001199012345"
    for problem in national_id_problems(national_id, "male", dt.date(1999, 1, 1)):
        assert national_id not in problem.message_vi + problem.message_en
