"""The plan compares a file with the registry by joining the key columns only and comparing one
value column at a time; it must keep exactly the rows a join of every column keeps (new, or
differing in a value, nulls included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from hemis.common.crypto import IdCipher
from hemis.submissions.apply import Target, _compared, plan
from hemis.submissions.workspace import Workspace

TARGET = Target("t", ("code",), ("a", "b"), {"code": pl.String, "a": pl.Int64, "b": pl.String})
SCHEMA = {"code": pl.String, "a": pl.Int64, "b": pl.String}
values = st.tuples(
    st.one_of(st.none(), st.integers(0, 3)), st.one_of(st.none(), st.sampled_from("xy"))
)
tables = st.dictionaries(st.sampled_from([f"C{i}" for i in range(12)]), values, max_size=12)


def frame_of(rows: dict[str, tuple[int | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(code, a, b) for code, (a, b) in rows.items()], schema=SCHEMA, orient="row"
    )


def joined_every_column(frame: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
    known = existing.rename({"a": "a__db", "b": "b__db"})
    differs = pl.col("a").ne_missing(pl.col("a__db")) | pl.col("b").ne_missing(pl.col("b__db"))
    return (
        frame.join(known, on="code", how="left")
        .filter(pl.col("id").is_null() | differs)
        .select("id", "code", "a", "b", pl.col("id").is_null().alias("_new"))
    )


@settings(max_examples=150, deadline=None)
@given(file=tables, registry=tables)
def test_key_join_keeps_what_a_full_join_keeps(
    file: dict[str, tuple[int | None, str | None]],
    registry: dict[str, tuple[int | None, str | None]],
) -> None:
    frame = frame_of(file)
    existing = (
        frame_of(registry)
        .with_row_index("id", offset=100)
        .with_columns(pl.col("id").cast(pl.Int64))
    )
    got = _compared(frame, existing, TARGET)
    assert got is not None
    assert got.sort("code").equals(joined_every_column(frame, existing).sort("code"))


def test_a_key_the_registry_holds_twice_takes_the_full_join() -> None:
    frame = frame_of({"C1": (1, "x"), "C2": (2, "y")})
    existing = pl.DataFrame(
        {"id": [1, 2, 3], "code": ["C1", "C1", "C2"], "a": [1, 5, 2], "b": ["x", "x", "y"]},
        schema={"id": pl.Int64, **SCHEMA},
    )
    assert _compared(frame, existing, TARGET) is None
    conn: Any = None  # a dry run with the registry rows given: no database
    ws = Workspace(conn, 1, "X", IdCipher(b"k" * 32, b"b" * 32), dt.date(2025, 1, 1), "test")
    ws.cache["existing:t"] = existing
    staged = plan(ws, TARGET, frame, assign_ids=False).staged
    # C1 differs from one of its two registry rows; C2 is unchanged
    assert staged.select("id", "code", "_new").to_dicts() == [
        {"id": 2, "code": "C1", "_new": False}
    ]
