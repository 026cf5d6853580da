"""Tier d of the competency entities as a rule set of the submission pipeline
(`hemis.submissions.rules_registry.database_rule_sets`): the program or learner is the
institution's own, and no assessment is dated before the learner's admission. Each reads what
it needs once and joins in polars. Definitions (IDs, messages): competency/rules_db.py."""

from __future__ import annotations

import polars as pl

from hemis.competency.apply import learners
from hemis.competency.entities import (
    COMPETENCY_TARGETS,
    DIGITAL_COMPETENCIES,
    DIGITAL_COMPETENCIES_WIDE,
)
from hemis.imports.catalogue import Context
from hemis.imports.report import ISSUE_SCHEMA
from hemis.submissions import lookups
from hemis.submissions.rules_registry import DETAIL, ROW, issues_of
from hemis.submissions.workspace import Workspace

ASSESSMENTS = {DIGITAL_COMPETENCIES.name: "DCP", DIGITAL_COMPETENCIES_WIDE.name: "DCW"}


class CompetencyRegistryRules:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def run(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        name = ctx.entity.name
        if data.is_empty():
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        if name == COMPETENCY_TARGETS.name:
            known = lookups.programs(self.ws)["program_code"].implode()
            missing = data.select(ROW, "program_code").filter(
                pl.col("program_code").is_not_null() & ~pl.col("program_code").is_in(known)
            )
            return issues_of("CTG.program_code.exists", missing, ctx)
        prefix = ASSESSMENTS.get(name)
        if prefix is None:
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        rows = (
            data.select(ROW, "student_code", "assessed_on", "assessed_on__raw")
            .filter(pl.col("student_code").is_not_null())
            .join(learners(self.ws), on="student_code", how="left")
        )
        early = rows.filter(pl.col("assessed_on") < pl.col("admitted_on")).with_columns(
            pl.col("admitted_on").dt.strftime("%d/%m/%Y").alias(DETAIL)
        )
        parts = [
            issues_of(
                f"{prefix}.student_code.exists", rows.filter(pl.col("learner_id").is_null()), ctx
            ),
            issues_of(f"{prefix}.assessed_on.enrolment", early, ctx),
        ]
        kept = [p for p in parts if not p.is_empty()]
        return pl.concat(kept) if kept else pl.DataFrame(schema=ISSUE_SCHEMA)
