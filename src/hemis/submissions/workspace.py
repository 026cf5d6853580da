"""One import's database work: a connection inside one transaction, temp staging tables filled
from polars frames, and query results read back into polars.

PostgreSQL: staging tables are filled with `COPY … FROM STDIN (FORMAT binary)` (encoded from
Arrow by pgpq) and large reads use `COPY (query) TO STDOUT`; the transaction runs with
`hemis.national` on, because tiers e and f read other institutions' rows — every write names the
importing institution explicitly. SQLite: `executemany` into temp tables and plain cursors; the
transaction is opened with BEGIN IMMEDIATE so no other writer can slip in between the checks and
the writes.

Either way nothing is committed until the caller commits: a crash or a kill leaves the database
as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Engine, TextClause, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from hemis.common.crypto import IdCipher
from hemis.db.types import UTCDateTime

COPY_BLOCK = 200_000
SQLITE_BLOCK = 50_000
_PG_TYPES = {
    pl.String: "text",
    pl.Int64: "bigint",
    pl.Int32: "integer",
    pl.Float64: "double precision",
    pl.Date: "date",
    pl.Boolean: "boolean",
    pl.Binary: "bytea",
}
_SQLITE_TYPES = {
    pl.String: "TEXT",
    pl.Int64: "INTEGER",
    pl.Int32: "INTEGER",
    pl.Float64: "REAL",
    pl.Date: "TEXT",
    pl.Boolean: "INTEGER",
    pl.Binary: "BLOB",
}
_PARAM = re.compile(r"(?<!:):(\w+)")
Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Period:
    id: int
    year: int
    cutoff_on: dt.date


@dataclass
class Workspace:
    """What the checks and the writes of one import share."""

    conn: Connection
    institution_id: int
    institution_code: str
    cipher: IdCipher
    as_of: dt.date
    actor: str
    period: Period | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    temp_tables: list[str] = field(default_factory=list)

    @property
    def postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    @property
    def may_skip_triggers(self) -> bool:
        return bool(self.conn.info.get("hemis_skip_triggers"))

    @property
    def may_copy_tenant(self) -> bool:
        """Whether COPY may write tenant tables: PostgreSQL refuses it where row-level security
        applies, so only a superuser or BYPASSRLS role (the owner role of bulk work) may."""
        return bool(self.conn.info.get("hemis_bypass_rls"))

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement; returns the rows it affected."""
        result = self.conn.execute(_statement(sql, params), dict(params or {}))
        return int(result.rowcount or 0)

    def scalar(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.conn.execute(_statement(sql, params), dict(params or {})).scalar()

    # --- staging --------------------------------------------------------------------------------

    def stage(self, name: str, frame: pl.DataFrame) -> str:
        """A fresh temp table `name` holding the frame; returns the name."""
        types = _PG_TYPES if self.postgres else _SQLITE_TYPES
        columns = ", ".join(f"{c} {types[_base(t)]}" for c, t in frame.schema.items())
        if name in self.temp_tables:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        else:
            self.temp_tables.append(name)
        if self.postgres:
            self.conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")
            self._copy_in(name, frame)
        else:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
            self.conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns})")
            self._insert_many(name, frame)
        return name

    def _copy_in(self, name: str, frame: pl.DataFrame) -> None:
        raw: Any = self.conn.connection.driver_connection
        sql = f"COPY {name} ({', '.join(frame.columns)}) FROM STDIN (FORMAT binary)"
        # (an empty frame still sends one block: a binary COPY needs its header)
        offsets = range(0, max(frame.height, 1), COPY_BLOCK)
        blocks = (frame.slice(offset, COPY_BLOCK) for offset in offsets)
        with raw.cursor() as cur, cur.copy(sql, writer=_queued(cur)) as copy:
            _write_binary(copy, blocks)  # the frame's types are the staging table's

    def copy_rows(
        self,
        table: str,
        columns: Sequence[str],
        chunks: Iterator[pl.DataFrame],
        constants: Mapping[str, Any],
    ) -> bool:
        """COPY chunks (with `columns`) straight into a table (PostgreSQL), constant columns
        (timestamps) added, inside a savepoint; False, and nothing written, if a unique key was
        taken meanwhile. The next chunk is prepared while the server writes the last one.

        The rows go in PostgreSQL's binary COPY format (encoded from Arrow by pgpq, each column
        cast to its column's exact type): the server then parses no text — no bytea hex, no
        dates — which was a third of its time per row."""
        import psycopg

        raw: Any = self.conn.connection.driver_connection
        names = [*columns, *constants]
        types = copy_types(table, names)
        typed = (
            chunk.select(columns)
            .with_columns(pl.lit(v).alias(k) for k, v in constants.items())
            .select(pl.col(n).cast(types[n]) for n in names)
            for chunk in chunks
        )
        try:
            with (
                self.conn.begin_nested(),
                raw.cursor() as cur,
                cur.copy(
                    f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT binary)",
                    writer=_queued(cur),
                ) as copy,
            ):
                _write_binary(copy, typed)
        except psycopg.errors.UniqueViolation:
            return False
        return True

    def _insert_many(self, name: str, frame: pl.DataFrame) -> None:
        marks = ", ".join("?" for _ in frame.columns)
        sql = f"INSERT INTO temp.{name} ({', '.join(frame.columns)}) VALUES ({marks})"  # noqa: S608
        raw: Any = self.conn.connection.driver_connection
        cursor = raw.cursor()
        try:
            for offset in range(0, frame.height, SQLITE_BLOCK):
                cursor.executemany(sql, _sqlite_values(frame.slice(offset, SQLITE_BLOCK)).rows())
        finally:
            cursor.close()

    def drop_temp(self) -> None:
        """Drop the staging tables (PostgreSQL drops them at commit anyway)."""
        if not self.postgres:
            for name in self.temp_tables:
                self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
        self.temp_tables.clear()

    # --- reading --------------------------------------------------------------------------------

    def fetch(self, sql: str, params: Mapping[str, Any], schema: Schema) -> pl.DataFrame:
        """Rows of a query as a frame with `schema` (column names and polars types, in order)."""
        if self.postgres:
            return self._copy_out(sql, params, schema)
        rows = self.conn.execute(text(sql), dict(params)).all()
        frame = pl.DataFrame(
            [list(r) for r in rows],
            schema=dict.fromkeys(schema, pl.Object),
            orient="row",
        )
        return _coerce_objects(frame, schema)

    def _copy_out(self, sql: str, params: Mapping[str, Any], schema: Schema) -> pl.DataFrame:
        """`COPY (query) TO STDOUT` as CSV, parsed by polars straight into the wanted types
        (booleans and bytea, which PostgreSQL writes as t/f and \\x-hex, are read as text and
        converted)."""
        raw: Any = self.conn.connection.driver_connection
        query = _PARAM.sub(r"%(\1)s", sql)
        statement = f"COPY ({query}) TO STDOUT (FORMAT csv)"
        buffer = io.BytesIO()
        with raw.cursor() as cur, cur.copy(statement, dict(params)) as copy:
            for block in copy:
                buffer.write(block)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=dict(schema))
        as_text = {pl.Boolean, pl.Binary}
        read = {name: pl.String if dtype in as_text else dtype for name, dtype in schema.items()}
        buffer.seek(0)
        frame = pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=read)
        del buffer
        converted = []
        for name, dtype in schema.items():
            if dtype == pl.Boolean:
                converted.append((pl.col(name) == "t").alias(name))
            elif dtype == pl.Binary:
                converted.append(pl.col(name).str.slice(2).str.decode("hex").alias(name))
        return frame.with_columns(converted) if converted else frame


