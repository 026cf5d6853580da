"""The blind indexes begun while tiers a–c run are used only for the very IDs they were made
from; any other IDs (changed, reordered, fewer) get their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from hemis.common.crypto import IdCipher
from hemis.submissions.persons import IDX, start_blind_index, with_blind_index
from hemis.submissions.workspace import Workspace

CIPHER = IdCipher(b"k" * 32, b"b" * 32)
ids = st.lists(st.from_regex(r"\A0[0-9]{11}\Z"), min_size=1, max_size=30)


def workspace() -> Workspace:
    conn: Any = None  # the blind index needs no database
    return Workspace(conn, 1, "X", CIPHER, dt.date(2025, 1, 1), "test")


@settings(max_examples=60, deadline=None)
@given(begun=ids, given_=ids)
def test_indexes_are_those_of_the_ids_given(begun: list[str], given_: list[str]) -> None:
    ws = workspace()
    start_blind_index(ws, pl.Series("national_id", begun))
    frame = pl.DataFrame({"national_id": given_})
    got = with_blind_index(ws, frame)[IDX].to_list()
    assert got == [CIPHER.blind_index(v) for v in given_]


@settings(max_examples=30, deadline=None)
@given(begun=ids)
def test_the_early_indexes_serve_the_same_ids(begun: list[str]) -> None:
    ws = workspace()
    start_blind_index(ws, pl.Series("national_id", [*begun, None]))  # nulls never indexed
    early = ws.cache["blind_index_early"][1].result()
    got = with_blind_index(ws, pl.DataFrame({"national_id": begun}))
    assert got[IDX].to_list() == [CIPHER.blind_index(v) for v in begun]
    assert ws.cache["blind_index"] is early  # taken, not recomputed
