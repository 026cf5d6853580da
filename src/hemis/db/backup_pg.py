"""PostgreSQL side of hemis.db.backup: pg_dump and pg_restore, counted in the dump's snapshot.

The counts are taken in a repeatable-read transaction whose snapshot pg_dump then shares
(`--snapshot`), so the manifest describes exactly the rows in the archive even while the
application keeps writing. Both tools run with `hemis.national=on`: tenant tables force
row-level security, and a dump must see every institution's rows (pg_dump runs with
`--enable-row-security` so that an owner who is no superuser can dump at all; every policy lets
`hemis.national=on` see all rows, and the manifest's counts are taken under the same policies).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from hemis.db.backup import BackupRefused, Manifest, Snapshot

if TYPE_CHECKING:
    from collections.abc import Sequence

SCHEMA = "public"


def dump(url: str, tmp: Path) -> Snapshot:
    conninfo, env = _libpq(url)
    try:
        conn = psycopg.connect(conninfo, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise _unreachable(exc) from None
    with conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            conn.execute("SELECT set_config('hemis.national', 'on', true)")
            row = conn.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = row.fetchone() or ("", "")
            tables, revision = _counts(conn)
            roles = _roles(conn)
            _run(
                [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                 "--enable-row-security",  # an owner that is no superuser: policies, national
                 f"--file={tmp}", "--no-password", f"--dbname={conninfo}"],
                env,
            )  # fmt: skip
    return Snapshot(
        tables, revision, {"postgresql": str(server), "pg_dump": _tool_version("pg_dump")}, roles
    )


def restore(
    url: str, source: Path, manifest: Manifest, *, force: bool
) -> tuple[dict[str, int], str | None]:
    conninfo, env = _libpq(url)
    try:
        conn = psycopg.connect(conninfo, connect_timeout=10, autocommit=True)
    except psycopg.OperationalError as exc:
        raise _unreachable(exc) from None
    with conn:
        existing = _table_count(conn)
        if existing and not force:
            raise BackupRefused(
                f"Cơ sở dữ liệu đích không trống ({existing} bảng); dùng --force để ghi đè.",
                f"The target database is not empty ({existing} tables); use --force to"
                " overwrite it.",
            )
        wanted = set(manifest.roles)
        found = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles").fetchall()}
        missing = sorted(wanted - found)
        if missing:
            names = ", ".join(missing)
            raise BackupRefused(
                f"Thiếu vai trò {names} trên cụm đích. Vai trò thuộc cả cụm PostgreSQL, không nằm"
                " trong bản sao lưu: tạo trước (CREATE ROLE … LOGIN) rồi khôi phục lại.",
                f"Role(s) {names} missing on the target cluster. Roles are cluster-wide and not"
                " in a database backup: create them first (CREATE ROLE … LOGIN), then restore.",
            )
    args = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
            "--no-password", f"--dbname={conninfo}"]  # fmt: skip
    if existing:
        args += ["--clean", "--if-exists"]
    # One transaction: a restore that fails part-way leaves the target as it was.
    _run([*args, str(source)], env)
    with psycopg.connect(conninfo, connect_timeout=10) as conn, conn.transaction():
        conn.execute("SELECT set_config('hemis.national', 'on', true)")
        return _counts(conn)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment carrying it to the tools."""
    parsed = make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c hemis.national=on".strip()
    conninfo = parsed.set(password=None).render_as_string(hide_password=False)
    return conninfo, env


def _counts(conn: psycopg.Connection[tuple[object, ...]]) -> tuple[dict[str, int], str | None]:
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (SCHEMA,)
        ).fetchall()
    ]
    tables: dict[str, int] = {}
    for name in names:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(SCHEMA, name))
        row = conn.execute(query).fetchone()
        tables[name] = int(str(row[0])) if row else 0
    revision = None
    if "alembic_version" in tables:
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = None if found is None else str(found[0])
    return tables, revision


def _roles(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    """Roles the schema's grants and policies name (other than the owner): they live in the
    cluster, not in the dump, and must exist where it is restored."""
    rows = conn.execute(
        "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
        "WHERE table_schema = %s AND grantee NOT IN ('PUBLIC', current_user) "
        "UNION SELECT DISTINCT unnest(roles)::text FROM pg_policies WHERE schemaname = %s",
        (SCHEMA, SCHEMA),
    ).fetchall()
    return sorted({str(r[0]) for r in rows} - {"public", "PUBLIC"})


def _table_count(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (SCHEMA,))
    found = row.fetchone()
    return int(str(found[0])) if found else 0


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupRefused(
            f"Không tìm thấy {name}: cài gói postgresql-client cùng phiên bản với máy chủ.",
            f"{name} not found: install the postgresql-client package of the server's version.",
        )
    return path


def _tool_version(name: str) -> str:
    out = subprocess.run(  # noqa: S603 - a resolved tool path, no shell
        [_tool(name), "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"\d+(?:\.\d+)+", out.stdout) if out.returncode == 0 else None
    return found.group(0) if found else "unknown"


def _run(args: Sequence[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(args[0]).name
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupRefused(
            f"{tool} thất bại (mã {done.returncode}); không có gì bị thay đổi.",
            f"{tool} failed (exit {done.returncode}); nothing was changed.",
            details=tail,
        )


def _unreachable(exc: psycopg.OperationalError) -> BackupRefused:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return BackupRefused(
        "Không kết nối được cơ sở dữ liệu (cơ sở dữ liệu đích phải được tạo trước: CREATE"
        " DATABASE).",
        "Cannot connect to the database (a target database must be created first: CREATE"
        " DATABASE).",
        details=first,
    )
