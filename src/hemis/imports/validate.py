"""The rule engine: `validate(entity, frame) -> Report`, vectorised with polars.

    table = read_table(path, "learners")          # readers: strings + sheet row numbers
    report = validate("learners", table.frame, findings=table.findings,
                      header_row=table.header_row)  # or simply validate_file(path, "learners")
    report.has_errors, report.issues, report.data  # data: typed columns for an apply step

Steps: map the header (`headers`), clean every value (`clean`: NFC, zero-width characters,
whitespace), cast to types (`cast`), then evaluate every rule of the requested tiers as one
boolean polars expression per rule over the whole frame (no per-row Python), and collect the
rows where a rule holds into the issue table.

Tiers d–f (against the database: programs exist, a learner is not enrolled elsewhere…) plug in
as further `RuleSet`s passed through `extra`: any object with `run(data, ctx) -> issues frame`
(`ctx.connection` carries the database connection). `ExpressionRules` is the implementation used
for tiers a–c and works for any rule whose check is a polars expression.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import polars as pl

from hemis.imports.cast import cast_frame, raw_name
from hemis.imports.catalogue import Context, Finding, Rule, catalogue, rules_for
from hemis.imports.clean import clean_frame
from hemis.imports.entities import Entity, get_entity
from hemis.imports.headers import map_headers
from hemis.imports.report import ISSUE_SCHEMA, Report, mask_id, mask_issues

ROW = "__row__"
_TIERS_ABC = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hemis-tiers-abc")


class RuleSet(Protocol):
    """A set of rules run together; returns issues in ISSUE_SCHEMA."""

    def run(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame: ...


def _message(template: str, detail: pl.Expr | None) -> pl.Expr:
    if detail is None or "{detail}" not in template:
        return pl.lit(template.replace("{detail}", "").replace("  ", " "))
    before, after = template.split("{detail}", 1)
    return pl.concat_str([pl.lit(before), detail.fill_null(""), pl.lit(after)])


def _value(rule: Rule, ctx: Context) -> pl.Expr:
    if rule.column is None:
        return pl.lit(None, pl.String)
    column = ctx.entity.column(rule.column)
    value = pl.col(raw_name(column)).cast(pl.String)
    return mask_id(value) if column.sensitive else value


class ExpressionRules:
    """Rules whose check is a boolean polars expression (true = broken).

    All unscoped checks (and the scopes of scoped ones) are evaluated in one pass over the
    frame, so polars runs them in parallel and shares work between them. A scoped rule then
    runs its check on the few rows of its scope.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = [r for r in rules if r.check is not None]

    def run(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        active = [r for r in self.rules if r.column is None or r.column in ctx.present]
        if not active or data.is_empty():
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        exprs = []
        for i, rule in enumerate(active):
            first = rule.scope if rule.scope is not None else rule.check
            assert first is not None
            exprs.append(first(ctx).fill_null(False).alias(f"m{i}"))
        # lazy: common subexpressions (a CCCD digit, a key's hash) are computed once
        masks = data.lazy().select(exprs).collect()
        parts = []
        for i, rule in enumerate(active):
            mask = masks[f"m{i}"]
            if not mask.any():
                continue
            rows = data.filter(mask)
            if rule.scope is not None:
                assert rule.check is not None
                rows = rows.filter(rule.check(ctx).fill_null(False))
                if rows.is_empty():
                    continue
            scope = data.filter(mask) if rule.scope is not None else data
            parts.append(self._issues(rule, rows, scope, ctx))
        return pl.concat(parts) if parts else pl.DataFrame(schema=ISSUE_SCHEMA)

    @staticmethod
    def _issues(rule: Rule, rows: pl.DataFrame, scope: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        if rule.detail is not None:
            # details may be window functions or aggregates: evaluate them over the scope (the
            # whole frame for unscoped rules), then keep the hits
            details = scope.select(pl.col(ROW), rule.detail(ctx).alias("_detail"))
            rows = rows.join(details, on=ROW, how="left")
            detail: pl.Expr | None = pl.col("_detail")
        else:
            detail = None
        return rows.select(
            pl.col(ROW).alias("row"),
            pl.lit(rule.column, pl.String).alias("column"),
            pl.lit(rule.id).alias("rule"),
            pl.lit(rule.severity.value).alias("severity"),
            pl.lit(rule.tier).alias("tier"),
            _value(rule, ctx).alias("value"),
            _message(rule.message_vi, detail).alias("message"),
            _message(rule.message_en, detail).alias("message_en"),
        )


def findings_frame(findings: Sequence[Finding]) -> pl.DataFrame:
    rules = catalogue()
    rows = []
    for f in findings:
        rule = rules[f.rule]
        rows.append(
            {
                "row": f.row,
                "column": f.column,
                "rule": f.rule,
                "severity": rule.severity.value,
                "tier": rule.tier,
                "value": f.value,
                "message": _text(rule.message_vi, f.detail),
                "message_en": _text(rule.message_en, f.detail_en or f.detail),
            }
        )
    return pl.DataFrame(rows, schema=ISSUE_SCHEMA)


def _text(template: str, detail: str | None) -> str:
    return template.replace("{detail}", detail or "").replace("  ", " ")


def prepare(
    entity: Entity, frame: pl.DataFrame, header_row: int = 1
) -> tuple[pl.DataFrame, frozenset[str], list[Finding]]:
    """(typed data, columns present in the file, header findings) from a frame of strings."""
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=header_row + 1)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    headers = [c for c in frame.columns if c != ROW]
    mapping, findings = map_headers(entity, headers, header_row)
    selected = frame.select(
        pl.col(ROW),
        *(pl.col(h).cast(pl.String).alias(n) for h, n in mapping.items()),
        *(pl.lit(None, pl.String).alias(n) for n in entity.names if n not in mapping.values()),
    )
    cleaned = clean_frame(selected)
    cleaned = cleaned.filter(pl.any_horizontal(pl.col(entity.names).is_not_null()))
    if cleaned.is_empty():
        findings.append(Finding("FILE.no_rows", header_row))
    return cast_frame(entity, cleaned), frozenset(mapping.values()), findings


def validate(
    entity: str | Entity,
    frame: pl.DataFrame,
    *,
    as_of: dt.date | None = None,
    tiers: str = "abc",
    findings: Sequence[Finding] = (),
    header_row: int = 1,
    institution: str | None = None,
    source: str | None = None,
    extra: Sequence[RuleSet] = (),
    connection: object = None,
) -> Report:
    """Check a frame of strings (headers as in the file, optional `__row__`) against the
    catalogue. `as_of` is the reference date for "not in the future" and ages (today)."""
    spec = entity if isinstance(entity, Entity) else get_entity(entity)
    data, present, header_findings = prepare(spec, frame, header_row)
    return check(
        spec,
        data,
        present,
        as_of=as_of,
        tiers=tiers,
        findings=[*findings, *header_findings],
        institution=institution,
        source=source,
        extra=extra,
        connection=connection,
    )


def check(
    spec: Entity,
    data: pl.DataFrame,
    present: frozenset[str],
    *,
    as_of: dt.date | None = None,
    tiers: str = "abc",
    findings: Sequence[Finding] = (),
    institution: str | None = None,
    source: str | None = None,
    extra: Sequence[RuleSet] = (),
    connection: object = None,
) -> Report:
    """The rules over data already prepared (`prepare`): a caller holding a large file can let
    the strings as read go before the checks run."""
    ctx = Context(spec, present, as_of or dt.date.today(), institution, connection)
    expression_rules = ExpressionRules(rules_for(spec.name, tiers))
    parts = [findings_frame(findings)]
    if extra:
        # Tiers a–c are polars work that leaves the interpreter free: they run on a thread
        # while this one waits on the database for tiers d–f (whose connection stays here).
        local = _TIERS_ABC.submit(expression_rules.run, data, ctx)
        rest = [rule_set.run(data, ctx) for rule_set in extra]
        parts.extend([local.result(), *rest])
    else:
        parts.append(expression_rules.run(data, ctx))
    issues = pl.concat([p for p in parts if not p.is_empty()] or parts)
    # Order: by row, then by column as in the template, then by catalogue order.
    order = {rule_id: i for i, rule_id in enumerate(catalogue())}
    position = {name: i for i, name in enumerate(spec.names)}
    issues = issues.with_columns(
        pl.col("column").replace_strict(position, default=-1, return_dtype=pl.Int64).alias("_c"),
        pl.col("rule").replace_strict(order, default=len(order)).alias("_r"),
    )
    issues = issues.sort("row", "_c", "_r", nulls_last=False).drop("_c", "_r")
    issues = mask_issues(spec, issues)  # before the table is stored, shown or written anywhere
    return Report(spec, issues, data, present, ctx.as_of, institution, source)


def validate_file(
    path: Path,
    entity: str,
    *,
    sheet: str | None = None,
    as_of: dt.date | None = None,
    institution: str | None = None,
) -> Report:
    """Read and validate a file (tiers a–c); raises UnreadableFile when it cannot be read."""
    from hemis.imports.readers import read_table

    spec = get_entity(entity)
    table = read_table(path, spec.name, sheet)
    return validate(
        spec,
        table.frame,
        as_of=as_of,
        findings=table.findings,
        header_row=table.header_row,
        institution=institution,
        source=path.name,
    )
