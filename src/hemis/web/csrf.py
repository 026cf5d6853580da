"""CSRF protection of HTML forms and htmx requests.

A logged-in user's POST must carry the session's CSRF token, either as the hidden form field
`csrf_token` or as the `X-CSRF-Token` header (htmx sends it from `hx-headers` on <body>).
The login form has no session yet, so it uses a signed double-submit cookie: the cookie and the
hidden field must hold the same token, and the token must carry a valid HMAC of the secret key,
so a cookie planted by a sibling site cannot be forged. Comparisons are constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from hemis.errors import Forbidden
from hemis.web.deps import Context, find_principal

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_CSRF_COOKIE = "hemis_login_csrf"
_LOGIN_PURPOSE = b"hemis-login-csrf:"


class CsrfFailed(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(
            "Yêu cầu bị từ chối vì thiếu hoặc sai mã chống giả mạo (CSRF). "
            "Biểu mẫu có thể đã hết hạn: hãy tải lại trang rồi thử lại.",
            "The request was refused: its anti-forgery (CSRF) token is missing or wrong. "
            "The form may have expired: reload the page and try again.",
        )


def tokens_match(submitted: str | None, expected: str | None) -> bool:
    """Constant-time equality of two tokens; an empty or missing token never matches."""
    if not submitted or not expected:
        return False
    return hmac.compare_digest(submitted.encode(), expected.encode())


def _login_signature(secret_key: str, nonce: str) -> str:
    mac = hmac.new(secret_key.encode(), _LOGIN_PURPOSE + nonce.encode(), hashlib.sha256)
    return mac.hexdigest()


def new_login_token(secret_key: str) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_login_signature(secret_key, nonce)}"


def login_token_valid(secret_key: str, token: str | None) -> bool:
    """A login token is valid when its signature is ours (so it was issued by this server)."""
    if not token or token.count(".") != 1:
        return False
    nonce, signature = token.split(".")
    return hmac.compare_digest(signature.encode(), _login_signature(secret_key, nonce).encode())


async def submitted_token(request: Request) -> str | None:
    """The token sent with a request: the header first, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def require_csrf(request: Request, ctx: Context) -> None:
    """Dependency of every state-changing page route of a logged-in user."""
    await run_in_threadpool(find_principal, request, ctx)
    expected = getattr(request.state, "csrf_token", None)
    if not tokens_match(await submitted_token(request), expected):
        raise CsrfFailed()


async def require_login_csrf(request: Request, ctx: Context) -> None:
    """Dependency of the login POST: signed double-submit cookie."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not login_token_valid(ctx.settings.secret_key, cookie):
        raise CsrfFailed()
    if not tokens_match(await submitted_token(request), cookie):
        raise CsrfFailed()


CsrfChecked = Annotated[None, Depends(require_csrf)]
LoginCsrfChecked = Annotated[None, Depends(require_login_csrf)]
