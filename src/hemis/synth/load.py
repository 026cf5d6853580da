"""Loading the synthetic nation into a database through the bulk path (hemis.bulk).

Generation runs one chunk ahead in a background thread (numpy, polars and the database driver
release the GIL for their heavy work), while the main thread allocates ids and streams the
previous chunk into the database. Everything happens in one transaction.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

import numpy as np
import polars as pl
from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from hemis.bulk import BulkLoader, bulk_connection
from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.base import table_of
from hemis.errors import HemisError
from hemis.registry.models import (
    Asset,
    Award,
    Campus,
    Discipline,
    Ethnicity,
    Expenditure,
    Facility,
    Institution,
    Learner,
    LearnerStatusEvent,
    Person,
    Program,
    ResourceSummary,
    Revenue,
    Staff,
    StaffChange,
    TermResult,
)
from hemis.synth.common import AS_OF
from hemis.synth.learners import CHUNK
from hemis.synth.nation import MAX_SCALE, Batch, Nation, Reference

ACTOR = "system:synth"
# The tenant registry and persons: what a synthetic nation fills and --replace empties.
REGISTRY_TABLES = tuple(
    table_of(m).name
    for m in (
        Institution, Campus, Facility, ResourceSummary, Program, Person, Staff, StaffChange,
        Learner, LearnerStatusEvent, TermResult, Award, Revenue, Expenditure, Asset,
    )
)  # fmt: skip
T = TypeVar("T")


class SynthError(HemisError):
    code = "synth"
    status = 409


class Progress(Protocol):
    def start(self, expected: Mapping[str, int]) -> None: ...

    def advance(self, table: str, rows: int) -> None: ...


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    audit_entries: int = 0
    rebuild_seconds: float = 0.0  # indexes and foreign keys rebuilt after the load (PostgreSQL)
    elapsed: float = 0.0


def read_reference(conn: Connection) -> Reference:
    d = table_of(Discipline)
    rows = conn.execute(
        select(d.c.code, d.c.name_vi, d.c.field_code)
        .where(or_(d.c.valid_to.is_(None), d.c.valid_to >= AS_OF))
        .order_by(d.c.code)
    ).all()
    if not rows:
        raise SynthError(
            "Bảng ngành đào tạo trống: hãy chạy `hemis db upgrade` trước.",
            "The discipline table is empty: run `hemis db upgrade` first.",
        )
    disciplines = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"code": pl.String, "name_vi": pl.String, "field_code": pl.String},
        orient="row",
    )
    e = table_of(Ethnicity)
    codes = tuple(conn.execute(select(e.c.code).order_by(e.c.code)).scalars())
    if "01" not in codes:
        codes = tuple(f"{i:02d}" for i in range(1, 55))
    return Reference(disciplines, codes)


def resolve(loader: BulkLoader, batch: Batch, bases: dict[str, int]) -> pl.DataFrame:
    """Allocate the batch's ids and turn its index columns into ids."""
    n = batch.frame.height
    first = loader.allocate(batch.table, n)
    bases[batch.table] = first
    frame = batch.frame.with_columns(
        (pl.col(column) + bases[table]).alias(column) for column, table in batch.refs.items()
    )
    return frame.insert_column(0, pl.Series("id", np.arange(first, first + n, dtype=np.int64)))


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Iterate `items` in a background thread, up to `depth` items ahead."""
    q: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: object) -> bool:
        while not stop.is_set():
            try:
                q.put((kind, value), timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as exc:  # handed over to the consumer
            put("error", exc)

    worker = threading.Thread(target=run, name="synth-generator", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "done":
                return
            if kind == "error":
                assert isinstance(value, BaseException)
                raise value
            yield cast(T, value)
    finally:
        stop.set()
        worker.join(timeout=5)


def _guard(loader: BulkLoader, replace: bool) -> None:
    held = {t: loader.count(t) for t in ("institution", "person")}
    if not any(held.values()):
        return
    if not replace:
        raise SynthError(
            "Cơ sở dữ liệu đã có dữ liệu đăng ký (cơ sở đào tạo, người học…); dùng --replace để "
            "xóa và nạp lại.",
            "The database already holds registry data (institutions, persons…); use --replace "
            "to clear it and load again.",
            details=held,
        )
    loader.clear(REGISTRY_TABLES)


def load_nation(
    settings: Settings,
    scale: float,
    seed: int,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> Summary:
    """Generate the nation for (scale, seed) and load it into settings.owner_database_url."""
    if not 0 < scale <= MAX_SCALE:
        raise SynthError(
            f"Hệ số quy mô phải lớn hơn 0 và không quá {MAX_SCALE}.",
            f"Scale must be greater than 0 and at most {MAX_SCALE}.",
            details={"scale": scale},
        )
    started = time.perf_counter()
    summary = Summary()
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    with bulk_connection(settings.owner_database_url, ACTOR) as loader:
        _guard(loader, replace)
        nation = Nation(seed, scale, read_reference(loader.conn), cipher, chunk_size)
        if progress is not None:
            progress.start(nation.expected())
        bases: dict[str, int] = {}  # first id of the latest block of each table
        with loader.deferred_constraints(REGISTRY_TABLES):
            for chunk in prefetch(nation.chunks()):
                for batch in chunk:
                    if batch.frame.height == 0:
                        continue
                    result = loader.load(batch.table, resolve(loader, batch, bases))
                    summary.rows[batch.table] = summary.rows.get(batch.table, 0) + result.rows
                    summary.seconds[batch.table] = (
                        summary.seconds.get(batch.table, 0.0) + result.seconds
                    )
                    summary.audit_entries += 1
                    if progress is not None:
                        progress.advance(batch.table, result.rows)
            rebuild_started = time.perf_counter()
        summary.rebuild_seconds = time.perf_counter() - rebuild_started
    summary.elapsed = time.perf_counter() - started
    return summary
