"""One error type for the whole system: a stable code, an HTTP status and a bilingual message."""

from __future__ import annotations

from typing import Any


class HemisError(Exception):
    """A failure a user can be told about. Rendered once, by the web layer or the CLI."""

    code = "error"
    status = 400

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {"code": self.code, "message": self.message(lang), "details": self.details}


class ValidationFailed(HemisError):
    code = "validation_failed"
    status = 422


class NotFound(HemisError):
    code = "not_found"
    status = 404

    def __init__(self, entity: str, key: object | None = None) -> None:
        super().__init__(
            f"Không tìm thấy {entity}.",
            f"{entity} not found.",
            details={"entity": entity, "key": key} if key is not None else {"entity": entity},
        )


class Unauthorized(HemisError):
    code = "unauthorized"
    status = 401


class Forbidden(HemisError):
    code = "forbidden"
    status = 403

    def __init__(
        self,
        message_vi: str = "Bạn không có quyền thực hiện thao tác này.",
        message_en: str = "You are not allowed to do this.",
        **kwargs: Any,
    ) -> None:
        super().__init__(message_vi, message_en, **kwargs)


class Conflict(HemisError):
    code = "conflict"
    status = 409


class RateLimited(HemisError):
    code = "rate_limited"
    status = 429

    def __init__(
        self, message_vi: str, message_en: str, *, retry_after: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message_vi, message_en, **kwargs)
        self.retry_after = retry_after  # seconds, sent as the Retry-After header


class Unavailable(HemisError):
    """A part the request needs (the database) cannot be reached; the client should retry."""

    code = "unavailable"
    status = 503
