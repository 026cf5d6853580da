"""ASGI middleware that guards every request before and after the routes.

- ForwardedClient: the client's address is the connection's peer, unless the peer is one of the
  configured reverse proxies (settings.trusted_proxies): then the right-most address of
  X-Forwarded-For that is not a trusted proxy. A header from anyone else is ignored, so a client
  cannot choose the address its login attempts are counted under.
- RefuseNul: a NUL character in the path or the query string is refused (422) before any route
  sees it: no page or API takes one, and PostgreSQL cannot store or compare one.
- CatchUnexpected: a failure no route handled is answered here, inside the security-header
  middleware (so the 500 or 503 carries the same headers as every other answer), and is not
  raised on to the server, which would otherwise drop the keep-alive connection.

Plain ASGI rather than BaseHTTPMiddleware (see app.SecurityHeaders).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from hemis.web import errors
from hemis.web.deps import get_lang

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(value: str, proxies: Sequence[Network]) -> bool:
    address = _address(value)
    return address is not None and any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client's address: the peer, or (when the peer is a trusted proxy) the right-most
    X-Forwarded-For hop that is not a trusted proxy. A malformed hop ends the walk: the last
    trusted address is used, never a string the client wrote."""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    current = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return current
        current = str(address)
        if not _trusted(current, proxies):
            return current
    return current


class ForwardedClient:
    def __init__(self, app: ASGIApp, proxies: Sequence[Network]) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("client"):
            peer, port = scope["client"]
            forwarded = [
                value.decode("latin-1")
                for name, value in scope.get("headers", [])
                if name == b"x-forwarded-for"
            ]
            client = client_address(str(peer), forwarded, self.proxies)
            if client != peer:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)


def _has_nul(scope: AsgiScope) -> bool:
    query = bytes(scope.get("query_string", b""))
    return "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query


class RefuseNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_nul(scope):
            request = Request(scope, receive)
            lang = get_lang(request)
            body = {
                "code": "validation_failed",
                "message": "Đường dẫn hoặc tham số chứa ký tự không hợp lệ (NUL)."
                if lang == "vi"
                else "The path or a parameter contains an invalid character (NUL).",
                "details": None,
            }
            await errors.render_error(request, 422, body)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class CatchUnexpected:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:  # half an answer is out: nothing sensible can follow it
                raise
            await errors.answer(Request(scope, receive), exc)(scope, receive, send)
