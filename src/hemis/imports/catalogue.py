"""The published rule catalogue: every rule with a stable ID, a tier, a severity and a message in
Vietnamese and English.

Rule IDs are `PREFIX.column.check` (`LRN.national_id.format`, `STF.fte.range`) or `FILE.*` for
checks of the file itself. IDs are stable: a rule is never renamed, only retired.

Tiers: a = row shape and code lists; b = cross-field (dates in order, plausible ages, CCCD
consistent with birth date and sex); c = within the file (duplicate keys, one person twice).
Tiers d–f (against the database and other institutions) are added by later rule sets.

Severity: an error blocks the submission; a warning needs an explanation to be accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from hemis.imports.entities import Entity


class Severity(StrEnum):
    error = "error"
    warning = "warning"


TIERS = {
    "a": ("Hình dạng dòng và danh mục mã", "Row shape and code lists"),
    "b": ("Liên hệ giữa các trường trong một dòng", "Cross-field checks within a row"),
    "c": ("Trong phạm vi tệp", "Within the file"),
}


@dataclass(frozen=True)
class Context:
    """What a rule may look at besides the data: the entity, which columns the file had, the
    reference date ('today' for dates that may not lie in the future) and, for tiers d–f, a
    database connection."""

    entity: Entity
    present: frozenset[str]
    as_of: dt.date
    institution: str | None = None
    connection: Any = None


Check = Callable[[Context], "pl.Expr"]


@dataclass(frozen=True)
class Rule:
    id: str
    entity: str  # entity name, or "*" for file rules
    tier: str
    severity: Severity
    column: str | None
    message_vi: str
    message_en: str
    # Boolean expression over the prepared frame, true where a row breaks the rule (null = ok).
    # None for rules raised while reading the file or its header.
    check: Check | None = None
    # String expression inserted at "{detail}" in the messages (e.g. the first row of a key).
    detail: Check | None = None
    kind: str = ""
    # Rows that can break the rule at all (e.g. keys that occur twice); when set, `check` and
    # `detail` run on those rows only, which keeps window functions off the whole file.
    scope: Check | None = None  # generic rules: required, type, code, format, length, range, future

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi


@dataclass(frozen=True)
class Finding:
    """A file-level issue found while reading or mapping headers (no expression behind it)."""

    rule: str
    row: int | None
    column: str | None = None
    value: str | None = None
    detail: str | None = None
    detail_en: str | None = None  # the English message's detail, when it differs


def file_rule(id_: str, severity: Severity, vi: str, en: str) -> Rule:
    return Rule(id_, "*", "a", severity, None, vi, en)


E, W = Severity.error, Severity.warning

FILE_RULES = (
    file_rule(
        "FILE.header.missing",
        E,
        "Thiếu cột bắt buộc.",
        "A required column is missing.",
    ),
    file_rule(
        "FILE.header.renamed",
        E,
        "Tên cột không đúng; có phải là cột {detail}?",
        "Column name not recognised; did you mean {detail}?",
    ),
    file_rule(
        "FILE.entity.other",
        E,
        "Các cột của tệp khớp với loại dữ liệu «{detail}», không phải loại đã chọn: hãy nộp tệp "
        "này dưới loại «{detail}».",
        "The file's columns match the kind of data '{detail}', not the kind chosen: submit it "
        "under '{detail}'.",
    ),
    file_rule(
        "FILE.header.unknown",
        W,
        "Cột không có trong mẫu, bị bỏ qua.",
        "Column not in the template; it is ignored.",
    ),
    file_rule(
        "FILE.header.duplicate",
        E,
        "Cột bị lặp; chỉ cột đầu tiên được đọc.",
        "Column appears twice; only the first one is read.",
    ),
    file_rule(
        "FILE.no_rows",
        W,
        "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu.",
        "The file has a header row and no data rows.",
    ),
    file_rule(
        "FILE.sheet.choice",
        W,
        "Tệp có nhiều trang tính; đã đọc trang {detail}. Đặt tên trang theo loại dữ liệu "
        "để chọn trang khác.",
        "The workbook has several sheets; sheet {detail} was read. Name the sheet after the "
        "entity to choose another.",
    ),
    file_rule(
        "FILE.sheet.hidden",
        W,
        "Trang tính {detail} đang bị ẩn nên không được đọc.",
        "Sheet {detail} is hidden and was not read.",
    ),
    file_rule(
        "FILE.cell.merged",
        E,
        "Ô gộp {detail}: chỉ ô đầu có giá trị; hãy bỏ gộp và điền từng dòng.",
        "Merged cells {detail}: only the first cell holds a value; unmerge and fill every row.",
    ),
    file_rule(
        "FILE.cell.formula",
        W,
        "Ô chứa công thức; đã đọc giá trị tính sẵn lưu trong tệp. Nên dán giá trị thay công thức.",
        "The cell holds a formula; the result cached in the file was read. Paste values instead.",
    ),
)


@cache
def catalogue() -> dict[str, Rule]:
    """Every rule, in a stable order: file rules, then per entity tier a, b, c."""
    from hemis.competency.rules_file import COMPETENCY_RULES
    from hemis.imports.entities import entities
    from hemis.imports.rules_columns import column_rules
    from hemis.imports.rules_org import ORG_RULES
    from hemis.imports.rules_people import PEOPLE_RULES

    rules: list[Rule] = list(FILE_RULES)
    specific = [*PEOPLE_RULES, *ORG_RULES, *COMPETENCY_RULES]
    for entity in entities().values():
        own = column_rules(entity) + [r for r in specific if r.entity == entity.name]
        rules.extend(sorted(own, key=lambda r: r.tier))
    out: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in out:
            raise ValueError(f"duplicate rule id {rule.id}")
        out[rule.id] = rule
    return out


def rules_for(entity: str, tiers: str = "abc") -> list[Rule]:
    return [r for r in catalogue().values() if r.entity == entity and r.tier in tiers]
