"""`hemis synth`: generate and load the synthetic nation."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import DBAPIError

from hemis.cli.common import clear_errors, console, fail, settings
from hemis.synth import Summary, load_nation
from hemis.synth.nation import MAX_SCALE

LABELS = {
    "institution": "Cơ sở đào tạo / institutions",
    "campus": "Phân hiệu, cơ sở / campuses",
    "facility": "Cơ sở vật chất / facilities",
    "program": "Chương trình / programs",
    "person": "Cá nhân / persons",
    "staff": "Nhân sự / staff",
    "resource_summary": "Tài nguyên / resource summaries",
    "revenue": "Nguồn thu / revenues",
    "expenditure": "Khoản chi / expenditures",
    "asset": "Tài sản / assets",
    "learner": "Người học / learners",
    "learner_status_event": "Biến động người học / status events",
    "term_result": "Kết quả học kỳ / term results",
    "award": "Văn bằng / awards",
}


class RateColumn(ProgressColumn):
    """Rows per second of a task."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("– rows/s", style="progress.data.speed")
        return Text(f"{speed:,.0f} rows/s", style="progress.data.speed")


class RowsColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        total = f"/{task.total:,.0f}" if task.total is not None else ""
        return Text(f"{task.completed:,.0f}{total}", style="progress.download")


class RichProgress:
    """One progress bar per entity (hemis.synth.load.Progress)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.expected: Mapping[str, int] = {}

    def start(self, expected: Mapping[str, int]) -> None:
        self.expected = expected
        for table, label in LABELS.items():
            self.tasks[table] = self.progress.add_task(
                label, total=expected.get(table), start=False
            )

    def advance(self, table: str, rows: int) -> None:
        task = self.tasks[table]
        self.progress.start_task(task)
        self.progress.advance(task, rows)
        if table not in self.expected:
            self.progress.update(task, total=self.progress.tasks[task].completed)


def summary_table(summary: Summary, scale: float, seed: int) -> Table:
    table = Table(title=f"Quốc gia mô phỏng / synthetic nation — scale {scale:g}, seed {seed}")
    table.add_column("bảng / table")
    table.add_column("số dòng / rows", justify="right")
    table.add_column("giây / seconds", justify="right")
    table.add_column("dòng/giây / rows/s", justify="right")
    for name, rows in summary.rows.items():
        seconds = summary.seconds.get(name, 0.0)
        rate = f"{rows / seconds:,.0f}" if seconds > 0 else "–"
        table.add_row(LABELS.get(name, name), f"{rows:,}", f"{seconds:,.1f}", rate)
    if summary.rebuild_seconds >= 0.05:
        table.add_row(
            "Chỉ mục, khóa ngoại / indexes, foreign keys", "", f"{summary.rebuild_seconds:,.1f}", ""
        )
    total = sum(summary.rows.values())
    table.add_row(
        "[bold]Tổng / total[/bold]",
        f"[bold]{total:,}[/bold]",
        f"[bold]{summary.elapsed:,.1f}[/bold]",
        f"[bold]{total / summary.elapsed:,.0f}[/bold]" if summary.elapsed > 0 else "–",
    )
    return table


@clear_errors
def synth(
    scale: float = typer.Option(
        0.01,
        "--scale",
        help="1 = the nation (470 institutions, 25,000 programs, 100,000 staff, 3M learners); "
        f"0 < scale ≤ {MAX_SCALE:g}",
    ),
    seed: int = typer.Option(2026, "--seed", help="Random seed; same scale and seed, same data"),
    replace: bool = typer.Option(
        False, "--replace", help="Clear existing registry data first (otherwise refused)"
    ),
) -> None:
    """Generate the synthetic nation and load it through the bulk path."""
    if not math.isfinite(scale) or scale <= 0 or scale > MAX_SCALE:
        fail(
            f"--scale phải lớn hơn 0 và không quá {MAX_SCALE:g} (nhận {scale:g}).",
            f"--scale must be greater than 0 and at most {MAX_SCALE:g} (got {scale:g}).",
        )
    if seed < 0:
        fail("--seed phải là số không âm.", "--seed must not be negative.")
    cfg = settings()
    started = time.perf_counter()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        RowsColumn(),
        RateColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress:
            summary = load_nation(
                cfg, scale, seed, replace=replace, progress=RichProgress(progress)
            )
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        fail(
            f"Lỗi cơ sở dữ liệu, không có gì được nạp: {reason}. Đã chạy `hemis db upgrade` chưa?",
            f"Database error, nothing was loaded: {reason}. Has `hemis db upgrade` been run?",
        )
        return
    console.print(summary_table(summary, scale, seed))
    console.print(
        f"[green]Đã nạp / loaded {sum(summary.rows.values()):,} rows in "
        f"{time.perf_counter() - started:,.1f} s ({summary.audit_entries} audit entries).[/green]"
    )
