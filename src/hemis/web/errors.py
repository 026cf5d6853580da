"""Errors rendered in one place: JSON {code, message, details} under /api, a page elsewhere.

An unexpected exception ends in `UnexpectedErrors`, which logs it once and answers 500 without
re-raising it: re-raised, the server would log it a second time by a road of its own.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hemis.common.national_ids import mask_text
from hemis.errors import Conflict, HemisError
from hemis.web.deps import get_lang

log = structlog.get_logger("hemis.web")

_HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ.", "Bad request."),
    401: ("unauthorized", "Vui lòng đăng nhập.", "Please log in."),
    403: (
        "forbidden",
        "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to do this.",
    ),
    404: ("not_found", "Không tìm thấy trang hoặc dữ liệu.", "Not found."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("too_large", "Dữ liệu gửi lên quá lớn.", "Request too large."),
    415: ("unsupported_media_type", "Kiểu dữ liệu không được hỗ trợ.", "Unsupported media type."),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def render_error(request: Request, status: int, body: dict[str, Any]) -> Response:
    if _wants_json(request):
        return JSONResponse(body, status_code=status)
    templates = request.app.state.templates
    name = "_error_fragment.html" if request.headers.get("hx-request") else "error.html"
    response: Response = templates.TemplateResponse(
        request, name, {"error": body, "status": status}, status_code=status
    )
    return response


def http_error_body(request: Request, status: int) -> dict[str, Any]:
    code, vi, en = _HTTP_MESSAGES.get(status, ("http_error", "Lỗi.", "Error."))
    return {"code": code, "message": en if get_lang(request) == "en" else vi, "details": None}


def too_large(request: Request) -> Response:
    """A request body past its limit (web/app.py BodyLimit)."""
    return render_error(request, 413, http_error_body(request, 413))


def _jsonable_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        problem = mask_text(str(err.get("msg", "")))  # a validator's message may quote the value
        out.append({"field": ".".join(loc), "problem": problem, "type": err.get("type")})
    return out


def internal_error(request: Request) -> Response:
    lang = get_lang(request)
    body = {
        "code": "internal_error",
        "message": "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau."
        if lang == "vi"
        else "Something went wrong on our side. Please try again later.",
        "details": None,
    }
    return render_error(request, 500, body)


class UnexpectedErrors:
    """Where an exception no handler took ends: logged once for operators (the log path redacts
    national IDs and SQL parameters), answered with the generic 500 — never a stack trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # the last stop for anything unexpected
            log.error("unhandled_error", path=scope["path"], error=type(exc).__name__, exc_info=exc)
            if not started:  # else the client sees the response cut short; nothing more to send
                await internal_error(Request(scope, receive))(scope, receive, send)


def install(app: FastAPI) -> None:
    @app.exception_handler(HemisError)
    async def hemis_error(request: Request, exc: HemisError) -> Response:
        headers = (
            {"WWW-Authenticate": "Bearer"} if exc.status == 401 and _wants_json(request) else None
        )
        response = render_error(request, exc.status, exc.to_dict(get_lang(request)))
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        lang = get_lang(request)
        message = "Dữ liệu gửi lên không hợp lệ." if lang == "vi" else "The request is not valid."
        body = {
            "code": "validation_failed",
            "message": message,
            "details": _jsonable_errors(exc.errors()),
        }
        return render_error(request, 422, body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = render_error(request, exc.status_code, http_error_body(request, exc.status_code))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError) -> Response:
        # A versioned row changed between this request's read and its write (db/base.py
        # Versioned): nothing was written. Services that take If-Match answer 412 themselves.
        error = Conflict(
            "Bản ghi vừa được người khác thay đổi nên thao tác chưa được ghi; hãy tải lại rồi "
            "thử lại.",
            "The record was just changed by someone else, so nothing was written; reload and "
            "try again.",
            code="record.changed",
        )
        return render_error(request, error.status, error.to_dict(get_lang(request)))


__all__ = ["HTMLResponse", "UnexpectedErrors", "install", "render_error", "too_large"]
