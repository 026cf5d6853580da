"""Set-based upserts of a clean file into the registry, by natural key, in the import's
transaction.

For each target table: the institution's rows are read once into polars and joined with the
file on the natural key, so new rows get ids (one block from hemis.db.ids) and unchanged rows
are left out; the rest is staged in a temp table and written with one statement

    INSERT INTO t (…) SELECT … FROM staging ON CONFLICT (institution_id, key)
    DO UPDATE SET … WHERE (t.cols) IS DISTINCT FROM (excluded.cols)

so the database itself refuses to rewrite a row that did not change. A second submission of the
same file therefore writes nothing. Rows of the institution missing from the file are counted and
listed (full replacement), never deleted. Each table written gets one audit entry: the rows
written and the SHA-256 of their content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from hemis.audit.chain import Change, append
from hemis.db.ids import allocate_ids
from hemis.db.versions import bump
from hemis.submissions.workspace import Workspace

ABSENT_LISTED = 1000  # keys of absent records kept in a result
# Large writes of these tables skip the per-row foreign-key triggers when the role may (see
# `checked_references`): at millions of rows those triggers cost more than everything else.
FAST_TABLES = frozenset({"learner", "staff", "learner_status_event", "competency_assessment"})
FAST_MIN_ROWS = 20_000
COPY_CHUNK = 100_000  # rows per COPY buffer: the next is prepared while the server writes
DIGEST_SLICE = 200_000  # rows of CSV text hashed at a time
STATUS_EVENT_TABLE = "learner_status_event"


@dataclass(frozen=True)
class Target:
    """A registry table written by natural key within the institution."""

    table: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    schema: dict[str, Any]  # key and value columns → polars type
    unique_key: bool = True  # (institution_id, *key) is a unique constraint: ON CONFLICT works
    timestamps: bool = True  # created_at / updated_at columns


@dataclass
class TableResult:
    table: str
    rows: int = 0  # rows of the file for this table
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    written: int = 0  # rows the database reported written (0 on a dry run)
    absent: int = 0
    absent_keys: list[str] = field(default_factory=list)
    # Rows the file replaced (a learner's competency sittings of a date it re-submits): deleted.
    deleted: int = 0
    sha256: str = ""
    # The digest while it is being computed beside the writes (see `digest_soon`).
    sha256_pending: Future[str] | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "written": self.written,
            "absent": self.absent,
            "absent_keys": self.absent_keys,
            "deleted": self.deleted,
            "sha256": self.sha256,
        }


@dataclass
class Plan:
    """A target's file rows joined with the registry: the rows to write (new ones with their
    ids, in key order) and the counts; the institution's rows absent from the file."""

    target: Target
    staged: pl.DataFrame  # id, key, values, _new: only the new and the changed rows
    existing: pl.DataFrame
    rows: int
    absent: pl.DataFrame | None = None

    @property
    def inserted(self) -> int:
        return int(self.staged["_new"].sum())

    @property
    def updated(self) -> int:
        return self.staged.height - self.inserted


def existing_rows(ws: Workspace, target: Target) -> pl.DataFrame:
    """The institution's rows of the target table (read once per import)."""
    key = f"existing:{target.table}"
    if key not in ws.cache:
        columns = ", ".join(("id", *target.key, *target.values))
        ws.cache[key] = ws.fetch(
            f"SELECT {columns} FROM {target.table} WHERE institution_id = :iid",  # noqa: S608
            {"iid": ws.institution_id},
            {"id": pl.Int64, **target.schema},
        )
    frame = ws.cache[key]
    assert isinstance(frame, pl.DataFrame)
    return frame


