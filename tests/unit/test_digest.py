"""The audit digest of a written table is hashed a slice at a time; it must equal the SHA-256
of the whole table written as one CSV, whatever the slice size."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from hemis.submissions.apply import digest

rows = st.lists(
    st.tuples(
        st.one_of(st.none(), st.text(max_size=8)),  # quotes, commas, newlines, Vietnamese
        st.one_of(st.none(), st.integers(-(2**40), 2**40)),
        st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))),
        st.one_of(st.none(), st.binary(max_size=6)),
    ),
    max_size=40,
)


def whole(frame: pl.DataFrame) -> str:
    shown = frame.with_columns(pl.col("b").bin.encode("hex"))
    buffer = io.BytesIO()
    shown.write_csv(buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


@settings(max_examples=80, deadline=None)
@given(data=rows, slice_rows=st.integers(1, 7))
def test_sliced_digest_is_the_digest_of_the_whole_csv(
    data: list[tuple[str | None, int | None, dt.date | None, bytes | None]], slice_rows: int
) -> None:
    frame = pl.DataFrame(
        data,
        schema={"s": pl.String, "i": pl.Int64, "d": pl.Date, "b": pl.Binary},
        orient="row",
    )
    assert digest(frame, slice_rows) == whole(frame)
    assert digest(frame) == whole(frame)


def test_a_changed_value_changes_the_digest() -> None:
    frame = pl.DataFrame({"s": ["a", "b"], "i": [1, 2], "d": [None, None], "b": [b"x", b"y"]})
    assert digest(frame, 1) != digest(frame.with_columns(pl.lit(3).alias("i")), 1)
