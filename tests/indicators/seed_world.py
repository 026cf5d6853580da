"""Indicator results of one institution in the API tests' world (tests/web/conftest.py), so the
tenancy walk has B's rows in the indicator_result tenant table (B's reason text carries its
marker)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hemis.indicators.definitions import by_id
from hemis.indicators.models import IndicatorResult

YEAR = 2024


def seed_indicators(s: Session, institution_id: int, tag: str) -> dict[str, int]:
    row = IndicatorResult(
        institution_id=institution_id,
        indicator_id="lecturer_ratio",
        definition_version=by_id()["lecturer_ratio"].version,  # current: the pages show it
        year=YEAR,
        numerator=30.0,
        denominator=2.0,
        value=15.0,
        threshold=40.0,
        status="pass",
        reason_vi=f"Ghi chú {tag}",
        reason_en=f"Note {tag}",
        threshold_verified=False,
    )
    s.add(row)
    s.flush()
    return {}