def _statement(sql: str, params: Mapping[str, Any] | None) -> TextClause:
    """`text(sql)` with timestamps bound as the ORM stores them (UTC; naive text on SQLite)."""
    stamps = [
        k
        for k, v in (params or {}).items()
        if isinstance(v, dt.datetime) and re.search(rf":{k}\b", sql)
    ]
    return text(sql).bindparams(*(bindparam(k, type_=UTCDateTime()) for k in stamps))


def _queued(cur: Any) -> Any:
    """psycopg's queued COPY writer: a thread feeds the server while this one encodes (and
    encrypts) the next chunk, so the server is not left idle between chunks. Its queue is
    bounded (about 128 MB)."""
    from psycopg.copy import QueuedLibpqWriter

    return QueuedLibpqWriter(cur)


def _write_binary(copy: Any, frames: Iterator[pl.DataFrame]) -> None:
    """Frames into an open `COPY … (FORMAT binary)`, encoded from Arrow by pgpq. Each frame's
    types must be the target columns' own (binary COPY converts nothing)."""
    from pgpq import ArrowToPostgresBinaryEncoder

    encoder: ArrowToPostgresBinaryEncoder | None = None
    for frame in frames:
        batch = frame.to_arrow()
        if encoder is None:
            encoder = ArrowToPostgresBinaryEncoder(batch.schema)
            copy.write(encoder.write_header())
        for part in batch.to_batches():
            copy.write(encoder.write_batch(part))
    if encoder is not None:
        copy.write(encoder.finish())


