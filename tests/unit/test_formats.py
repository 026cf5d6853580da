"""Numbers, percentages, dates and times as a Vietnamese reader writes them (and an English one),
and every moment in Vietnam's time: 20:00 UTC on the 1st is already the 2nd in Hà Nội."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hemis.web import formats
from hemis.web.templating import make_templates


@pytest.mark.parametrize(
    ("value", "digits", "vi", "en"),
    [
        (13029, 0, "13.029", "13,029"),
        (24.75, 2, "24,75", "24.75"),
        (Decimal("26.625"), 2, "26,62", "26.62"),  # Decimal rounds half to even, as stored
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (0, 0, "0", "0"),
        (-1500, 0, "-1.500", "-1,500"),
    ],
)
def test_numbers(value: formats.Number, digits: int, vi: str, en: str) -> None:
    assert formats.number(value, digits, "vi") == vi
    assert formats.number(value, digits, "en") == en


def test_percentages_and_missing_values() -> None:
    assert formats.percent(40.5) == "40,5 %"
    assert formats.percent(40.5, lang="en") == "40.5%"
    assert formats.percent(None) == "—"
    assert formats.number(None) == "—"


def test_moments_are_shown_in_vietnam_time() -> None:
    late = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
    assert formats.date(late) == "02/03/2026"
    assert formats.date_time(late) == "03:00 02/03/2026"
    assert formats.date_time(late, seconds=True) == "03:00:00 02/03/2026"
    naive = dt.datetime(2026, 3, 1, 20, 0)  # as SQLite gives it back: UTC
    assert formats.date(naive) == "02/03/2026"
    assert formats.date(dt.date(2026, 3, 1)) == "01/03/2026"
    assert formats.date(None) == ""


@pytest.mark.parametrize(
    ("lang", "expected"), [("vi", "13.029 · 40,5 % · 3,14"), ("en", "13,029 · 40.5% · 3.14")]
)
def test_the_template_filters_follow_the_page_language(lang: str, expected: str) -> None:
    env = make_templates().env
    page = env.from_string("{{ 13029|thousands }} · {{ 0.405|percent }} · {{ 3.14159|number(2) }}")
    assert page.render(lang=lang) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2030-01-01 00:00:00", "01/01/2030"),
        ("2030-01-01", "01/01/2030"),
        ("2030-01-01T00:00", "01/01/2030"),
        ("2030-01-01 08:30:00", "2030-01-01 08:30:00"),  # a real time stays as it was
        ("BK001", "BK001"),
        (None, ""),
    ],
)
def test_a_quoted_file_value_shows_a_date_as_a_date(value: str | None, shown: str) -> None:
    env = make_templates().env
    assert env.from_string("{{ v|cell_value }}").render(v=value, lang="vi") == shown