def plan(
    ws: Workspace,
    target: Target,
    frame: pl.DataFrame,
    *,
    assign_ids: bool,
    full_replacement: bool = False,
) -> Plan:
    """Join the file's rows (key and value columns) with the registry's; keep the rows that are
    new or changed. Unchanged rows are dropped here, and the database refuses them again."""
    keys = list(target.key)
    frame = frame.select(pl.col(c).cast(target.schema[c]) for c in (*keys, *target.values))
    existing = existing_rows(ws, target)
    staged = _compared(frame, existing, target)
    if staged is None:  # a key the registry holds more than once (no unique constraint)
        known = existing.rename({v: f"{v}__db" for v in target.values})
        differs = (
            pl.any_horizontal(*(pl.col(v).ne_missing(pl.col(f"{v}__db")) for v in target.values))
            if target.values
            else pl.lit(False)
        )
        staged = (
            frame.join(known, on=keys, how="left")
            .filter(pl.col("id").is_null() | differs)
            .select("id", *keys, *target.values, pl.col("id").is_null().alias("_new"))
        )
    if not _in_key_order(staged, keys):
        staged = staged.sort(keys)
    new = int(staged["_new"].sum())
    if new:
        # New rows get ids in key order, so the key's index and the primary key both grow at
        # their right edge (a dry run numbers them below zero: never a real id).
        first = allocate_ids(ws.conn, target.table, new) if assign_ids else -new
        rank = pl.col("_new").cast(pl.Int64).cum_sum() - 1
        staged = staged.with_columns(
            pl.when(pl.col("_new")).then(first + rank).otherwise(pl.col("id")).alias("id")
        )
    absent = existing.join(frame.select(keys), on=keys, how="anti") if full_replacement else None
    return Plan(target, staged, existing, frame.height, absent)


def _in_key_order(frame: pl.DataFrame, keys: list[str]) -> bool:
    """Whether the rows already are in key order (files are often sorted by their code): then
    sorting would only copy them."""
    if len(keys) != 1:
        return False
    return frame[keys[0]].is_sorted()


def _compared(frame: pl.DataFrame, existing: pl.DataFrame, target: Target) -> pl.DataFrame | None:
    """The file's new and changed rows (id, key, values, _new), found by joining the key columns
    only and comparing one value column at a time: joining every column of both sides would
    hold millions of rows twice over (a resubmission's peak memory). None when a key matches
    several registry rows."""
    keys = list(target.key)
    at = frame.select(keys).join(
        existing.select(keys).with_row_index("_at"), on=keys, how="left", maintain_order="left"
    )["_at"]
    if len(at) != frame.height:
        return None
    new = at.is_null()
    keep = new
    for v in target.values:
        keep = keep | frame[v].ne_missing(existing[v].gather(at))
    rows = frame.select(
        existing["id"].gather(at).alias("id"), *keys, *target.values, new.alias("_new")
    )
    return rows if keep.all() else rows.filter(keep)


def digest(frame: pl.DataFrame, slice_rows: int = DIGEST_SLICE) -> str:
    """SHA-256 of the rows as CSV with a header (binary columns as hex).

    The CSV is written and hashed a slice at a time: the same bytes as one `write_csv`, without
    holding the whole text (hundreds of MB at millions of rows) at once."""
    binary = [n for n, t in frame.schema.items() if t == pl.Binary]
    sha = hashlib.sha256()
    buffer = io.BytesIO()
    for offset in range(0, max(frame.height, 1), slice_rows):
        part = frame.slice(offset, slice_rows)
        shown = part.with_columns(pl.col(binary).bin.encode("hex")) if binary else part
        buffer.seek(0)
        buffer.truncate()
        shown.write_csv(buffer, include_header=offset == 0)
        sha.update(buffer.getbuffer())
    return sha.hexdigest()


# Digests of what an import writes are computed on a thread beside the writes: polars writes
# the CSV and hashlib hashes it without holding the interpreter, while the server is busy with
# the COPY on the other core.
_DIGESTS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hemis-digest")


def digest_soon(frame: pl.DataFrame) -> Future[str]:
    """`digest(frame)`, started now; collect it with `settle_digests`."""
    return _DIGESTS.submit(digest, frame)


def settle_digests(results: Sequence[TableResult]) -> None:
    """Wait for the digests still being computed."""
    for result in results:
        if result.sha256_pending is not None:
            result.sha256 = result.sha256_pending.result()
            result.sha256_pending = None


def _distinct(ws: Workspace, left: list[str], right: list[str]) -> str:
    return f"({', '.join(left)}) IS DISTINCT FROM ({', '.join(right)})"


