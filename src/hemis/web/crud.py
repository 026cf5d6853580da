"""Generic list helpers of the REST API: equality filters, sorting and cursor pagination.

A list endpoint takes a `ListQuery` subclass as its query parameters (limit, cursor, sort and the
entity's filters) and answers a `Page`: `{items, next_cursor}`. Pagination is by keyset, ordered
by the sort column then `id`, so a walk with `next_cursor` sees every row exactly once even while
rows are being added. The cursor is opaque to clients: base64url of JSON holding the sort key, the
last row's sort value and its id.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, and_, inspect, or_, select
from sqlalchemy.orm import Session

from hemis.errors import ValidationFailed

BIGINT_MAX = 2**63 - 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 500

# Query parameters that steer the listing; every other field of a ListQuery is a filter.
_CONTROL = frozenset({"limit", "cursor", "sort", "lang"})

R = TypeVar("R", bound=BaseModel)


class ListQuery(BaseModel):
    """Query parameters shared by every list endpoint; subclasses add equality filters.

    `sort_fields` maps the public sort names to column attributes; only NOT NULL columns are
    listed, because keyset pagination over NULLs would need a different comparison.
    """

    # Unknown parameters are refused, so a misspelt filter never silently returns everything.
    model_config = ConfigDict(extra="forbid")

    sort_fields: ClassVar[dict[str, str]] = {"id": "id"}

    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1–500, default 50)."
    )
    cursor: str | None = Field(
        None, max_length=512, description="Opaque `next_cursor` of the previous page."
    )
    sort: str | None = Field(
        None,
        max_length=64,
        description="Sort field; prefix with `-` for descending. Default: `id`.",
    )
    lang: Literal["vi", "en"] | None = Field(None, description="Language of error messages.")

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str | None) -> str | None:
        if value is not None and value.removeprefix("-") not in cls.sort_fields:
            allowed = ", ".join(sorted(cls.sort_fields))
            raise ValueError(f"unknown sort field; allowed: {allowed} (prefix - for descending)")
        return value

    def filters(self) -> dict[str, Any]:
        """The equality filters that were given (None means 'not filtered')."""
        return {
            name: value
            for name, value in self.model_dump(exclude=set(_CONTROL)).items()
            if value is not None
        }

    def sort_key(self) -> tuple[str, bool]:
        """(public sort name, descending)."""
        value = self.sort or "id"
        return value.removeprefix("-"), value.startswith("-")


class Page(BaseModel, Generic[R]):
    items: list[R]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(
        "Con trỏ phân trang không hợp lệ.",
        "The pagination cursor is not valid.",
        details=[
            {
                "field": "cursor",
                "code": "cursor.invalid",
                "message": "Con trỏ phân trang không hợp lệ.",
                "message_en": "Use the next_cursor of a previous page with the same sort.",
            }
        ],
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def encode_cursor(sort_name: str, value: Any, row_id: int) -> str:
    raw = json.dumps([sort_name, _jsonable(value), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _typed(value: Any, python_type: type[Any]) -> Any:
    """The cursor value converted back to the column's type; ValueError if it cannot be."""
    if python_type is dt.date:
        if not isinstance(value, str):
            raise ValueError("date expected")
        return dt.date.fromisoformat(value)
    if python_type is bool:
        if not isinstance(value, bool):
            raise ValueError("bool expected")
        return value
    if python_type is int:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > BIGINT_MAX:
            raise ValueError("int expected")
        return value
    if python_type is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("number expected")
        if not math.isfinite(value):
            raise ValueError("finite number expected")
        return float(value)
    if python_type is str:
        # PostgreSQL refuses NUL in text: a forged cursor must not reach the database with one.
        if not isinstance(value, str) or "\x00" in value:
            raise ValueError("str expected")
        return value
    raise ValueError("unsupported sort type")


def decode_cursor(cursor: str, sort_name: str, python_type: type[Any]) -> tuple[Any, int]:
    """(sort value, id) of a cursor made for this sort; ValidationFailed otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, row_id = json.loads(raw)
        if name != sort_name:
            raise ValueError("cursor of another sort")
        typed = _typed(value, python_type)
        row_id = _typed(row_id, int)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        # json.JSONDecodeError is a ValueError; unpacking a wrong shape is a ValueError/TypeError.
        raise _invalid_cursor() from None
    return typed, row_id


def paginate(
    session: Session,
    model: type[Any],
    query: ListQuery,
    stmt: Select[Any] | None = None,
) -> tuple[list[Any], str | None]:
    """One page of `model` rows matching the query's filters; (rows, next cursor)."""
    stmt = select(model) if stmt is None else stmt
    columns = inspect(model).columns
    for name, value in query.filters().items():
        stmt = stmt.where(columns[name] == value)
    sort_name, descending = query.sort_key()
    sort_col = columns[query.sort_fields[sort_name]]
    id_col = columns["id"]
    same = sort_col is id_col
    if query.cursor is not None:
        value, last_id = decode_cursor(query.cursor, sort_name, sort_col.type.python_type)
        if descending:
            after = (
                id_col < last_id
                if same
                else or_(sort_col < value, and_(sort_col == value, id_col < last_id))
            )
        else:
            after = (
                id_col > last_id
                if same
                else or_(sort_col > value, and_(sort_col == value, id_col > last_id))
            )
        stmt = stmt.where(after)
    keys = [id_col] if same else [sort_col, id_col]
    stmt = stmt.order_by(*(k.desc() if descending else k.asc() for k in keys))
    rows = list(session.scalars(stmt.limit(query.limit + 1)))
    if len(rows) <= query.limit:
        return rows, None
    rows = rows[: query.limit]
    last = rows[-1]
    attr = query.sort_fields[sort_name]
    return rows, encode_cursor(sort_name, getattr(last, attr), last.id)


def page_of(rows: Sequence[Any], next_cursor: str | None, read: type[R]) -> Page[R]:
    """A Page of Read schemas built from ORM rows."""
    return Page[read](  # type: ignore[valid-type]
        items=[read.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=next_cursor,
    )
