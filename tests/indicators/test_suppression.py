"""Small-cell suppression of the open-data export, property-tested: nothing under 5 persons is
published, published figures are the true ones, and no suppressed figure can be recovered from
the published cells and totals (exact rank test, independent of the algorithm's own loop)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hemis.indicators.suppression import MIN_CELL, flat, lines_of, suppress

tables = st.integers(1, 6).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(0, 40) | st.integers(1, 4), min_size=cols, max_size=cols),
        min_size=1,
        max_size=6,
    )
)


def true_entries(table: list[list[int]]) -> list[int]:
    rows, cols = len(table), len(table[0])
    cells = [v for row in table for v in row]
    row_totals = [sum(row) for row in table]
    col_totals = [sum(table[i][j] for i in range(rows)) for j in range(cols)]
    return [*cells, *row_totals, *col_totals, sum(row_totals)]


def solvable(table: list[list[int]], published: list[int | None]) -> list[int]:
    """Hidden entries an attacker can solve for exactly with linear algebra (least squares on
    the line equations, checked for uniqueness through the null space)."""
    rows, cols = len(table), len(table[0])
    hidden = [e for e, v in enumerate(published) if v is None]
    if not hidden:
        return []
    index = {e: n for n, e in enumerate(hidden)}
    a, b = [], []
    for line in lines_of(rows, cols):
        *parts, total = line
        coeffs = np.zeros(len(hidden))
        rhs = 0.0
        for e in parts:
            if e in index:
                coeffs[index[e]] += 1
            else:
                rhs -= float(published[e] or 0)
        if total in index:
            coeffs[index[total]] -= 1
        else:
            rhs += float(published[total] or 0)
        a.append(coeffs)
        b.append(rhs)
    matrix = np.array(a)
    _, s, vt = np.linalg.svd(matrix)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    # An unknown is pinned down iff every null-space direction leaves it unchanged.
    return [e for e, n in index.items() if null.size == 0 or np.allclose(null[:, n], 0)]


@given(tables)
def test_no_published_cell_under_five_persons(table: list[list[int]]) -> None:
    published = flat(suppress(table))
    assert all(v is None or v == 0 or v >= MIN_CELL for v in published)


@given(tables)
def test_published_values_are_the_true_ones(table: list[list[int]]) -> None:
    published = flat(suppress(table))
    for shown, true in zip(published, true_entries(table), strict=True):
        assert shown is None or shown == true


@given(tables)
def test_no_suppressed_cell_can_be_recovered_from_totals(table: list[list[int]]) -> None:
    published = flat(suppress(table))
    assert solvable(table, published) == []


def test_a_lone_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    result = suppress([[3, 10, 20], [12, 15, 30]])
    assert result.cells[0][0] is None
    # Row 0 and column 0 each need a second hidden entry, or 3 = total − the others.
    assert sum(v is None for v in [*result.cells[0], result.row_totals[0]]) >= 2
    assert (
        sum(v is None for v in [result.cells[0][0], result.cells[1][0], result.column_totals[0]])
        >= 2
    )
    assert result.grand_total == 90


def test_nothing_small_nothing_suppressed() -> None:
    result = suppress([[10, 0], [7, 25]])
    assert result.suppressed_count == 0
    assert result.row_totals == [10, 32]
