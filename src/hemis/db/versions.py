"""Row versions: how an update reads its row and checks the version its client read.

An update reads its row with `locked(...)`: SELECT … FOR UPDATE on PostgreSQL, so concurrent
writers of one row take turns and each reads what the previous one committed (SQLite has one
writer at a time; there the version counter of db/base.py refuses a write over a change made
between the read and the write). `Precondition.check` then compares the row's version with the
one the client read — the API's If-Match (web/versions.py) or a page form's hidden field.
Together: every update that succeeds was made on the committed row, which is what the audit
log records as "before", and no client overwrites a change it never saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select

from hemis.db.base import Versioned, versioned_tables
from hemis.errors import PreconditionFailed, PreconditionRequired

S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True)
class Precondition:
    """The versions of a row an update may replace.

    `versions` are those the client read (If-Match may list several); None when it said none,
    which `required` refuses (the API requires it; internal callers that read the row in their
    own transaction need not say)."""

    versions: frozenset[int] | None = None
    required: bool = False

    def check(self, row: Versioned) -> None:
        if self.versions is None:
            if self.required:
                raise PreconditionRequired()
            return
        if row.row_version not in self.versions:
            raise PreconditionFailed()


ANY = Precondition()


def at_version(version: int | None) -> Precondition:
    """The precondition of a page form: the version of the record it was rendered with (None
    if the record did not exist then, so that a record created meanwhile is not overwritten
    either)."""
    return Precondition(frozenset() if version is None else frozenset({version}), required=True)


# What a page says when its form was rendered from a version someone has since replaced.
STALE_FORM = (
    "Bản ghi đã được thay đổi sau khi bạn mở trang này. Trang dưới đây hiện giá trị mới nhất; "
    "hãy kiểm tra rồi lưu lại nếu vẫn cần thay đổi.",
    "This record was changed after you opened this page. The page below shows the latest "
    "values; check them and save again if your change is still needed.",
)


def locked(stmt: S) -> S:
    """`stmt` taking row locks until commit (PostgreSQL; ignored by SQLite) and reading the
    committed values even of rows the session already holds."""
    return stmt.with_for_update().execution_options(populate_existing=True)


@cache
def _versioned() -> frozenset[str]:
    import hemis.models  # noqa: F401 - every table on the metadata

    return frozenset(versioned_tables())


def bump(table: str) -> list[str]:
    """The SET assignment a set-based UPDATE (or upsert) of `table` adds so that each row it
    changes gets a new version, as an ORM update would (none for a table without versions).
    Without it a client holding the old ETag could overwrite what a bulk import wrote."""
    return [f"row_version = {table}.row_version + 1"] if table in _versioned() else []
