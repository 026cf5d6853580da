"""Column specifications of the bulk-submission entities: the single source of the templates,
the data dictionary, the typed-casting step and the generic tier-a rules.

Column names are the English snake_case codes; they are the template headers. Each column has a
type, whether it is required, its allowed codes (from `hemis.registry.codes` or a national
reference table), a Vietnamese label and descriptions in Vietnamese and English.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources

from hemis.errors import HemisError
from hemis.registry.codes import values


class ColumnType(StrEnum):
    string = "string"
    integer = "integer"
    decimal = "decimal"
    date = "date"
    boolean = "boolean"
    code = "code"


class FinanceKind(StrEnum):
    """`finances.kind`: one file holds both the revenue and the expenditure lines."""

    revenue = "revenue"
    expenditure = "expenditure"


@dataclass(frozen=True)
class CodeList:
    """Allowed values of a coded column: an enum of `hemis.registry.codes` or a reference file."""

    source: str  # shown in the dictionary, e.g. "registry.codes.Level", "reference: ethnicities"
    load: Callable[[], tuple[str, ...]]

    @property
    def codes(self) -> tuple[str, ...]:
        return _codes(self)


@cache
def _codes(codes: CodeList) -> tuple[str, ...]:
    return codes.load()


def enum_codes(enum: type[StrEnum]) -> CodeList:
    return CodeList(f"registry.codes.{enum.__name__}", lambda: tuple(values(enum)))


def reference_codes(file: str, column: str = "code", **where: str) -> CodeList:
    def load() -> tuple[str, ...]:
        # The registry's data files, read directly (hemis.registry.reference pulls in the ORM).
        data = resources.files("hemis.registry.data").joinpath(file)
        with data.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return tuple(sorted({r[column] for r in rows if all(r[k] == v for k, v in where.items())}))

    label = file.removesuffix(".csv") + "".join(f" ({k}={v})" for k, v in where.items())
    return CodeList(f"reference: {label}", load)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    label_vi: str
    description_vi: str
    description_en: str
    required: bool = False
    codes: CodeList | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    max_length: int | None = None
    # Regular expression (Rust syntax, anchored) the cleaned value must match, with a hint.
    pattern: str | None = None
    pattern_vi: str = ""
    pattern_en: str = ""
    # Digits-only values shorter than this are left-padded with zeros (Excel drops leading
    # zeros of numbers: national IDs, ethnicity and province codes).
    pad_to: int | None = None
    pad_from: int = 1  # pad only values at least this long
    not_future: bool = False  # a date that may not lie after the reference date
    sensitive: bool = False  # never echoed in reports (all but the last 3 characters masked)

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.codes.codes if self.codes is not None else ()


@dataclass(frozen=True)
class Entity:
    name: str  # e.g. "learners"
    prefix: str  # rule-ID prefix, e.g. "LRN"
    label_vi: str
    label_en: str
    description_vi: str
    description_en: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    notes_en: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def col(
    name: str,
    type_: ColumnType,
    label_vi: str,
    vi: str,
    en: str,
    *,
    required: bool = False,
    **kwargs: object,
) -> Column:
    """Shorthand used by the entity modules."""
    return Column(name, type_, label_vi, vi, en, required=required, **kwargs)  # type: ignore[arg-type]


STR, INT, DEC, DATE, BOOL, CODE = (
    ColumnType.string,
    ColumnType.integer,
    ColumnType.decimal,
    ColumnType.date,
    ColumnType.boolean,
    ColumnType.code,
)


@cache
def entities() -> dict[str, Entity]:
    from hemis.competency.entities import COMPETENCY_ENTITIES
    from hemis.imports.entities_finance import FINANCE_ENTITIES
    from hemis.imports.entities_org import ORG_ENTITIES
    from hemis.imports.entities_people import PEOPLE_ENTITIES
    from hemis.imports.entities_records import RECORD_ENTITIES

    ordered = (
        *ORG_ENTITIES,
        *PEOPLE_ENTITIES,
        *RECORD_ENTITIES,
        *FINANCE_ENTITIES,
        *COMPETENCY_ENTITIES,
    )
    return {e.name: e for e in ordered}


def get_entity(name: str) -> Entity:
    found = entities().get(name.strip().lower().replace("-", "_"))
    if found is None:
        known = ", ".join(entities())
        raise HemisError(
            f"Không có loại dữ liệu '{name}'. Các loại: {known}.",
            f"Unknown entity '{name}'. Known entities: {known}.",
            code="import.unknown_entity",
            details={"entity": name, "known": list(entities())},
        )
    return found
