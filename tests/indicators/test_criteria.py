"""Each criterion on hand-built cases with known answers (tests/indicators/world.py), on SQLite
and PostgreSQL, including the edge cases: no lecturers, no graduates yet, no finance data —
unknown with a named reason, never zero."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker

from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.indicators.engine import compute_year
from hemis.indicators.models import IndicatorResult
from hemis.indicators.sources import EmploymentCounts, Sources
from tests.indicators import world as w
from tests.indicators.conftest import TODAY


def results(
    sessions: sessionmaker[HemisSession], institution_id: int
) -> dict[str, IndicatorResult]:
    with scoped_session(sessions, Scope.system("test")) as s:
        rows = s.scalars(
            select(IndicatorResult).where(
                IndicatorResult.institution_id == institution_id, IndicatorResult.year == w.YEAR
            )
        )
        return {r.indicator_id: r for r in rows}


def test_full_institution_known_answers(
    sessions: sessionmaker[HemisSession], built: w.Built
) -> None:
    computed = compute_year(sessions, w.YEAR, today=TODAY)
    assert computed.institutions == 2
    r = results(sessions, built.full)

    def check(indicator: str, num: float, den: float, status: str) -> None:
        got = r[indicator]
        assert (got.numerator, got.denominator) == pytest.approx((num, den)), indicator
        assert got.value == pytest.approx(num / den), indicator
        assert got.status == status, (indicator, got.value, got.threshold, got.reason_en)

    check("lecturer_ratio", w.CONVERTED, 2, "pass")  # 21 ≤ 40
    check("permanent_lecturers", 2, 2, "pass")
    check("doctorate_lecturers", 1, 2, "pass")  # 50% ≥ 20%
    check("land_per_student", 500, w.CONVERTED_FULL_TIME, "na")  # 25 m² only from 2030
    # Classrooms only, not the dormitory: 80 / 38 = 2.1 < 2.8.
    check("floor_per_student", 80, w.CONVERTED_FULL_TIME, "fail")
    check("lecturer_workspaces", 1, 2, "fail")  # 50% < 70%
    check("enrolment_quota", w.INTAKE_3Y, w.QUOTA_3Y, "fail")
    check("scale_change", w.STUDENTS, w.STUDENTS_2022, "pass")
    check("dropout", 4, w.UNDER_AT_START, "fail")  # 11.4% > 10%
    check("first_year_dropout", 4, w.FIRST_YEAR, "fail")  # 16.7% > 15%
    check("graduation_on_time", 5, 10, "pass")  # the 2 of 20 Dec are 106 days late
    check("graduation_extended", 6, 10, "pass")  # exactly 60% passes
    check("finance_balance", 1000, 800, "pass")
    assert r["land_per_student"].reason_en == "The threshold applies from 2030."
    assert r["finance_balance"].threshold_verified is False
    assert r["lecturer_ratio"].threshold == 40
    # Not computable from the registry: unknown with the reason, never zero.
    assert r["employment"].status == "unknown"
    assert r["employment"].value is None
    assert r["employment"].reason_en == "No social-insurance match data."
    assert r["learner_satisfaction"].status == "unknown"


def test_empty_institution_is_unknown_not_zero(
    sessions: sessionmaker[HemisSession], built: w.Built
) -> None:
    compute_year(sessions, w.YEAR, today=TODAY)
    r = results(sessions, built.empty)
    reasons = {
        "lecturer_ratio": "No full-time lecturers recorded.",
        "permanent_lecturers": "No full-time lecturers recorded.",
        "doctorate_lecturers": "No full-time lecturers recorded.",
        "graduation_extended": "No graduates yet: no cohort has reached the deadline.",
        "graduation_on_time": "No graduates yet: no cohort has reached the deadline.",
        "finance_balance": "No finance data for 2025.",
        "land_per_student": "No campus (land, floor area) recorded.",
        "lecturer_workspaces": "No resource summary for 2025.",
        "enrolment_quota": "No admission quota recorded.",
    }
    for indicator, reason in reasons.items():
        assert r[indicator].status == "unknown", indicator
        assert r[indicator].value is None, indicator
        assert r[indicator].reason_en == reason, indicator
        assert r[indicator].reason_vi, indicator
    assert all(row.status in ("unknown", "info") for row in r.values())


class FakeInsurance:
    def employment(self, conn: Connection, graduation_year: int) -> Mapping[int, EmploymentCounts]:
        assert graduation_year == w.YEAR - 1
        return {self.institution: EmploymentCounts(graduates=10, matched=8, employed=6)}

    def __init__(self, institution: int) -> None:
        self.institution = institution


def test_employment_from_a_plugged_source_shows_its_funnel(
    sessions: sessionmaker[HemisSession], built: w.Built
) -> None:
    compute_year(sessions, w.YEAR, Sources(employment=FakeInsurance(built.full)), today=TODAY)
    got = results(sessions, built.full)["employment"]
    assert (got.numerator, got.denominator, got.status) == (6, 8, "pass")
    assert got.reason_en == (
        "Funnel: 10 graduates → 8 checked against social insurance → 6 employed."
    )


def test_recomputing_replaces_the_year(
    sessions: sessionmaker[HemisSession], built: w.Built
) -> None:
    first = compute_year(sessions, w.YEAR, today=TODAY)
    second = compute_year(sessions, w.YEAR, today=TODAY)
    assert first.results == second.results
    with scoped_session(sessions, Scope.system("test")) as s:
        assert len(list(s.scalars(select(IndicatorResult)))) == second.results
