"""Loading the national reference tables from the CSV files shipped in registry/data/.

Where each file comes from is in registry/data/SOURCES.md.

`load_all` is idempotent and safe to run again on a database in use (the migration runs it, and
so can `hemis db upgrade` after the files change). It synchronises instead of replacing:

- a row new in the files is inserted, a row whose values changed is updated, an unchanged row
  is left alone;
- a row that is no longer in the files is never deleted, because programs reference
  ``discipline.code`` by foreign key and persons hold ethnicity and province codes by value.
  Where the table has a ``valid_to`` column (discipline, province) the row is retired by setting
  ``valid_to``; elsewhere it is kept as it is and counted as ``kept``.

The same SQL runs on SQLite and PostgreSQL: a SELECT of the table, a diff in Python, then
executemany INSERT and UPDATE statements (the tables hold at most a few hundred rows).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from hemis.db.base import table_of
from hemis.registry.models import (
    Discipline,
    DisciplineGroup,
    DisciplineIsced,
    Ethnicity,
    IscedField,
    Province,
    ProvinceMerger,
)

# Circular 09/2022/TT-BGDĐT took effect on 22 Jul 2022.
CIRCULAR_09_2022_FROM = dt.date(2022, 7, 22)
# Resolution 202/2025/QH15: 63 provinces became 34 on 1 Jul 2025.
MERGER_2025 = dt.date(2025, 7, 1)
MERGER_SOURCE = "Resolution 202/2025/QH15"
# Our discipline → ISCED-F 2013 mapping (there is no official one).
ISCED_MAPPING_VERSION = "hemis-2026.1"
ISCED_MAPPING_FROM = dt.date(2026, 1, 1)

Generation = Literal[34, 63]

# Load order: referenced tables before the tables that reference them.
TABLES = (
    "discipline_group",
    "discipline",
    "isced_field",
    "discipline_isced",
    "ethnicity",
    "province",
    "province_merger",
)


def read_rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("hemis.registry.data").joinpath(name).open(encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


# --- rows from the files --------------------------------------------------------------------


def discipline_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "name_vi": r["name_vi"],
            "name_en": None,
            "level": r["level"],
            "field_code": r["field_code"],
            "group_code": r["group_code"],
            "valid_from": CIRCULAR_09_2022_FROM,
            "valid_to": None,
            "source": r["source"][:300],
        }
        for r in read_rows("disciplines.csv")
    ]


def discipline_group_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "kind": r["kind"],
            "parent_code": r["parent_code"] or None,
            "name_vi": r["name_vi"],
        }
        for r in read_rows("discipline_fields_groups.csv")
    ]


def province_63_rows() -> list[dict[str, Any]]:
    return [
        {
            "generation": 63,
            "code": r["code"],
            "name_vi": r["name_vi"],
            "region": region_of(r["code"], generation=63),
            "valid_from": None,
            "valid_to": MERGER_2025 - dt.timedelta(days=1),
        }
        for r in read_rows("provinces_cccd.csv")
    ]


def province_34_rows() -> list[dict[str, Any]]:
    return [
        {
            "generation": 34,
            "code": r["code"],
            "name_vi": r["name_vi"],
            "region": r["region"],
            "valid_from": MERGER_2025,
            "valid_to": None,
        }
        for r in read_rows("provinces_34.csv")
    ]


def province_merger_rows() -> list[dict[str, Any]]:
    return [
        {
            "old_code": r["old_code"],
            "new_code": r["new_code"],
            "effective_on": dt.date.fromisoformat(r["effective_on"]),
            "source": r["source"],
        }
        for r in read_rows("province_mergers.csv")
    ]


def ethnicity_rows() -> list[dict[str, Any]]:
    return [{"code": r["code"], "name_vi": r["name_vi"]} for r in read_rows("ethnicities.csv")]


def isced_field_rows() -> list[dict[str, Any]]:
    return [
        {"code": r["code"], "name_en": r["name_en"], "name_vi": r["name_vi"] or None}
        for r in read_rows("isced_f_2013.csv")
    ]


def discipline_isced_rows() -> list[dict[str, Any]]:
    return [
        {
            "mapping_version": ISCED_MAPPING_VERSION,
            "discipline_code": d["code"],
            "isced_code": isced_for(d["code"]),
            "valid_from": ISCED_MAPPING_FROM,
        }
        for d in discipline_rows()
    ]


def source_rows() -> dict[str, list[dict[str, Any]]]:
    """Every reference table's rows as the files give them, by table name."""
    return {
        "discipline_group": discipline_group_rows(),
        "discipline": discipline_rows(),
        "isced_field": isced_field_rows(),
        "discipline_isced": discipline_isced_rows(),
        "ethnicity": ethnicity_rows(),
        "province": province_63_rows() + province_34_rows(),
        "province_merger": province_merger_rows(),
    }


# --- lookups (from the files; no database needed) --------------------------------------------


@lru_cache(maxsize=1)
def _provinces() -> dict[tuple[int, str], dict[str, str]]:
    out: dict[tuple[int, str], dict[str, str]] = {}
    for r in read_rows("provinces_63_regions.csv"):
        out[(63, r["code"])] = r
    for r in read_rows("provinces_34.csv"):
        out[(34, r["code"])] = r
    return out


