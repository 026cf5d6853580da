"""`hemis admissions`: the national virtual filtering, as an audit command over CSV files."""

from __future__ import annotations

import time
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hemis.cli.common import clear_errors, err_console

if TYPE_CHECKING:
    from hemis.matching.io import BadInput

app = typer.Typer(help="Xét tuyển / admissions.", no_args_is_help=True)


class TiePolicyOption(StrEnum):
    group = "group"
    strict = "strict"


@app.command("match")
@clear_errors
def match(
    programs: Path = typer.Option(..., "--programs", help="PROGRAMS.csv: program_id,quota"),
    wishes: Path = typer.Option(
        ...,
        "--wishes",
        help="WISHES.csv: candidate_id,rank,program_id,score[,tiebreak1,…]",
    ),
    out: Path = typer.Option(..., "--out", help="Directory for assignments.csv and cutoffs.csv"),
    tie_policy: TiePolicyOption = typer.Option(
        TiePolicyOption.group,
        "--tie-policy",
        help="group: admit the whole tie group at the cutoff; strict: break the last ties by "
        "candidate id compared as text (NFC; '10' before '9', so pad numeric ids to one width)",
    ),
) -> None:
    """Virtual filtering (deferred acceptance) of CSV files into assignments and cutoffs.

    Ids are read as Unicode NFC: the same name typed in NFC and in NFD is one candidate (or one
    program). Under --tie-policy strict, candidates still tied are ordered by their ids as text
    (code point order of the NFC form), not as numbers."""
    # Imported here so that other `hemis` commands do not pay for numba and polars.
    import numpy as np

    from hemis.matching import solve
    from hemis.matching.io import BadInput, read_problem, write_result

    timings: dict[str, float] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:

        def step(label: str) -> None:
            timings[label] = time.perf_counter()
            progress.update(task, description=label)

        task = progress.add_task("")
        step("Đọc và kiểm tra / reading and checking")
        try:
            loaded = read_problem(programs, wishes)
        except BadInput as exc:
            progress.stop()
            _report_bad_input(exc)
            raise typer.Exit(2) from None
        step("Lọc ảo / matching")
        result = solve(loaded.problem, tie_policy.value)
        step("Ghi kết quả / writing")
        written = write_result(loaded, result, out)
        timings["end"] = time.perf_counter()
    problem = loaded.problem
    table = Table(title="Kết quả lọc ảo / matching summary", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    over = result.overflow > 0
    rows = [
        ("Thí sinh / candidates", f"{problem.n_candidates:,}"),
        ("Nguyện vọng / wishes", f"{problem.n_wishes:,}"),
        ("Chương trình / programs", f"{problem.n_programs:,}"),
        ("Chỉ tiêu / seats", f"{int(problem.quota.sum()):,}"),
        ("Trúng tuyển / admitted", f"{result.n_assigned:,}"),
        ("Không trúng tuyển / unassigned", f"{problem.n_candidates - result.n_assigned:,}"),
        (
            "Vượt chỉ tiêu do đồng điểm / over quota by ties",
            f"{int(np.count_nonzero(over)):,} ({int(result.overflow.sum()):,})",
        ),
        ("Quy tắc đồng điểm / tie policy", tie_policy.value),
    ]
    labels = list(timings)
    for label, nxt in pairwise(labels):
        rows.append((f"{label} (s)", f"{timings[nxt] - timings[label]:.2f}"))
    for label, value in rows:
        table.add_row(label, value)
    err_console.print(table)
    for path in written:
        err_console.print(f"[green]Đã ghi / wrote[/green] {path}")


def _report_bad_input(exc: BadInput) -> None:
    err_console.print(
        f"[red]Lỗi dữ liệu đầu vào / bad input:[/red] {exc.total} lỗi / errors; "
        "không ghi tệp nào / nothing written.",
        soft_wrap=True,
    )
    for error in exc.errors:
        err_console.print(f"  {error}", markup=False, highlight=False, soft_wrap=True)
    if exc.total > len(exc.errors):
        more = exc.total - len(exc.errors)
        err_console.print(f"  … và {more} lỗi khác / and {more} more")
