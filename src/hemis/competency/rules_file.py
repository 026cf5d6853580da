"""Tier a–c rules of the competency entities beyond those derived from their columns (which
give the unknown competency code, the level outside 1–8 and the date in the future): duplicates
within the file, and a wide row that assesses nothing."""

from __future__ import annotations

import polars as pl

from hemis.competency.entities import (
    COMPETENCY_TARGETS,
    DIGITAL_COMPETENCIES,
    DIGITAL_COMPETENCIES_WIDE,
    wide_column,
)
from hemis.competency.framework import framework
from hemis.imports.catalogue import Context, Rule, Severity
from hemis.imports.rules_columns import key_rule


def _no_level(ctx: Context) -> pl.Expr:
    # Raw text, not the parsed level: a level that does not parse is its own finding.
    raw = [f"{wide_column(code)}__raw" for code in framework().codes]
    return pl.all_horizontal(pl.col(c).is_null() for c in raw)


COMPETENCY_RULES = [
    key_rule(COMPETENCY_TARGETS),
    # (learner, competency, date) twice: which level holds is unknown, so nothing is applied.
    key_rule(DIGITAL_COMPETENCIES),
    key_rule(DIGITAL_COMPETENCIES_WIDE),
    Rule(
        "DCW.student_code.no_level",
        DIGITAL_COMPETENCIES_WIDE.name,
        "b",
        Severity.error,
        "student_code",
        "Dòng không có mức năng lực nào (mọi cột level_… đều trống).",
        "The row gives no level (every level_… column is empty).",
        _no_level,
    ),
]
