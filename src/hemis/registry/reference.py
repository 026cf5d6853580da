"""Loading the national reference tables from the CSV files shipped in registry/data/.

Idempotent: each table is replaced by the file's content, so a migration or `hemis db upgrade`
can run it again after the files change.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from importlib import resources
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.engine import Connection

from hemis.db.base import table_of
from hemis.registry.models import Discipline, DisciplineGroup, Province

# Circular 09/2022/TT-BGDĐT took effect on 22 Jul 2022.
CIRCULAR_09_2022_FROM = dt.date(2022, 7, 22)
MERGER_2025 = dt.date(2025, 7, 1)


def read_rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("hemis.registry.data").joinpath(name).open(encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _replace(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    conn.execute(delete(table))
    if rows:
        conn.execute(table.insert(), rows)
    return len(rows)


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
            "region": "",
            "valid_from": None,
            "valid_to": MERGER_2025 - dt.timedelta(days=1),
        }
        for r in read_rows("provinces_cccd.csv")
    ]


def load_all(conn: Connection) -> dict[str, int]:
    """Replace every reference table; returns row counts by table."""
    counts: dict[str, int] = {}
    counts["discipline"] = _replace(conn, table_of(Discipline), discipline_rows())
    counts["discipline_group"] = _replace(conn, table_of(DisciplineGroup), discipline_group_rows())
    counts["province"] = _replace(conn, table_of(Province), province_63_rows())
    return counts
