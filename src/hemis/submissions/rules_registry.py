"""Tiers d (against the registry) and e (across institutions) as rule sets for
`hemis.imports.validate(..., extra=...)`. Each run reads what it needs once (lookups, persons)
and joins in polars; no per-row queries. Rule definitions: `hemis.imports.rules_db`."""

from __future__ import annotations

import datetime as dt

import polars as pl

from hemis.imports.cast import raw_name
from hemis.imports.catalogue import Context, Rule
from hemis.imports.report import ISSUE_SCHEMA, mask_id
from hemis.imports.rules_db import db_catalogue
from hemis.imports.validate import RuleSet
from hemis.registry.codes import LearnerStatus, Position, ProgramStatus, StudyMode
from hemis.submissions import lookups
from hemis.submissions.apply import existing_rows
from hemis.submissions.persons import (
    IDX,
    detail_columns,
    match_persons,
    registered,
    with_blind_index,
)
from hemis.submissions.targets import LEARNER
from hemis.submissions.workspace import Workspace

ROW = "__row__"
DETAIL = "_detail"


def issues_of(rule_id: str, rows: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Issue rows (ISSUE_SCHEMA) of `rule_id` at `rows`; a `_detail` column fills {detail}."""
    if rows.is_empty():
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    rule = db_catalogue()[rule_id]
    assert rule.column is not None
    column = ctx.entity.column(rule.column)
    value = pl.col(raw_name(column)).cast(pl.String)
    if ROW not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.Int64).alias(ROW))
    if raw_name(column) not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.String).alias(raw_name(column)))
    detail = pl.col(DETAIL).cast(pl.String) if DETAIL in rows.columns else None
    return rows.select(
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.lit(rule.column, pl.String).alias("column"),
        pl.lit(rule.id).alias("rule"),
        pl.lit(rule.severity.value).alias("severity"),
        pl.lit(rule.tier).alias("tier"),
        (mask_id(value) if column.sensitive else value).alias("value"),
        _message(rule.message_vi, detail).alias("message"),
        _message(rule.message_en, detail).alias("message_en"),
    )


def _message(template: str, detail: pl.Expr | None) -> pl.Expr:
    if detail is None or "{detail}" not in template:
        return pl.lit(template.replace(" ({detail})", "").replace("{detail}", ""))
    before, after = template.split("{detail}", 1)
    return pl.concat_str([pl.lit(before), detail.fill_null(""), pl.lit(after)])


def _concat(parts: list[pl.DataFrame]) -> pl.DataFrame:
    kept = [p for p in parts if not p.is_empty()]
    return pl.concat(kept) if kept else pl.DataFrame(schema=ISSUE_SCHEMA)


def _date_text(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%d/%m/%Y")


def _reporting_year_start(ws: Workspace) -> dt.date:
    end = ws.period.cutoff_on if ws.period else ws.as_of
    return end - dt.timedelta(days=365)


def person_rows(ws: Workspace, data: pl.DataFrame, extra: list[str], entity: str) -> pl.DataFrame:
    """The rows' persons matched with the registry (only the columns the checks need)."""
    narrow = data.select(ROW, "national_id", *detail_columns(data), *extra).filter(
        pl.col("national_id").is_not_null()
    )
    return match_persons(ws, with_blind_index(ws, narrow), entity)


def elsewhere_rows(
    ws: Workspace, data: pl.DataFrame, extra: list[str], entity: str
) -> pl.DataFrame:
    """The rows whose person is counted at another institution (usually a handful: only they
    are joined, not every row of the file)."""
    # (with the persons' details: whichever tier reads the persons first decides their links)
    narrow = with_blind_index(
        ws,
        data.select(ROW, "national_id", *detail_columns(data), *extra).filter(
            pl.col("national_id").is_not_null()
        ),
    )
    counted = registered(ws, narrow, entity).filter(pl.col("elsewhere")).select(IDX, "elsewhere")
    return narrow.join(counted, on=IDX, how="inner")


PROGRAM_RULES = (
    "LRN.program_code.exists",
    "LRN.program_code.open",
    "LRN.admitted_on.program",
    "LRN.program_code.discipline",
)


def _program_rules() -> list[Rule]:
    return [db_catalogue()[r] for r in PROGRAM_RULES]


class RegistryRules:
    """Tier d: the rows refer to what the registry holds, and persons agree with it."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def run(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        name = ctx.entity.name
        if data.is_empty():
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        if name == "programs":
            return self._programs(data, ctx)
        if name == "facilities":
            known = lookups.campuses(self.ws)
            missing = data.filter(
                pl.col("campus_code").is_not_null()
                & ~pl.col("campus_code").is_in(known["campus_code"].implode())
            )
            return issues_of("FAC.campus_code.exists", missing, ctx)
        if name == "learners":
            return _concat([self._learner_programs(data, ctx), *self._persons(data, ctx, "LRN")])
        if name == "staff":
            return _concat(self._persons(data, ctx, "STF"))
        if name in ("learner_status_events", "awards"):
            return self._learner_refs(data, ctx)
        return pl.DataFrame(schema=ISSUE_SCHEMA)

    def _programs(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        codes = data.filter(pl.col("discipline_code").str.contains("^[0-9]{7}$")).join(
            lookups.disciplines(self.ws), on="discipline_code", how="left"
        )
        unknown = codes.filter(pl.col("valid_from").is_null())
        as_of = self.ws.period.cutoff_on if self.ws.period else ctx.as_of
        retired = codes.filter(
            pl.col("valid_from").is_not_null()
            & ((pl.col("valid_from") > as_of) | (pl.col("valid_to") < as_of))
        ).with_columns(pl.lit(as_of.strftime("%d/%m/%Y")).alias(DETAIL))
        return _concat(
            [
                issues_of("PRG.discipline_code.exists", unknown, ctx),
                issues_of("PRG.discipline_code.valid", retired, ctx),
            ]
        )

    def _learner_programs(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        # Only the columns these rules read and report are joined (not a copy of every column
        # of millions of rows).
        reported = {raw_name(ctx.entity.column(r.column)) for r in _program_rules() if r.column}
        needed = {ROW, "program_code", "admitted_on", *reported}
        rows = (
            data.select(c for c in data.columns if c in needed)
            .filter(pl.col("program_code").is_not_null())
            .join(lookups.programs(self.ws), on="program_code", how="left")
        )
        found = rows.filter(pl.col("program_id").is_not_null())
        admitted = pl.col("admitted_on")
        closed = found.filter(
            (pl.col("program_status") != ProgramStatus.open.value)
            & (admitted > _reporting_year_start(self.ws))
        ).with_columns(pl.col("program_status").alias(DETAIL))
        early = found.filter(admitted < pl.col("program_opened_on")).with_columns(
            _date_text(pl.col("program_opened_on")).alias(DETAIL)
        )
        retired = found.filter(admitted > pl.col("discipline_to")).with_columns(
            _date_text(pl.col("discipline_to")).alias(DETAIL)
        )
        return _concat(
            [
                issues_of(PROGRAM_RULES[0], rows.filter(pl.col("program_id").is_null()), ctx),
                issues_of(PROGRAM_RULES[1], closed, ctx),
                issues_of(PROGRAM_RULES[2], early, ctx),
                issues_of(PROGRAM_RULES[3], retired, ctx),
            ]
        )

    def _persons(self, data: pl.DataFrame, ctx: Context, prefix: str) -> list[pl.DataFrame]:
        extra = ["student_code"] if prefix == "LRN" else []
        if prefix == "LRN":
            # Read now, while the blind indexes are still being computed on their thread.
            existing_rows(self.ws, LEARNER)
        every = person_rows(self.ws, data, extra, ctx.entity.name)
        # (filters straight from `every`: a resubmission finds every person registered, and an
        # intermediate frame of the registered rows would copy them all)
        found = pl.col("person_id").is_not_null()
        differs = (pl.col("date_of_birth") != pl.col("p_dob")) | (pl.col("sex") != pl.col("p_sex"))
        # Both sides are cleaned text (NFC, single spaces): a case-insensitive comparison.
        folded = pl.col("full_name").str.to_lowercase()
        registered = pl.col("p_name").str.to_lowercase()
        agrees = found & ~differs.fill_null(False)
        out = [
            issues_of(
                f"{prefix}.national_id.identity",
                every.filter(found & differs.fill_null(False)),
                ctx,
            ),
            issues_of(
                f"{prefix}.full_name.registry", every.filter(agrees & (folded != registered)), ctx
            ),
        ]
        if prefix == "LRN":
            known = existing_rows(self.ws, LEARNER).select(
                "student_code", pl.col("person_id").alias("db_person_id")
            )
            # Another person: a registered one, or one the registry does not know yet.
            relinked = (
                every.select(ROW, "student_code", "person_id")
                .join(known, on="student_code")
                .filter(
                    pl.col("person_id").is_null() | (pl.col("db_person_id") != pl.col("person_id"))
                )
            )
            out.append(issues_of("LRN.student_code.person", relinked, ctx))
        return out

    def _learner_refs(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        prefix = "EVT" if ctx.entity.name == "learner_status_events" else "AWD"
        rows = data.filter(pl.col("student_code").is_not_null()).join(
            lookups.learners(self.ws).select("student_code", "learner_id"),
            on="student_code",
            how="left",
        )
        parts = [
            issues_of(
                f"{prefix}.student_code.exists", rows.filter(pl.col("learner_id").is_null()), ctx
            )
        ]
        if prefix == "AWD":
            other = rows.join(lookups.awards(self.ws), on="learner_id").filter(
                pl.col("db_diploma_number") != pl.col("diploma_number")
            )
            parts.append(
                issues_of(
                    "AWD.student_code.awarded",
                    other.with_columns(pl.col("db_diploma_number").alias(DETAIL)),
                    ctx,
                )
            )
        return _concat(parts)


class NationalRules:
    """Tier e: the same person counted full-time at several institutions."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def run(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        name = ctx.entity.name
        if data.is_empty() or name not in ("learners", "staff"):
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        extra = (
            ["status", "study_mode"]
            if name == "learners"
            else ["position", "full_time", "permanent"]
        )
        rows = elsewhere_rows(self.ws, data, extra, name)
        if name == "learners":
            hits = rows.filter(
                pl.col("elsewhere").fill_null(False)
                & (pl.col("status") == LearnerStatus.enrolled.value)
                & (pl.col("study_mode") == StudyMode.full_time.value)
            )
            return issues_of("LRN.national_id.elsewhere", hits, ctx)
        hits = rows.filter(
            pl.col("elsewhere").fill_null(False)
            & (pl.col("position") == Position.lecturer.value)
            & (pl.col("full_time").fill_null(False) | pl.col("permanent").fill_null(False))
        )
        return issues_of("STF.national_id.elsewhere", hits, ctx)


def database_rule_sets(ws: Workspace) -> list[RuleSet]:
    """Tiers d, e and f for one import."""
    from hemis.competency.rules_registry import CompetencyRegistryRules
    from hemis.submissions.rules_continuity import ContinuityRules

    return [RegistryRules(ws), NationalRules(ws), ContinuityRules(ws), CompetencyRegistryRules(ws)]
