"""One error type for the whole system: a stable code, an HTTP status and a bilingual message.

An error's messages and details are shown to people (pages, API, CLI, a job's stored outcome), so
anything in them shaped like a national ID is masked when the error is made (ADR 0003): a library
message quoting a file's row, a file name, a value — none needs the caller to remember.
"""

from __future__ import annotations

from typing import Any, TypedDict

from hemis.common.national_ids import mask_text, mask_values


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
        message_vi, message_en = mask_text(message_vi), mask_text(message_en)
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = mask_values(details)

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {"code": self.code, "message": self.message(lang), "details": self.details}


class Problem(TypedDict):
    """One item of a 422's details (docs/errors.md): the field, a code for programs, the
    message in Vietnamese and in English."""

    field: str
    code: str
    message: str
    message_en: str


def problem(field: str, code: str, message_vi: str, message_en: str) -> Problem:
    return {"field": field, "code": code, "message": message_vi, "message_en": message_en}


class ValidationFailed(HemisError):
    """Input refused. Its answer's `details` list Problems: an item that names its field but
    not all of code and messages takes the error's own, and one such item alone becomes a list
    (`details` itself is kept as raised, for the pages that read it)."""

    code = "validation_failed"
    status = 422

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        details = self.details
        if isinstance(details, dict) and "field" in details:
            details = [details]
        if isinstance(details, list):
            details = [self._problem(item) for item in details]
        return {**super().to_dict(lang), "details": details}

    def _problem(self, item: Any) -> Any:
        if not isinstance(item, dict) or "field" not in item:
            return item
        defaults = {"code": self.code, "message": self.message_vi, "message_en": self.message_en}
        return {**item, **{k: v for k, v in defaults.items() if not item.get(k)}}


def invalid(field: str, code: str, message_vi: str, message_en: str) -> ValidationFailed:
    """A refusal of one field's value, its message also the problem's."""
    return ValidationFailed(
        message_vi, message_en, details=[problem(field, code, message_vi, message_en)]
    )


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


class ReadOnly(Forbidden):
    """A write by a role that may only read."""

    code = "read_only"

    def __init__(self) -> None:
        super().__init__("Tài khoản chỉ có quyền đọc.", "This account can only read.")


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


class PreconditionFailed(HemisError):
    """The record changed since the client read it (If-Match, or a form's version)."""

    code = "precondition.failed"
    status = 412

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            "Bản ghi đã được thay đổi kể từ khi bạn đọc nó. Hãy đọc lại và sửa trên bản mới nhất.",
            "The record has changed since you read it. Read it again and make your change on "
            "the latest version.",
            **kwargs,
        )


class PreconditionRequired(HemisError):
    """An update that does not say which version of the record it replaces."""

    code = "precondition.required"
    status = 428

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            "Thiếu tiêu đề If-Match: hãy gửi ETag của bản ghi như khi bạn đọc nó (GET trả về "
            "ETag), để không ghi đè thay đổi của người khác.",
            "If-Match is missing: send the ETag of the record as you read it (GET answers it), "
            "so that no one else's change is overwritten.",
            **kwargs,
        )
