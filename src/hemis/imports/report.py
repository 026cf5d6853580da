"""The validation report: a table of issues `{rule, severity, row, column, value, message}` with
summary counts, written as JSON, CSV or an annotated copy of the data as .xlsx.

Rows are the ones a person sees (header = row 1; file-level issues have no row). A national ID
is never echoed in full (ADR 0003): a value of the national-ID column keeps only its last 3
characters, and any 12- or 9-digit run in another value or in a message is masked the same way —
a shifted row may put an ID in any column. Values of numeric columns are left as they are in a
file that carries no national ID (amounts of 9 or 12 digits are common in finances).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from hemis.common.national_ids import mask_series, mask_text
from hemis.errors import HemisError

if TYPE_CHECKING:
    from hemis.imports.entities import Entity

ISSUE_SCHEMA: dict[str, Any] = {
    "row": pl.Int64,
    "column": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "tier": pl.String,
    "value": pl.String,
    "message": pl.String,
    "message_en": pl.String,
}
_STARS = "*" * 64


def mask_id(value: pl.Expr) -> pl.Expr:
    """All but the last 3 characters replaced by '*' ('001203012345' → '*********345')."""
    length = value.str.len_chars()
    return (
        pl.when(length > 3)
        .then(pl.concat_str([pl.lit(_STARS).str.slice(0, length - 3), value.str.slice(-3)]))
        .when(length.is_not_null())
        .then(pl.lit(_STARS).str.slice(0, length))
    )


def mask_issues(entity: Entity, issues: pl.DataFrame) -> pl.DataFrame:
    """The issue table with ID-shaped runs masked in values and messages (see above)."""
    from hemis.imports.entities import ColumnType

    if any(c.sensitive for c in entity.columns):
        numbers: list[str] = []
    else:
        numbers = [
            c.name for c in entity.columns if c.type in (ColumnType.integer, ColumnType.decimal)
        ]
    text = ~issues["column"].is_in(numbers) if numbers else None
    return issues.with_columns(
        mask_series(issues["value"], text),
        mask_series(issues["message"]),
        mask_series(issues["message_en"]),
    )


@dataclass
class Report:
    entity: Entity
    issues: pl.DataFrame  # ISSUE_SCHEMA, sorted by row
    data: pl.DataFrame  # __row__ + typed columns + <name>__raw (what an apply step writes)
    present: frozenset[str]
    as_of: dt.date
    institution: str | None = None
    source: str | None = None  # the file's name, shown in the report

    def __post_init__(self) -> None:
        if self.source is not None:
            self.source = mask_text(self.source)

    @property
    def rows(self) -> int:
        return self.data.height

    def count(self, severity: str) -> int:
        return int((self.issues["severity"] == severity).sum())

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def has_errors(self) -> bool:
        return self.errors > 0

    def rows_with(self, severity: str) -> int:
        hits = self.issues.filter(pl.col("severity") == severity)["row"].drop_nulls()
        return hits.n_unique()

    def clean_rows(self) -> pl.DataFrame:
        """Data rows without any error (what an apply step may write if it accepts parts)."""
        bad = self.issues.filter(pl.col("severity") == "error")["row"].drop_nulls().unique()
        return self.data.filter(~pl.col("__row__").is_in(bad.implode()))

    def summary(self) -> pl.DataFrame:
        """Counts by rule and severity, in catalogue order of appearance."""
        if self.issues.is_empty():
            return pl.DataFrame(
                schema={
                    "rule": pl.String,
                    "severity": pl.String,
                    "tier": pl.String,
                    "count": pl.UInt32,
                    "message": pl.String,
                    "message_en": pl.String,
                }
            )
        return (
            self.issues.with_row_index("_i")
            .group_by("rule", "severity", "tier", maintain_order=True)
            .agg(
                pl.len().alias("count"),
                pl.col("message").first(),
                pl.col("message_en").first(),
                pl.col("_i").min(),
            )
            .sort(pl.col("severity") != "error", "_i")
            .drop("_i")
        )

    def meta(self) -> dict[str, Any]:
        return {
            "entity": self.entity.name,
            "source": self.source,
            "institution": self.institution,
            "as_of": self.as_of.isoformat(),
            "rows": self.rows,
            "errors": self.errors,
            "warnings": self.warnings,
            "rows_with_errors": self.rows_with("error"),
            "missing_columns": sorted(set(self.entity.required) - self.present),
        }

    def to_json(self) -> str:
        head = json.dumps(
            {**self.meta(), "summary": self.summary().to_dicts()}, ensure_ascii=False, indent=1
        )
        return head[:-2] + ',\n "issues": ' + self.issues.write_json() + "\n}\n"

    def write(self, path: Path) -> None:
        """JSON, CSV or an annotated .xlsx, chosen by the extension."""
        suffix = path.suffix.lower()
        if suffix == ".json":
            path.write_text(self.to_json(), encoding="utf-8")
        elif suffix == ".csv":
            from hemis.common.spreadsheet import write_csv

            write_csv(self.issues, path, bom=True)
        elif suffix == ".xlsx":
            from hemis.imports.annotate import write_annotated

            write_annotated(self, path)
        else:
            raise HemisError(
                f"Không hỗ trợ báo cáo dạng '{suffix}' (dùng .json, .csv, .xlsx).",
                f"Unsupported report format '{suffix}' (use .json, .csv, .xlsx).",
                code="import.report_format",
            )
