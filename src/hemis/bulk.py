"""The bulk-load path: many rows into registry tables fast, audited once per batch.

PostgreSQL: `COPY table (columns) FROM STDIN (FORMAT csv)` fed with CSV that polars writes in Rust,
inside one transaction with `hemis.national` on (row-level security is FORCEd on tenant tables,
so even the owner needs a national scope). SQLite: `executemany` in large batches, with the
journal kept but fsyncs off for the duration. PostgreSQL refuses COPY into a table whose
row-level security applies to the current role: the owner lifts FORCE for the transaction only
(other sessions never see it lifted), and a role that does not own the table inserts instead.
Either way the caller's rows carry their ids, taken
from hemis.db.ids.allocate_ids (one block per table per batch), and every batch writes one audit
entry: `bulk_load` of table T, `{"rows": n, "sha256": digest}` where the digest is the SHA-256 of
the batch as CSV (header row, RFC 4180, LF, binary columns as \\x-prefixed hex) without the
ciphertext columns — so anyone holding the same rows can recompute it.

Connect with the table owner's URL (settings.owner_database_url).
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection

from hemis.audit.chain import Change, append
from hemis.db.base import Base
from hemis.db.ids import allocate_ids
from hemis.db.session import make_engine
from hemis.errors import HemisError

# Columns whose content never enters a digest or a log: national-ID ciphertext (random per write).
SECRET_COLUMNS = frozenset({"national_id_enc"})
SQLITE_BATCH = 50_000
COPY_BLOCK = 100_000  # rows per COPY write or executemany on PostgreSQL


class BulkLoadError(HemisError):
    code = "bulk_load"
    status = 409


@dataclass(frozen=True)
class BatchResult:
    table: str
    rows: int
    sha256: str
    seconds: float


def _hexed(frame: pl.DataFrame) -> pl.DataFrame:
    """Binary columns as PostgreSQL bytea hex text (\\x0a1b…)."""
    binary = [name for name, dtype in frame.schema.items() if dtype == pl.Binary]
    if not binary:
        return frame
    return frame.with_columns(
        (pl.lit("\\x") + pl.col(name).bin.encode("hex")).alias(name) for name in binary
    )


def _csv(frame: pl.DataFrame, *, header: bool) -> memoryview:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=header)
    return buffer.getbuffer()


def content_digest(frame: pl.DataFrame, secret: Iterable[str] = SECRET_COLUMNS) -> str:
    """SHA-256 of the batch as CSV with a header row, ciphertext columns left out."""
    kept = frame.drop([c for c in secret if c in frame.columns])
    return hashlib.sha256(_hexed(kept).write_csv().encode()).hexdigest()


def _sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Values as the SQLAlchemy SQLite dialect stores them (dates as text, booleans as 0/1)."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            out.append(col.dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone is not None:
                col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            out.append(col.dt.strftime("%Y-%m-%d %H:%M:%S%.6f").alias(name))
        elif dtype == pl.Boolean:
            out.append(col.cast(pl.Int8))
        elif dtype.is_nested() or dtype == pl.Object:
            raise ValueError(f"column {name}: {dtype} is not supported by the bulk path")
        else:
            out.append(col)
    return frame.select(out)


class BulkLoader:
    """Bulk writes on one connection inside the caller's transaction (see `bulk_connection`)."""

    def __init__(self, conn: Connection, actor: str) -> None:
        self.conn = conn
        self.actor = actor
        self.is_postgres = conn.dialect.name == "postgresql"
        self.quote = conn.dialect.identifier_preparer.quote
        self._copy_ok: dict[str, bool] = {}
        self._unforced: list[str] = []

    def table(self, name: str) -> Table:
        try:
            return Base.metadata.tables[name]
        except KeyError:
            raise BulkLoadError(
                f"Không có bảng {name}.", f"There is no table {name}.", details={"table": name}
            ) from None

    def allocate(self, table: str, n: int) -> int:
        """First id of a block of n ids for `table` (hemis.db.ids, shared with the ORM)."""
        return allocate_ids(self.conn, table, n)

    def count(self, table: str) -> int:
        return int(
            self.conn.execute(select(func.count()).select_from(self.table(table))).scalar_one()
        )

    def load(self, table: str, frame: pl.DataFrame) -> BatchResult:
        """Insert the frame's rows (columns named as the table's) and audit the batch."""
        started = time.perf_counter()
        target = self.table(table)
        unknown = [c for c in frame.columns if c not in target.c]
        if unknown:
            raise BulkLoadError(
                "Cột không có trong bảng.",
                f"Columns not in table {table}: {', '.join(unknown)}.",
                details={"table": table, "columns": unknown},
            )
        digest = ""
        if frame.height and self.is_postgres and self._can_copy(table):
            digest = self._copy(table, frame)
        elif frame.height and self.is_postgres:
            self._insert(table, frame)
        elif frame.height:
            self._executemany(table, frame)
        digest = digest or content_digest(frame)
        after = {"rows": frame.height, "sha256": digest}
        append(self.conn, [Change(self.actor, None, "bulk_load", table, None, None, after)])
        return BatchResult(table, frame.height, digest, time.perf_counter() - started)

    def _can_copy(self, table: str) -> bool:
        """PostgreSQL refuses COPY FROM into a table whose row-level security applies to the
        current role. A superuser or BYPASSRLS role may copy; the table owner may once FORCE is
        lifted, which is done inside this transaction only (restored by `finish`, or by the
        rollback), so no other session ever sees the table unforced. Anyone else inserts."""
        if table in self._copy_ok:
            return self._copy_ok[table]
        rls, forced, owns, bypass = self.conn.execute(
            text(
                "SELECT c.relrowsecurity, c.relforcerowsecurity, pg_has_role(c.relowner, 'USAGE'), "
                "r.rolsuper OR r.rolbypassrls FROM pg_class c, pg_roles r "
                "WHERE c.oid = CAST(:t AS regclass) AND r.rolname = current_user"
            ),
            {"t": self.quote(table)},
        ).one()
        ok = bool(not rls or bypass or owns)
        if rls and not bypass and owns and forced:
            self.conn.execute(text(f"ALTER TABLE {self.quote(table)} NO FORCE ROW LEVEL SECURITY"))
            self._unforced.append(table)
        self._copy_ok[table] = ok
        return ok

    def finish(self) -> None:
        """Put back FORCE ROW LEVEL SECURITY where `_can_copy` lifted it (before commit)."""
        for table in self._unforced:
            self.conn.execute(text(f"ALTER TABLE {self.quote(table)} FORCE ROW LEVEL SECURITY"))
        self._unforced.clear()

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(self.quote(c) for c in frame.columns)
        marks = ", ".join("%s" for _ in frame.columns)
        raw: Any = self.conn.connection.driver_connection
        with raw.cursor() as cur:
            sql = f"INSERT INTO {self.quote(table)} ({columns}) VALUES ({marks})"  # noqa: S608
            for offset in range(0, frame.height, COPY_BLOCK):
                cur.executemany(sql, frame.slice(offset, COPY_BLOCK).rows())

    def _copy(self, table: str, frame: pl.DataFrame) -> str:
        """COPY the frame as CSV, block by block; returns its content digest, hashed from the
        same serialisation when the frame has no secret column."""
        secret = [c for c in frame.columns if c in SECRET_COLUMNS]
        columns = ", ".join(self.quote(c) for c in frame.columns)
        raw: Any = self.conn.connection.driver_connection
        sql = f"COPY {self.quote(table)} ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
        digest = hashlib.sha256()
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for offset in range(0, frame.height, COPY_BLOCK):
                block = _hexed(frame.slice(offset, COPY_BLOCK))
                payload = _csv(block, header=offset == 0)
                copy.write(payload)
                digest.update(_csv(block.drop(secret), header=offset == 0) if secret else payload)
        return digest.hexdigest()

    def _executemany(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(self.quote(c) for c in frame.columns)
        marks = ", ".join("?" for _ in frame.columns)
        sql = f"INSERT INTO {self.quote(table)} ({columns}) VALUES ({marks})"  # noqa: S608
        raw: Any = self.conn.connection.driver_connection
        cursor = raw.cursor()
        try:
            for offset in range(0, frame.height, SQLITE_BATCH):
                cursor.executemany(sql, _sqlite_values(frame.slice(offset, SQLITE_BATCH)).rows())
        finally:
            cursor.close()

    def clear(self, tables: Iterable[str]) -> dict[str, int]:
        """Empty the given tables (and audit it); returns the rows each held.

        Refused if a table outside the set has rows that point into it (user accounts bound to
        an institution, say): those would be destroyed or orphaned. On PostgreSQL the set is
        TRUNCATEd with CASCADE, except tables that a non-empty outside table references (with
        no row pointing in), which are emptied with DELETE so the outside table keeps its rows.
        """
        names = set(tables)
        meta = Base.metadata
        blocking: list[str] = []
        outside_refs: set[str] = set()
        for other in meta.sorted_tables:
            if other.name in names:
                continue
            for fk in other.foreign_keys:
                if fk.column.table.name not in names:
                    continue
                col = fk.parent
                held = self.conn.execute(
                    select(func.count()).select_from(other).where(col.is_not(None))
                ).scalar_one()
                if held:
                    blocking.append(f"{other.name}.{col.name}")
                elif self.count(other.name):
                    outside_refs.add(fk.column.table.name)
        if blocking:
            raise BulkLoadError(
                "Không thể xóa dữ liệu: còn bản ghi khác tham chiếu tới (ví dụ tài khoản gắn với "
                "cơ sở đào tạo). Hãy xóa chúng trước.",
                "Cannot clear: other rows still refer to this data (for example accounts bound "
                "to an institution). Remove them first.",
                details={"referenced_by": sorted(blocking)},
            )
        ordered = [t for t in meta.sorted_tables if t.name in names]
        counts = {t.name: self.count(t.name) for t in ordered}
        if self.is_postgres:
            deleted = self._delete_closure(ordered, outside_refs)
            truncated = [t.name for t in ordered if t.name not in deleted]
            if truncated:
                quoted = ", ".join(self.quote(n) for n in truncated)
                self.conn.execute(text(f"TRUNCATE {quoted} CASCADE"))
            for t in reversed(ordered):
                if t.name in deleted:
                    self.conn.execute(t.delete())
        else:
            for t in reversed(ordered):
                self.conn.execute(t.delete())
        append(
            self.conn,
            [
                Change(self.actor, None, "bulk_clear", name, None, {"rows": rows}, None)
                for name, rows in counts.items()
            ],
        )
        return counts

    @contextmanager
    def deferred_constraints(self, tables: Iterable[str]) -> Iterator[list[str]]:
        """Load empty tables without per-row index and foreign-key upkeep (PostgreSQL).

        Foreign keys, unique constraints and secondary indexes of those tables are dropped, and
        on leaving the block rebuilt in one pass each (sorted index builds, one join per foreign
        key) — how pg_restore loads data. A duplicate or dangling row makes the rebuild fail and
        the whole transaction roll back, so the guarantees are the same. Unique constraints a
        foreign key depends on stay. Yields the statements that will rebuild. Tables that hold
        rows are left alone; on SQLite this does nothing.
        """
        names = [n for n in tables if self.count(n) == 0] if self.is_postgres else []
        if not names:
            yield []
            return
        regclasses = {"tables": [self.quote(n) for n in names]}
        constraints = self.conn.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.conname, c.contype, "
                "pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) "
                "AND c.contype IN ('f', 'u') "
                "AND NOT (c.contype = 'u' AND EXISTS (SELECT 1 FROM pg_constraint f "
                "WHERE f.contype = 'f' AND f.conindid = c.conindid)) "
                "ORDER BY c.contype, c.conrelid::regclass::text, c.conname"
            ),
            regclasses,
        ).all()
        indexes = self.conn.execute(
            text(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) "
                "AND NOT i.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
            ),
            regclasses,
        ).all()
        rebuild: list[str] = [str(definition) for _, definition in indexes]
        for table, name, kind, definition in sorted(constraints, key=lambda r: r[2] == "f"):
            q = self.quote
            rebuild.append(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
            del kind
        for table, name, _, _ in constraints:  # foreign keys first ('f' < 'u')
            self.conn.execute(
                text(f"ALTER TABLE {self.quote(table)} DROP CONSTRAINT {self.quote(name)}")
            )
        for index, _ in indexes:
            self.conn.execute(text(f"DROP INDEX {index}"))
        yield rebuild
        for setting in ("maintenance_work_mem = '512MB'", "work_mem = '256MB'", "jit = off"):
            self.conn.execute(text(f"SET LOCAL {setting}"))
        for statement in rebuild:
            self.conn.execute(text(statement))
        for name in names:
            self.conn.execute(text(f"ANALYZE {self.quote(name)}"))

    @staticmethod
    def _delete_closure(ordered: list[Table], seeds: set[str]) -> set[str]:
        """Tables to DELETE rather than TRUNCATE: the seeds and every table in the set they
        reference (TRUNCATE ... CASCADE of a referenced table would reach the seeds' referrers)."""
        names = {t.name for t in ordered}
        by_name = {t.name: t for t in ordered}
        closure = set(seeds)
        changed = True
        while changed:
            changed = False
            for name in list(closure):
                for fk in by_name[name].foreign_keys:
                    ref = fk.column.table.name
                    if ref in names and ref not in closure:
                        closure.add(ref)
                        changed = True
        return closure


@contextmanager
def bulk_connection(url: str, actor: str) -> Iterator[BulkLoader]:
    """One transaction on the owner's connection: everything loads, or nothing does."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                for pragma in ("synchronous=OFF", "temp_store=MEMORY", "cache_size=-262144"):
                    conn.exec_driver_sql(f"PRAGMA {pragma}")
                conn.commit()  # PRAGMAs outside the load's transaction
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT set_config('hemis.national', 'on', true)"))
                    conn.execute(text("SET LOCAL synchronous_commit = off"))
                loader = BulkLoader(conn, actor)
                yield loader
                loader.finish()
    finally:
        engine.dispose()