def checked_references(ws: Workspace, table: str, frame: pl.DataFrame) -> bool:
    """Lock what a large write refers to, then let it skip the per-row foreign-key triggers
    (PostgreSQL `session_replication_role = replica`, only if the role may set it).

    The import has already checked every reference against the rows it read in this
    transaction: programs and campuses of the institution (tier d), persons found or created
    here, learners written here. Locking the referenced rows FOR KEY SHARE, as the triggers
    would, keeps anyone from deleting them before the commit. Returns whether the triggers are
    off; `restore_triggers` turns them on again after the statement.
    """
    if not (ws.may_skip_triggers and table in FAST_TABLES and frame.height >= FAST_MIN_ROWS):
        return False
    params = {"iid": ws.institution_id}
    ws.execute("SELECT 1 FROM institution WHERE id = :iid FOR KEY SHARE", params)
    if table == "learner":
        ws.execute("SELECT 1 FROM program WHERE institution_id = :iid FOR KEY SHARE", params)
    if table in ("learner", "staff"):
        # Persons created by this import are this transaction's own rows: nothing to lock.
        low, high = ws.cache.get("new_person_ids", (0, -1))
        earlier = (
            frame.select(pl.col("person_id").unique())
            .filter(~pl.col("person_id").is_between(low, high))
            .drop_nulls()
        )
        if not earlier.is_empty():
            ws.stage("stg_lock_person", earlier)
            ws.execute(
                "SELECT 1 FROM person WHERE id IN (SELECT person_id FROM stg_lock_person) "
                "FOR KEY SHARE"
            )
    if table == "competency_assessment":
        # The learners (and the framework version) the rows refer to, as each row's foreign-key
        # trigger would lock them. Every learner of the institution, in one scan: joining the
        # staged ids instead took 139 s at 3 M rows (an unanalysed temp table's plan), the scan
        # 4 s; FOR KEY SHARE blocks only deletes and key changes, which nothing makes of
        # learners.
        ws.execute("SELECT 1 FROM competency_framework FOR KEY SHARE")
        ws.execute(
            "SELECT count(*) FROM (SELECT 1 FROM learner WHERE institution_id = :iid "
            "FOR KEY SHARE) AS locked",  # counted here: millions of rows need not travel
            params,
        )
    # learner_status_event rows refer to learners this transaction has just written.
    ws.conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    return True


def restore_triggers(ws: Workspace, skipped: bool) -> None:
    if skipped:
        ws.conn.exec_driver_sql("SET LOCAL session_replication_role = origin")


