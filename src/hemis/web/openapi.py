"""The OpenAPI document, completed in one place: the error answers each operation can give and
the headers it honours, derived from what the operation is, so no route has to list them.

- 401 and 403 on every operation behind a login (all but those marked PUBLIC);
- 404 on every operation with a path parameter (a row that is not there, or not in scope);
- 400 (unreadable body) on every operation that takes one, and 409 (duplicate or contradicting
  data, a wrong state) on every one behind a login that changes something;
- 412 on every operation that takes `If-Match` (the row changed since it was read);
- 422 everywhere (any parameter, body or query string may be refused), 429 on the operations
  marked RATE_LIMITED, and 503 (the database unreachable; with Retry-After) on every API
  operation;
- `Idempotency-Key` declared, required, on the operations marked IDEMPOTENT, with the
  `Idempotent-Replayed` header on their successful answers.

Errors are always `{code, message, details}` (ErrorBody).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

# Markers a route passes as `openapi_extra`; they stay in the document as extensions. A PUBLIC
# operation declares itself any error it can give besides the ones derived here.
PUBLIC: dict[str, Any] = {"x-hemis-public": True}
RATE_LIMITED: dict[str, Any] = {"x-hemis-rate-limited": True}
IDEMPOTENT: dict[str, Any] = {"x-hemis-idempotent": True}

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})

DESCRIPTIONS: dict[int, str] = {
    400: "The request body could not be read.",
    401: "Not logged in, or the token is invalid, expired or revoked.",
    403: "The caller's role or scope may not do this.",
    404: "No such row in the caller's scope.",
    409: "Duplicate or contradicting data, a state that does not allow this, or an "
    "Idempotency-Key reused with another request.",
    412: "The row changed since it was read: If-Match does not match its current ETag.",
    422: "The request is not valid (details list the problems).",
    429: "Too many attempts; retry after the seconds in Retry-After.",
    503: "The database cannot be reached; retry after the seconds in Retry-After.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    }
}


class ErrorBody(BaseModel):
    """Every error answer of the API (the document's ErrorBody schema when no route named one)."""

    code: str = Field(description="Stable machine-readable code, e.g. not_found.")
    message: str = Field(description="Human message in the request's language (vi or en).")
    details: Any = Field(None, description="Fields, constraint or other specifics, if any.")


def _parameters(op: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = op.setdefault("parameters", [])
    return params


def _has_header(op: dict[str, Any], name: str) -> bool:
    return any(
        p.get("in") == "header" and str(p.get("name", "")).lower() == name.lower()
        for p in op.get("parameters", [])
    )


def statuses_for(path: str, method: str, op: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer with."""
    out = {422}
    if path.startswith("/api/"):
        out.add(503)
    public = bool(op.get(next(iter(PUBLIC))))
    if not public:
        out |= {401, 403}
    if "{" in path:
        out.add(404)
    if method in WRITE_METHODS:
        out.add(400)
        if not public:
            out.add(409)
    if _has_header(op, "If-Match"):
        out.add(412)
    if op.get(next(iter(RATE_LIMITED))):
        out.add(429)
    return out


def _idempotency(op: dict[str, Any]) -> None:
    params = _parameters(op)
    found = next(
        (
            p
            for p in params
            if p.get("in") == "header" and str(p.get("name")).lower() == "idempotency-key"
        ),
        None,
    )
    if found is None:
        found = {"name": IDEMPOTENCY_HEADER, "in": "header"}
        params.append(found)
    found["required"] = True
    found["schema"] = {"type": "string", "minLength": 1, "maxLength": 255}
    found["description"] = (
        "A key of the caller's choosing (1–255 printable characters), new for each distinct "
        "request: the same key with the same body replays the first answer; with another body "
        "it is refused (409)."
    )
    for status, response in op.get("responses", {}).items():
        if str(status).startswith("2"):
            response.setdefault("headers", {})[REPLAYED_HEADER] = {
                "description": "true when this answer is the replay of an earlier one.",
                "schema": {"type": "string"},
            }


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers and headers to every operation of a generated document."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses: dict[str, Any] = op.setdefault("responses", {})
            # FastAPI's default 422 describes its own error list; ours is an ErrorBody.
            if "HTTPValidationError" in str(responses.get("422", {})):
                del responses["422"]
            for status in sorted(statuses_for(path, method, op)):
                entry = responses.setdefault(
                    str(status),
                    {
                        "description": DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
                if status in (429, 503):
                    entry.setdefault("headers", {}).update(RETRY_AFTER)
            if op.get(next(iter(IDEMPOTENT))):
                _idempotency(op)
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at the app's openapi_url (FastAPI builds and caches it; it is
    completed once per build)."""
    generate = app.openapi
    completed: list[dict[str, Any]] = []  # the document last completed (held, compared by identity)

    def openapi() -> dict[str, Any]:
        document = generate()
        if not completed or completed[0] is not document:
            complete(document)
            completed[:] = [document]
        return document

    app.openapi = openapi  # type: ignore[method-assign]
