"""Bulk reads and writes of admissions data on the session's own connection.

PostgreSQL: `COPY (SELECT …) TO STDOUT` read by polars, and `COPY … FROM STDIN` for writes, on the
connection the session already uses (so the tenancy settings of that transaction apply and
row-level security still filters). SQLite: plain fetches and executemany. Parameters are integers
only and inlined as SQL literals (COPY takes no bind parameters).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import text
from sqlalchemy.orm import Session

BLOCK = 200_000
GROUPS = 1024  # text blocks a bulk read travels in


def _inline(sql: str, params: Mapping[str, int]) -> str:
    for name, value in params.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"only integer parameters can be inlined ({name})")
        sql = sql.replace(f":{name}", str(int(value)))
    return sql


def is_postgres(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def read_frame(
    session: Session, sql: str, schema: Mapping[str, Any], params: Mapping[str, int] | None = None
) -> pl.DataFrame:
    """The rows of a SELECT as a polars frame with the given column types, in no set order.

    The SELECT's columns are named as `schema`'s keys, the first one an integer, and no value
    holds a comma or a line break (ids, numbers and codes); an empty text reads as null. On
    PostgreSQL the rows travel as
    about a thousand text blocks joined by the server: COPY sends one message per row, and
    millions of messages cost far more in the client than the data itself."""
    query = _inline(sql, params or {})
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        names = list(schema)
        line = " || ',' || ".join(f"coalesce(q.{name}::text, '')" for name in names)
        aggregate = f"SELECT string_agg({line}, E'\\n') FROM ("  # noqa: S608
        blocks = f"{aggregate}{query}) AS q GROUP BY q.{names[0]} % {GROUPS}"
        raw: Any = conn.connection.driver_connection
        buffer = io.BytesIO()
        with raw.cursor() as cur, cur.copy(f"COPY ({blocks}) TO STDOUT") as copy:
            for block in copy:
                buffer.write(bytes(block).replace(b"\\n", b"\n"))
        if buffer.tell() == 0:
            return pl.DataFrame(schema=dict(schema))
        buffer.seek(0)
        return pl.read_csv(
            buffer, has_header=False, new_columns=names, schema_overrides=dict(schema)
        )
    rows = conn.execute(text(query)).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=dict(schema), orient="row")


def write_frame(
    session: Session,
    table: str,
    frame: pl.DataFrame,
    *,
    use_copy: bool = True,
    staged: bool = False,
) -> None:
    """Insert the frame's rows (columns named as the table's) on the session's connection.

    PostgreSQL refuses COPY FROM into a table under row-level security: for those, `staged=True`
    copies into a temporary twin and inserts from it in one statement (the policy's WITH CHECK
    applies to that insert), or `use_copy=False` inserts row by row (small frames)."""
    if frame.height == 0:
        return
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in frame.columns)
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "postgresql" and staged:
        stage = quote(f"stage_{table}")
        with raw.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS pg_temp.{stage}")
            cur.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608 (names ours)
                f"SELECT {columns} FROM {quote(table)} WITH NO DATA"
            )
        _copy(raw, stage, columns, frame)
        with raw.cursor() as cur:
            cur.execute(
                f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {stage}"  # noqa: S608
            )
            cur.execute(f"DROP TABLE {stage}")
        return
    if conn.dialect.name == "postgresql" and not use_copy:
        marks = ", ".join("%s" for _ in frame.columns)
        sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})"  # noqa: S608
        with raw.cursor() as cur:
            for offset in range(0, frame.height, BLOCK):
                cur.executemany(sql, frame.slice(offset, BLOCK).rows())
        return
    if conn.dialect.name == "postgresql":
        _copy(raw, quote(table), columns, frame)
        return
    marks = ", ".join("?" for _ in frame.columns)
    cursor = raw.cursor()
    try:
        sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})"  # noqa: S608
        for offset in range(0, frame.height, BLOCK):
            cursor.executemany(sql, frame.slice(offset, BLOCK).rows())
    finally:
        cursor.close()


def _copy(raw: Any, table: str, columns: str, frame: pl.DataFrame) -> None:
    sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)"
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for offset in range(0, frame.height, BLOCK):
            buffer = io.BytesIO()
            frame.slice(offset, BLOCK).write_csv(buffer, include_header=False)
            copy.write(buffer.getvalue())