@lru_cache(maxsize=1)
def _mergers() -> dict[str, str]:
    return {r["old_code"]: r["new_code"] for r in read_rows("province_mergers.csv")}


def _province(code: str, generation: Generation) -> dict[str, str]:
    try:
        return _provinces()[(generation, code)]
    except KeyError:
        raise KeyError(f"no province {code!r} in the {generation}-province generation") from None


def region_of(province_code: str, *, generation: Generation) -> str:
    """The GSO socio-economic region of a province.

    The generation is required: the same code can name different provinces (e.g. 052 is Bình
    Định, Duyên hải miền Trung, in the 63 and Gia Lai, Tây Nguyên, in the 34)."""
    return _province(province_code, generation)["region"]


def province_name(province_code: str, *, generation: Generation) -> str:
    return _province(province_code, generation)["name_vi"]


def current_province(old_code: str) -> str:
    """The 34-generation code of the province a 63-generation province became part of
    (e.g. a CCCD birth-registration code)."""
    try:
        return _mergers()[old_code]
    except KeyError:
        raise KeyError(f"no 63-generation province {old_code!r}") from None


@lru_cache(maxsize=1)
def isced_rules() -> tuple[dict[str, str], dict[str, str]]:
    """(group rules keyed by field+group digits, discipline rules keyed by digits 2–7)."""
    groups: dict[str, str] = {}
    disciplines: dict[str, str] = {}
    for r in read_rows("discipline_isced_rules.csv"):
        (groups if r["kind"] == "group" else disciplines)[r["key"]] = r["isced_code"]
    return groups, disciplines


def isced_for(discipline_code: str) -> str:
    """The detailed ISCED-F 2013 field of a 7-digit discipline code in our mapping.

    The level digit is ignored, so 7480201, 8480201 and 9480201 map alike: a rule on digits 2–7
    wins over the rule on the group (digits 2–5)."""
    groups, disciplines = isced_rules()
    if (code := disciplines.get(discipline_code[1:7])) is not None:
        return code
    try:
        return groups[discipline_code[1:5]]
    except KeyError:
        raise KeyError(f"no ISCED-F rule for discipline {discipline_code!r}") from None


# --- synchronising a table -------------------------------------------------------------------


@dataclass
class TableSync:
    """What one load did to one table."""

    table: str
    rows: int  # rows in the files
    inserted: int = 0
    updated: int = 0
    retired: int = 0  # rows gone from the files, valid_to set
    kept: int = 0  # rows gone from the files, left as they are (table has no valid_to)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.retired)


def sync_table(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, today: dt.date
) -> TableSync:
    """Insert new rows, update changed ones, retire (never delete) the rows gone from `rows`."""
    keys = [c.name for c in table.primary_key.columns]
    result = TableSync(table.name, len(rows))
    existing = {
        tuple(m[k] for k in keys): m for m in (r._mapping for r in conn.execute(select(table)))
    }
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        old = existing.pop(tuple(row[k] for k in keys), None)
        if old is None:
            fresh.append(row)
        elif any(old[c] != v for c, v in row.items()):
            changed.append(row)
    if fresh:
        conn.execute(insert(table), fresh)
    if changed:
        _update(conn, table, keys, changed)
    result.inserted, result.updated = len(fresh), len(changed)

    if "valid_to" in table.c:
        gone = [
            {**{k: old[k] for k in keys}, "valid_to": today}
            for old in existing.values()
            if old["valid_to"] is None
        ]
        if gone:
            _update(conn, table, keys, gone)
        result.retired = len(gone)
        result.kept = len(existing) - len(gone)
    else:
        result.kept = len(existing)
    return result


def _update(conn: Connection, table: Table, keys: list[str], rows: list[dict[str, Any]]) -> None:
    columns = [c for c in rows[0] if c not in keys]
    stmt = (
        update(table)
        .where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
        .values({c: bindparam(f"v_{c}") for c in columns})
    )
    conn.execute(
        stmt,
        [{**{f"k_{k}": r[k] for k in keys}, **{f"v_{c}": r[c] for c in columns}} for r in rows],
    )


MODELS: dict[str, type[Any]] = {
    "discipline_group": DisciplineGroup,
    "discipline": Discipline,
    "isced_field": IscedField,
    "discipline_isced": DisciplineIsced,
    "ethnicity": Ethnicity,
    "province": Province,
    "province_merger": ProvinceMerger,
}


def sync_all(conn: Connection, *, today: dt.date | None = None) -> dict[str, TableSync]:
    """Synchronise every reference table with the files; `today` dates the retirements."""
    when = today or dt.date.today()
    rows = source_rows()
    return {
        name: sync_table(conn, table_of(MODELS[name]), rows[name], today=when) for name in TABLES
    }


def load_all(conn: Connection, *, today: dt.date | None = None) -> dict[str, int]:
    """Synchronise every reference table; returns the number of rows in the files by table."""
    return {name: result.rows for name, result in sync_all(conn, today=today).items()}
