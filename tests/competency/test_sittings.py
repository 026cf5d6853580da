"""Levels gathered into sittings and read back: whatever (competency, level) pairs a learner's
rows give on a date, the stored string decodes to exactly those pairs; the wide file's row gives
the same string as the long file's rows."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from hemis.competency.apply import _sittings_of_long, _sittings_of_wide
from hemis.competency.entities import wide_column
from hemis.competency.framework import CURRENT_VERSION, framework
from hemis.competency.profile import decode

CODES = framework().codes
LEVELS = st.dictionaries(st.sampled_from(CODES), st.integers(1, 8), min_size=1)


@given(LEVELS)
def test_long_rows_round_trip_through_a_sitting(levels: dict[str, int]) -> None:
    rows = pl.DataFrame(
        {
            "learner_id": [7] * len(levels),
            "assessed_on": [dt.date(2025, 6, 1)] * len(levels),
            "method": ["exam"] * len(levels),
            "evidence_ref": [None] * len(levels),
            "competency_code": list(levels),
            "level": list(levels.values()),
        },
        schema_overrides={"evidence_ref": pl.String},
    )
    sittings = _sittings_of_long(rows)
    assert sittings.height == 1
    stored = sittings["levels"][0]
    assert len(stored) == 24
    assert decode(stored, CURRENT_VERSION) == levels
    wide = pl.DataFrame(
        {
            "learner_id": [7],
            "assessed_on": [dt.date(2025, 6, 1)],
            "method": ["exam"],
            "evidence_ref": [None],
            **{wide_column(c): [levels.get(c)] for c in CODES},
        },
        schema_overrides={"evidence_ref": pl.String, **{wide_column(c): pl.Int64 for c in CODES}},
    )
    assert _sittings_of_wide(wide)["levels"][0] == stored


@given(st.lists(st.tuples(st.sampled_from(["exam", "coursework"]), LEVELS), min_size=1, max_size=3))
def test_one_sitting_per_method_of_a_day(parts: list[tuple[str, dict[str, int]]]) -> None:
    merged: dict[str, dict[str, int]] = {}
    for method, levels in parts:  # a duplicate (learner, competency, day) is refused earlier
        merged.setdefault(method, {}).update(levels)
    frame = pl.DataFrame(
        [
            (7, dt.date(2025, 6, 1), method, None, code, level)
            for method, levels in merged.items()
            for code, level in levels.items()
        ],
        schema={
            "learner_id": pl.Int64,
            "assessed_on": pl.Date,
            "method": pl.String,
            "evidence_ref": pl.String,
            "competency_code": pl.String,
            "level": pl.Int64,
        },
        orient="row",
    )
    sittings = _sittings_of_long(frame)
    got = {m: decode(lv, CURRENT_VERSION) for m, lv in sittings.select("method", "levels").rows()}
    assert got == merged