def unless_server_default(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """The constant columns a COPY must send: those the database does not fill in itself
    (timestamps of the bulk tables default to now() on PostgreSQL, saving their parsing)."""
    import hemis.models  # noqa: F401 - every table on the metadata
    from hemis.db.base import Base

    columns = Base.metadata.tables[table].c
    return {k: v for k, v in values.items() if columns[k].server_default is None}


def copy_new(ws: Workspace, table: str, frame: pl.DataFrame, stamps: dict[str, Any]) -> bool:
    """COPY new rows (ids assigned, every column of `frame`) straight into `table`, which
    saves staging them and copying them a second time; only for a large batch and a role that
    row-level security lets COPY. False, and nothing written, when not taken or a unique key
    was registered meanwhile (the caller then goes the staged way, which resolves it)."""
    if not (ws.may_copy_tenant and frame.height >= FAST_MIN_ROWS):
        return False
    skipped = checked_references(ws, table, frame)
    constants = {"institution_id": ws.institution_id, **unless_server_default(table, stamps)}
    chunks = (frame.slice(o, COPY_CHUNK) for o in range(0, frame.height, COPY_CHUNK))
    done = ws.copy_rows(table, frame.columns, chunks, constants)
    restore_triggers(ws, skipped)
    return done


def write(ws: Workspace, plan_: Plan, now: dt.datetime) -> int:
    """Write a plan's new and changed rows; returns the rows the database wrote."""
    target = plan_.target
    columns = ["id", *target.key, *target.values]
    staged = plan_.staged
    if staged.is_empty():
        return 0
    stamps: dict[str, Any] = {"created_at": now, "updated_at": now} if target.timestamps else {}
    copied = 0
    # (a first load is all new rows: filtering would copy millions of rows for nothing)
    all_new = plan_.inserted == staged.height
    new_rows = staged if all_new else staged.filter(pl.col("_new"))
    if copy_new(ws, target.table, new_rows.select(columns), stamps):
        copied = new_rows.height
        if all_new:
            return copied
        staged = staged.filter(~pl.col("_new"))
    del new_rows
    stage = ws.stage(f"stg_{target.table}", staged.select(columns))  # in key order
    listed = ", ".join(columns)
    stamp_names = ", created_at, updated_at" if target.timestamps else ""
    stamp_values = ", :now, :now" if target.timestamps else ""
    params = {"iid": ws.institution_id, "now": now}
    if target.unique_key:
        assignments = [f"{v} = excluded.{v}" for v in target.values]
        if target.timestamps:
            assignments.append("updated_at = excluded.updated_at")
        assignments += bump(target.table)
        condition = _distinct(
            ws,
            [f"{target.table}.{v}" for v in target.values],
            [f"excluded.{v}" for v in target.values],
        )
        update = (
            f"DO UPDATE SET {', '.join(assignments)} WHERE {condition}"
            if target.values
            else "DO NOTHING"
        )
        skipped = checked_references(ws, target.table, staged)
        written = ws.execute(
            f"INSERT INTO {target.table} (institution_id, {listed}{stamp_names}) "  # noqa: S608
            f"SELECT :iid, {listed}{stamp_values} FROM {stage} WHERE true "
            f"ON CONFLICT (institution_id, {', '.join(target.key)}) {update}",
            params,
        )
        restore_triggers(ws, skipped)
        return copied + written
    # No unique constraint on the key (status events): insert the new rows, update the others.
    ws.stage("stg_new_ids", staged.filter(pl.col("_new")).select("id"))
    written = ws.execute(
        f"INSERT INTO {target.table} (institution_id, {listed}{stamp_names}) "  # noqa: S608
        f"SELECT :iid, {listed}{stamp_values} FROM {stage} "
        "WHERE id IN (SELECT id FROM stg_new_ids)",
        params,
    )
    if target.values:
        sets = ", ".join([*(f"{v} = s.{v}" for v in target.values), *bump(target.table)])
        condition = _distinct(
            ws, [f"{target.table}.{v}" for v in target.values], [f"s.{v}" for v in target.values]
        )
        written += ws.execute(
            f"UPDATE {target.table} SET {sets} FROM {stage} s "  # noqa: S608
            f"WHERE {target.table}.institution_id = :iid AND {target.table}.id = s.id "
            f"AND {condition}",
            params,
        )
    return copied + written


def result_of(plan_: Plan, *, written: int, pending: Future[str] | None = None) -> TableResult:
    """What a plan wrote; its digest taken from `pending` if one was started before the write."""
    target = plan_.target
    out = TableResult(
        target.table,
        rows=plan_.rows,
        inserted=plan_.inserted,
        updated=plan_.updated,
        unchanged=plan_.rows - plan_.staged.height,
        written=written,
    )
    if pending is not None:
        out.sha256_pending = pending
    elif plan_.staged.height:
        out.sha256 = digest(plan_.staged.select(*target.key, *target.values))
    if plan_.absent is not None:
        absent = plan_.absent.sort(list(target.key))
        out.absent = absent.height
        keys = absent.head(ABSENT_LISTED).select(
            pl.concat_str([pl.col(k).cast(pl.String) for k in target.key], separator=" / ")
        )
        out.absent_keys = keys.to_series().to_list()
    return out


def audit(ws: Workspace, results: list[TableResult], source: str, job_id: int | None) -> None:
    """One audit entry per table written (the batch), in the import's transaction."""
    settle_digests(results)
    changes = [
        Change(
            actor=ws.actor,
            institution_id=ws.institution_id,
            action="bulk_import",
            entity=r.table,
            entity_id=None,
            before=None,
            after={
                "rows": r.written,
                "inserted": r.inserted,
                "updated": r.updated,
                "deleted": r.deleted,
                "sha256": r.sha256,
                "source": source,
                "job": job_id,
            },
        )
        for r in results
        if r.written
    ]
    append(ws.conn, changes)
