"""Logical backups and restores of the whole database, checked by a manifest.

A backup is one file (an SQLite database copied online with the backup API, or a `pg_dump
--format=custom` archive) and a manifest next to it: each table's row count at the moment of the
backup, the schema revision, the file's SHA-256 and the tools' versions. A restore refuses a
file whose checksum differs (nothing is touched), and afterwards counts every table again and
compares with the manifest. Files are written under a temporary name and renamed at the end,
so a failed backup leaves no partial file behind.

The physical procedure for large installs (base backup + WAL archiving, point-in-time recovery)
is in docs/backup.md; it needs the cluster's configuration, not this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from hemis.errors import HemisError

MANIFEST_SUFFIX = ".manifest.json"


class BackupRefused(HemisError):
    """A backup or restore that cannot go ahead; nothing was changed."""

    code = "backup.refused"
    status = 400


@dataclass(frozen=True)
class Manifest:
    backend: str  # sqlite | postgresql
    created_at: str
    alembic_revision: str | None
    tables: dict[str, int]
    sha256: str
    size_bytes: int
    tools: dict[str, str]
    roles: list[str] = field(default_factory=list)  # PostgreSQL roles the grants name

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            backend=str(data["backend"]),
            created_at=str(data["created_at"]),
            alembic_revision=data.get("alembic_revision"),
            tables={str(k): int(v) for k, v in data["tables"].items()},
            sha256=str(data["sha256"]),
            size_bytes=int(data["size_bytes"]),
            tools={str(k): str(v) for k, v in data.get("tools", {}).items()},
            roles=[str(r) for r in data.get("roles", [])],
        )


@dataclass(frozen=True)
class Snapshot:
    """What a backup saw: the counts and revision of the copy, and (PostgreSQL) the roles."""

    tables: dict[str, int]
    alembic_revision: str | None
    tools: dict[str, str]
    roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    restored: dict[str, int]
    alembic_revision: str | None

    @property
    def differences(self) -> dict[str, tuple[int | None, int | None]]:
        """table → (rows in the manifest, rows restored), for every table that differs."""
        names = self.manifest.tables.keys() | self.restored.keys()
        return {
            t: (self.manifest.tables.get(t), self.restored.get(t))
            for t in sorted(names)
            if self.manifest.tables.get(t) != self.restored.get(t)
        }

    @property
    def ok(self) -> bool:
        return not self.differences


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def backend_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name in ("postgresql", "postgres"):
        return "postgresql"
    if name == "sqlite":
        return "sqlite"
    raise BackupRefused(
        f"Không hỗ trợ sao lưu cơ sở dữ liệu loại {name}.",
        f"Backing up a {name} database is not supported.",
    )


def backup(url: str, out: Path) -> Manifest:
    """Back up the database at `url` (the owner's URL) into `out` and its manifest."""
    out = out.expanduser()
    if out.exists() and out.is_dir():
        raise BackupRefused(f"{out} là một thư mục.", f"{out} is a directory.")
    if not out.parent.is_dir():
        raise BackupRefused(
            f"Thư mục {out.parent} không tồn tại.", f"Directory {out.parent} does not exist."
        )
    backend = backend_of(url)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    tmp_manifest = out.with_name(f".{out.name}.{os.getpid()}.manifest.partial")
    try:
        if backend == "sqlite":
            snapshot = _sqlite_backup(_sqlite_path(url), tmp)
        else:
            from hemis.db import backup_pg

            snapshot = backup_pg.dump(url, tmp)
        digest, size = file_digest(tmp)
        manifest = Manifest(
            backend=backend,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            alembic_revision=snapshot.alembic_revision,
            tables=snapshot.tables,
            sha256=digest,
            size_bytes=size,
            tools={"hemis": version("hemis"), **snapshot.tools},
            roles=snapshot.roles,
        )
        tmp_manifest.write_text(manifest.to_json(), encoding="utf-8")
        # The manifest first: a backup file present always has its manifest.
        tmp_manifest.replace(manifest_path(out))
        tmp.replace(out)
        return manifest
    except OSError as exc:  # a full disk, no permission: said plainly, the partial file removed
        raise BackupRefused(
            f"Không ghi được bản sao lưu {out}: {exc.strerror or exc}.",
            f"Cannot write the backup {out}: {exc.strerror or exc}.",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
        tmp_manifest.unlink(missing_ok=True)


def read_backup(source: Path) -> Manifest:
    """The manifest of a backup whose file is present and unchanged; refused otherwise."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupRefused(
            f"Không tìm thấy tệp sao lưu {source}.", f"Backup file {source} not found."
        )
    mpath = manifest_path(source)
    try:
        manifest = Manifest.from_json(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupRefused(
            f"Thiếu tệp kê khai {mpath.name} bên cạnh bản sao lưu.",
            f"The manifest {mpath.name} is missing next to the backup.",
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupRefused(
            f"Tệp kê khai {mpath.name} bị hỏng.", f"The manifest {mpath.name} is corrupt."
        ) from None
    digest, size = file_digest(source)
    if digest != manifest.sha256 or size != manifest.size_bytes:
        raise BackupRefused(
            f"Tệp sao lưu {source.name} bị hỏng hoặc bị thay đổi (mã băm khác tệp kê khai).",
            f"Backup file {source.name} is corrupt or changed (its hash differs from the"
            " manifest).",
        )
    return manifest


def restore(url: str, source: Path, *, force: bool = False) -> RestoreResult:
    """Restore `source` into the database at `url` (the owner's URL), then count again."""
    manifest = read_backup(source)
    backend = backend_of(url)
    if manifest.backend != backend:
        raise BackupRefused(
            f"Bản sao lưu là của {manifest.backend}, cơ sở dữ liệu đích là {backend}.",
            f"The backup is of {manifest.backend}, the target database is {backend}.",
        )
    if backend == "sqlite":
        restored, revision = _sqlite_restore(source.expanduser(), _sqlite_path(url), force=force)
    else:
        from hemis.db import backup_pg

        restored, revision = backup_pg.restore(url, source.expanduser(), manifest, force=force)
    return RestoreResult(manifest, restored, revision)


def file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupRefused(
            "Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.",
            "An in-memory SQLite database cannot be backed up.",
        )
    return Path(database)


def _sqlite_backup(path: Path, tmp: Path) -> Snapshot:
    if not path.is_file():
        raise BackupRefused(
            f"Không tìm thấy cơ sở dữ liệu {path}.", f"Database file {path} not found."
        )
    src = sqlite3.connect(path)
    dst = sqlite3.connect(tmp)
    try:
        # The backup API copies a consistent image while the application keeps writing.
        src.backup(dst)
        # One self-contained file: no -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        tables, revision = _sqlite_counts(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(
            f"Không sao lưu được cơ sở dữ liệu {path}: {exc}.",
            f"Cannot back up the database {path}: {exc}.",
        ) from None
    finally:
        dst.close()
        src.close()
    return Snapshot(tables, revision, {"sqlite": sqlite3.sqlite_version})


def _sqlite_counts(conn: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    tables = {n: _sqlite_rows(conn, n) for n in names}
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = None if row is None else str(row[0])
    return tables, revision


def _sqlite_rows(conn: sqlite3.Connection, name: str) -> int:
    quoted = '"' + name.replace('"', '""') + '"'  # a name read from sqlite_master itself
    return int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])  # noqa: S608


def _sqlite_restore(
    source: Path, target: Path, *, force: bool
) -> tuple[dict[str, int], str | None]:
    if not target.parent.is_dir():
        raise BackupRefused(
            f"Thư mục {target.parent} của cơ sở dữ liệu đích không tồn tại.",
            f"The target database's directory {target.parent} does not exist.",
        )
    src = _open_sqlite_backup(source)
    try:
        existing = _sqlite_table_count(target) if target.exists() else 0
        if existing and not force:
            raise BackupRefused(
                f"Cơ sở dữ liệu đích {target} không trống ({existing} bảng); dùng --force để"
                " ghi đè.",
                f"The target database {target} is not empty ({existing} tables); use --force"
                " to overwrite it.",
            )
        dst = sqlite3.connect(target)
        try:
            # Page by page inside one transaction: a reader sees the old or the new database.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            return _sqlite_counts(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _open_sqlite_backup(source: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError:
        check = None
    if check is None or check[0] != "ok":
        conn.close()
        raise BackupRefused(
            f"Tệp sao lưu {source.name} không phải cơ sở dữ liệu SQLite hợp lệ.",
            f"Backup file {source.name} is not a valid SQLite database.",
        )
    return conn


def _sqlite_table_count(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row: Any = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise BackupRefused(
            f"Cơ sở dữ liệu đích {path} không đọc được.",
            f"The target database {path} is unreadable.",
        ) from None
    return int(row[0])
