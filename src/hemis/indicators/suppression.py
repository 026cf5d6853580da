"""Small-cell suppression for the public open-data export: no published cell (or total) counts
fewer than MIN_CELL persons, and no suppressed cell can be worked out from what is published.

A table is published with its row totals, column totals and grand total, so every row, every
column and the two margins are linear constraints ("the cells add up to the total"). Primary
suppression hides the cells of 1–4 persons; complementary suppression then hides further cells
(the smallest first) until no suppressed cell is determined by the constraints — checked exactly,
with the rank test: a hidden cell x_k is recoverable iff the unit vector e_k lies in the row space
of the constraints restricted to the hidden cells. (Bounds from non-negativity can still narrow a
hidden cell to an interval; that is the usual limit of this method, ADR 0012.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_CELL = 5


@dataclass(frozen=True)
class Suppressed:
    """The table as published: None where a value is suppressed."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    grand_total: int | None

    @property
    def suppressed_count(self) -> int:
        return sum(1 for v in flat(self) if v is None)


def _entries(rows: int, cols: int) -> tuple[list[tuple[str, int, int]], list[list[int]]]:
    """All entries (cells, row totals, column totals, grand total) and the constraint lines
    (each a list of entry indexes whose first entries add up to the last)."""
    entries: list[tuple[str, int, int]] = [("c", i, j) for i in range(rows) for j in range(cols)]
    entries += [("r", i, 0) for i in range(rows)]
    entries += [("k", 0, j) for j in range(cols)]
    entries.append(("g", 0, 0))
    rt, ct, grand = rows * cols, rows * cols + rows, len(entries) - 1
    lines = [[i * cols + j for j in range(cols)] + [rt + i] for i in range(rows)]
    lines += [[i * cols + j for i in range(rows)] + [ct + j] for j in range(cols)]
    lines.append([rt + i for i in range(rows)] + [grand])
    lines.append([ct + j for j in range(cols)] + [grand])
    return entries, lines


def recoverable(lines: list[list[int]], hidden: set[int]) -> set[int]:
    """Hidden entries whose value the published values and the line sums determine exactly."""
    order = sorted(hidden)
    if not order:
        return set()
    where = {e: n for n, e in enumerate(order)}
    matrix = np.zeros((len(lines), len(order)))
    for r, line in enumerate(lines):
        *parts, total_entry = line
        for e in parts:
            if e in where:
                matrix[r, where[e]] += 1.0
        if total_entry in where:
            matrix[r, where[total_entry]] -= 1.0
    matrix = matrix[np.any(matrix != 0, axis=1)]
    if matrix.size == 0:
        return set()
    rank = int(np.linalg.matrix_rank(matrix))
    found = set()
    for e, n in where.items():
        unit = np.zeros((1, len(order)))
        unit[0, n] = 1.0
        stacked = np.vstack([matrix, unit])
        if int(np.linalg.matrix_rank(stacked)) == rank:
            found.add(e)
    return found


def suppress(table: Sequence[Sequence[int]], min_cell: int = MIN_CELL) -> Suppressed:
    rows = len(table)
    cols = len(table[0]) if rows else 0
    if rows == 0 or cols == 0:
        return Suppressed([[] for _ in range(rows)], [0] * rows, [0] * cols, 0)
    entries, lines = _entries(rows, cols)
    values = [int(table[i][j]) for i in range(rows) for j in range(cols)]
    values += [sum(int(v) for v in table[i]) for i in range(rows)]
    values += [sum(int(table[i][j]) for i in range(rows)) for j in range(cols)]
    values.append(sum(values[rows * cols : rows * cols + rows]))
    hidden = {e for e, v in enumerate(values) if 0 < v < min_cell}
    inner = {e for e, (kind, _, _) in enumerate(entries) if kind == "c"}
    while True:
        exposed = recoverable(lines, hidden)
        if not exposed:
            break
        # Hide one more entry on a line through an exposed one: the smallest non-zero inner
        # cell if there is one (totals are the most useful figures to keep), else anything
        # still visible (a one-row table: its row total is the grand total).
        candidates: list[int] = []
        for target in sorted(exposed):
            candidates = [e for line in lines if target in line for e in line if e not in hidden]
            if candidates:
                break
        if not candidates:
            candidates = [e for e in range(len(values)) if e not in hidden]
        candidates.sort(key=lambda e: (e not in inner, values[e] == 0, values[e], e))
        hidden.add(candidates[0])
    published = [None if e in hidden else v for e, v in enumerate(values)]
    cells = [[published[i * cols + j] for j in range(cols)] for i in range(rows)]
    return Suppressed(
        cells,
        published[rows * cols : rows * cols + rows],
        published[rows * cols + rows : rows * cols + rows + cols],
        published[-1],
    )


def lines_of(rows: int, cols: int) -> list[list[int]]:
    return _entries(rows, cols)[1]


def flat(result: Suppressed) -> list[int | None]:
    """The published entries in the order `lines_of` numbers them."""
    return [
        *(v for row in result.cells for v in row),
        *result.row_totals,
        *result.column_totals,
        result.grand_total,
    ]
