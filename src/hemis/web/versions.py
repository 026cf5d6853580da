"""ETag and If-Match on the API: the row version (db/base.py Versioned) on the wire.

Every read of a versioned record answers `ETag: "<row_version>"`; every update must send
`If-Match` with the ETag it read. The write is refused with 412 (`precondition.failed`) when
the record changed since, and with 428 (`precondition.required`) when the header is missing —
also `If-Match: *`, which would skip the very check it is for. A row the caller cannot see
answers 404 before any of this. The ETag is strong and names the version of the record itself
(not of records shown inside it, such as a learner's person).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Header, Response

from hemis.db.base import Versioned
from hemis.db.versions import Precondition

V = TypeVar("V", bound=Versioned)

_TAG = re.compile(r'\s*"([0-9]{1,18})"\s*')
IF_MATCH = "If-Match"
_IF_MATCH_DOC = (
    "Required. The ETag of the record as you read it (GET answers it in the ETag header). "
    "The update is refused with 412 if the record changed since, with 428 if the header is "
    "missing; `*` is not accepted."
)


def parse_if_match(value: str | None) -> Precondition:
    """The versions an If-Match header names (strong tags only: a weak one never matches)."""
    if value is None or value.strip() in ("", "*"):
        return Precondition(None, required=True)
    versions = set()
    for part in value.split(","):
        match = _TAG.fullmatch(part)
        if match:
            versions.add(int(match.group(1)))
    return Precondition(frozenset(versions), required=True)


def _if_match(
    value: Annotated[str | None, Header(alias=IF_MATCH, description=_IF_MATCH_DOC)] = None,
) -> Precondition:
    return parse_if_match(value)


IfMatch = Annotated[Precondition, Depends(_if_match)]


def etag(version: int) -> str:
    return f'"{version}"'


def tagged(response: Response, row: V) -> V:
    """`row`, with its version set as the response's ETag."""
    response.headers["ETag"] = etag(row.row_version)
    return row


_ETAG_HEADER = {
    "ETag": {
        "description": "The record's version; send it back in If-Match to update the record.",
        "schema": {"type": "string", "example": '"3"'},
    }
}


def _error(description: str) -> dict[str, Any]:
    from hemis.web.openapi import ErrorBody

    return {"model": ErrorBody, "description": description}


VERSIONED_READ: dict[int | str, dict[str, Any]] = {200: {"headers": _ETAG_HEADER}}
VERSIONED_CREATE: dict[int | str, dict[str, Any]] = {201: {"headers": _ETAG_HEADER}}
VERSIONED_WRITE: dict[int | str, dict[str, Any]] = {
    200: {"headers": _ETAG_HEADER},
    412: _error("The record changed since the ETag in If-Match was read: read it again."),
    428: _error("If-Match is missing (or `*`): send the ETag of the record as read."),
}


def require_if_match_in_openapi(app: FastAPI) -> None:
    """Document If-Match as required: it is declared optional so that a missing header answers
    428 after the record is found (404 first), not a 422 before anything."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "header" and parameter.get("name") == IF_MATCH:
                        parameter["required"] = True
                        parameter["schema"] = {"type": "string", "title": IF_MATCH}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