def copy_types(table: str, names: Sequence[str]) -> dict[str, Any]:
    """The polars type of each named column of a registry table, matching its PostgreSQL type
    exactly (binary COPY accepts nothing else: int2 is not int8, numeric is not float8)."""
    import hemis.models  # noqa: F401 - every table on the metadata
    from hemis.db.base import Base

    columns = Base.metadata.tables[table].c
    return {name: _polars_type(columns[name].type) for name in names}


def _polars_type(column_type: Any) -> Any:
    from sqlalchemy import types as sa

    if isinstance(column_type, UTCDateTime):
        return pl.Datetime("us", "UTC")
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float):
        return pl.Decimal(column_type.precision, column_type.scale or 0)
    for sa_type, pl_type in (
        (sa.BigInteger, pl.Int64),
        (sa.SmallInteger, pl.Int16),
        (sa.Integer, pl.Int32),
        (sa.Boolean, pl.Boolean),
        (sa.Date, pl.Date),
        (sa.LargeBinary, pl.Binary),
        (sa.String, pl.String),
        (sa.Float, pl.Float64),
    ):
        if isinstance(column_type, sa_type):
            return pl_type
    raise TypeError(f"no COPY type for {column_type!r}")


def _base(dtype: Any) -> Any:
    return dtype.base_type() if hasattr(dtype, "base_type") else dtype


def _sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    out = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            out.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            out.append(pl.col(name).cast(pl.Int8))
        else:
            out.append(pl.col(name))
    return frame.select(out)


def _coerce_objects(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """Python values from a SQLite cursor into the wanted types."""
    columns = []
    for name, dtype in schema.items():
        values = frame[name].to_list()
        if dtype == pl.Date:
            values = [dt.date.fromisoformat(v[:10]) if isinstance(v, str) else v for v in values]
        elif dtype == pl.Boolean:
            values = [None if v is None else bool(v) for v in values]
        elif dtype == pl.Float64:
            values = [None if v is None else float(v) for v in values]
        columns.append(pl.Series(name, values, dtype=dtype))
    return pl.DataFrame(columns, schema=dict(schema))


@contextmanager
def transaction(engine: Engine, institution_id: int) -> Iterator[Connection]:
    """One transaction for an import; rolled back unless the caller commits."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.begin()
            try:
                with conn.begin_nested():
                    # Only possible before the session's first temp table; a pooled connection
                    # may have had one already, and then the default stays.
                    conn.exec_driver_sql("SET LOCAL temp_buffers = '256MB'")
            except DBAPIError:
                pass
            conn.info["hemis_skip_triggers"] = _may_skip_triggers(conn)
            conn.info["hemis_bypass_rls"] = bool(
                conn.exec_driver_sql(
                    "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
                ).scalar()
            )
            conn.execute(
                text(
                    "SELECT set_config('hemis.national', 'on', true), "
                    "set_config('hemis.institution_id', '', true), "
                    "set_config('work_mem', '64MB', true), "
                    "pg_advisory_xact_lock(7441, CAST(:iid AS integer))"
                ),
                {"iid": institution_id % 2_000_000_000},
            )
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        finally:
            if conn.in_transaction():
                conn.rollback()


def _may_skip_triggers(conn: Connection) -> bool:
    """Whether this role may set session_replication_role (a superuser, or a role granted SET
    on it): then large writes whose references were checked and locked by the import itself
    skip the per-row foreign-key triggers (apply.py)."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
    except DBAPIError:
        return False
    return True


def national(conn: Connection) -> None:
    """A national scope for this transaction (row-level security on PostgreSQL): for system
    work that names its institution explicitly in every statement."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', true)")


Progress = Callable[[str, int, int], None]


def no_progress(phase: str, done: int, total: int) -> None:
    """A progress callback that reports nowhere."""
