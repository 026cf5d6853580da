"""The citizen of an e-ID token: typed on the simulator's form or read from verified claims,
with the sex read from the national ID; a malformed citizen names the field that is wrong."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hemis.common.spreadsheet import csv_text, neutralise
from hemis.identity.claims import (
    Citizen,
    citizen_from_claims,
    citizen_from_form,
    citizen_problems,
)
from hemis.registry.codes import Sex
from hemis.registry.rules import make_national_id

TODAY = dt.date(2026, 12, 1)


def test_each_bad_field_is_named() -> None:
    problems = citizen_problems("12345", "", "31/02/2007", "3", TODAY)
    assert {p.field for p in problems} == {"national_id", "name", "birthdate", "acr"}
    assert all(p.message_vi and p.message_en for p in problems)
    born_later = citizen_problems(
        make_national_id("001", "male", 2007, 1), "An", "2030-01-01", "2", TODAY
    )
    assert [p.field for p in born_later] == ["birthdate"]
    wrong_year = citizen_problems(
        make_national_id("001", "male", 2007, 1), "An", "2006-01-01", "2", TODAY
    )
    assert [p.field for p in wrong_year] == ["national_id"]


@given(
    st.sampled_from([Sex.male, Sex.female]),
    st.dates(dt.date(1950, 1, 1), dt.date(2010, 12, 31)),
    st.integers(0, 999_999),
    st.sampled_from([1, 2]),
)
def test_a_citizen_goes_through_the_claims_unchanged(
    sex: Sex, born: dt.date, serial: int, level: int
) -> None:
    national_id = make_national_id("079", sex, born.year, serial)
    typed = citizen_from_form(
        national_id, "  Nguyễn   Thị Hoa ", born.strftime("%d/%m/%Y"), str(level), TODAY
    )
    assert isinstance(typed, Citizen)
    assert typed.full_name == "Nguyễn Thị Hoa"
    assert typed.sex is sex
    claims = typed.claims() | {"iss": "x", "sub": "y"}
    assert citizen_from_claims(claims, TODAY) == typed


def test_claims_missing_or_malformed_give_no_citizen() -> None:
    good = Citizen(make_national_id("001", "female", 2007, 5), "Lê Thị Hoa", dt.date(2007, 1, 2), 2)
    claims = good.claims()
    assert citizen_from_claims(claims, TODAY) == good
    for key, value in [
        ("acr", "3"),
        ("national_id", None),
        ("birthdate", "02/01/2007"),
        ("name", 7),
    ]:
        assert citizen_from_claims(claims | {key: value}, TODAY) is None


def test_spreadsheet_cells_never_start_a_formula() -> None:
    for dangerous in ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous).startswith("'")
    assert neutralise("Nguyễn Văn An") == "Nguyễn Văn An"
    text = csv_text(["a"], [["=1+1"], ["ts-0a1b2c3d"]])
    assert "'=1+1" in text
