"""Errors rendered in one place: JSON {code, message, details} under /api, a page elsewhere.

An unexpected exception ends in `web/guards.CatchUnexpected`, which answers it here (`answer`):
logged once, 500 without re-raising it (re-raised, the server would log it a second time by a
road of its own), or 503 with Retry-After when the database cannot be reached.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

import psycopg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hemis.common.national_ids import mask_text
from hemis.errors import Conflict, HemisError, Problem, RateLimited, problem
from hemis.web.deps import find_principal, get_lang
from hemis.web.forms import problem_text

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
    path = request.url.path
    if path.startswith("/api") or path == "/openapi.json":
        return True
    # An operation of the OpenAPI document outside /api (the credentials' status lists and
    # issuer, the payment notification) answers its errors as the document says: JSON.
    route = request.scope.get("route")
    return isinstance(route, APIRoute) and route.include_in_schema


def render_error(request: Request, status: int, body: dict[str, Any]) -> Response:
    if _wants_json(request):
        return JSONResponse(body, status_code=status)
    templates = request.app.state.templates
    name = "_error_fragment.html" if request.headers.get("hx-request") else "error.html"
    if status == 404 and name == "error.html":
        # an unknown address ran no login dependency: find the caller, so the page keeps the
        # navigation of their role and a way back
        with contextlib.suppress(Exception):  # the database may be the reason of the error
            find_principal(request, request.app.state.ctx)
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


def _jsonable_errors(errors: Any) -> list[Problem]:
    """Pydantic's refusals as Problems: the field's path, pydantic's type of error as the code,
    the Vietnamese wording of the forms and pydantic's own English message."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        english = mask_text(str(err.get("msg", "")))  # a validator's message may quote the value
        vietnamese = mask_text(problem_text(err, "vi"))
        out.append(problem(".".join(loc), str(err.get("type")), vietnamese, english))
    return out


def _validation_body(request: Request, details: Any) -> dict[str, Any]:
    lang = get_lang(request)
    message = "Dữ liệu gửi lên không hợp lệ." if lang == "vi" else "The request is not valid."
    return {"code": "validation_failed", "message": message, "details": details}


# Seconds a client should wait when the database cannot be reached (503).
RETRY_AFTER_SECONDS = 5
# The database cannot be reached, or dropped the connection: the request may succeed later.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,  # no pooled connection came free in time
    psycopg.OperationalError,
)
# SQLite raises OperationalError for its own defects too ("no such table", a syntax error); only
# these messages mean the file could not be reached or written for now.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "disk is full")


def is_unavailable(exc: Exception) -> bool:
    """Whether `exc` means the database cannot be reached for now (503), not a defect (500)."""
    if not isinstance(exc, UNAVAILABLE_ERRORS):
        return False
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error):
        message = str(orig).lower()
        return any(sign in message for sign in _SQLITE_UNAVAILABLE)
    return True


# A value the database cannot hold (a number past 64 bits, a NUL in text): the input's fault.
OUT_OF_RANGE_ERRORS: tuple[type[Exception], ...] = (OverflowError, sa_exc.DataError)


def unavailable(request: Request, exc: Exception) -> Response:
    reason = type(getattr(exc, "orig", None) or exc).__name__
    log.warning("database_unavailable", path=request.url.path, error=reason)
    lang = get_lang(request)
    body = {
        "code": "unavailable",
        "message": "Hệ thống tạm thời không truy cập được dữ liệu. Vui lòng thử lại sau ít phút."
        if lang == "vi"
        else "The service is temporarily unavailable. Please try again in a moment.",
        "details": None,
    }
    response = render_error(request, 503, body)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unexpected(request: Request, exc: Exception) -> Response:
    """Any other failure: logged for operators (national IDs are redacted by the log
    processor), never shown."""
    log.error("unhandled_error", path=request.url.path, error=type(exc).__name__, exc_info=exc)
    lang = get_lang(request)
    body = {
        "code": "internal_error",
        "message": "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau."
        if lang == "vi"
        else "Something went wrong on our side. Please try again later.",
        "details": None,
    }
    return render_error(request, 500, body)


def answer(request: Request, exc: Exception) -> Response:
    """The answer to an exception no route handled (used by web/guards.CatchUnexpected)."""
    if is_unavailable(exc):
        return unavailable(request, exc)
    return unexpected(request, exc)


def install(app: FastAPI) -> None:
    @app.exception_handler(HemisError)
    async def hemis_error(request: Request, exc: HemisError) -> Response:
        response = render_error(request, exc.status, exc.to_dict(get_lang(request)))
        if exc.status == 401 and _wants_json(request):
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, RateLimited) and exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return render_error(request, 422, _validation_body(request, _jsonable_errors(exc.errors())))

    async def out_of_range(request: Request, exc: Exception) -> Response:
        lang = get_lang(request)
        body = _validation_body(request, None)
        body["message"] = (
            "Một giá trị gửi lên nằm ngoài phạm vi cho phép."
            if lang == "vi"
            else "A value in the request is out of range."
        )
        return render_error(request, 422, body)

    for error in OUT_OF_RANGE_ERRORS:
        app.add_exception_handler(error, out_of_range)

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        return answer(request, exc)

    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, database_unavailable)

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


__all__ = ["HTMLResponse", "answer", "install", "render_error", "too_large"]
