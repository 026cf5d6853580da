"""Per-request observability, as plain ASGI middleware (see app.SecurityHeaders for why):

- RequestId: every answer carries X-Request-ID — the caller's own when it is a plausible id
  (a proxy's or a client's, so one request can be followed through every log), else a new one —
  and every log line written while the request runs carries it as `request_id`.
- RequestMetrics: requests counted and timed by route template (`/api/v1/learners/{id}`, never
  the address itself: the number of series stays bounded whatever addresses are asked for),
  method and status class.
"""

from __future__ import annotations

import os
import re
from time import perf_counter
from typing import Any

import structlog
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from hemis.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS, UNMATCHED

HEADER = "X-Request-ID"
_HEADER_KEY = HEADER.lower().encode("latin-1")
# Ids proxies and clients use (UUIDs, nginx's $request_id, trace ids); anything else — too long,
# or with characters that could forge a log line or a header — is replaced.
VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
MAX_PREFIXES = 4
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_id_of(scope: AsgiScope) -> str:
    """The incoming X-Request-ID if valid, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == _HEADER_KEY:
            candidate = str(value.decode("latin-1"))
            if VALID_ID.fullmatch(candidate):
                return candidate
            break
    return os.urandom(16).hex()  # 128 random bits, like a UUID's hex, at a quarter of its cost


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (_HEADER_KEY, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # (no route sets this header itself: appended without a look-up)
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        # bind/reset rather than bound_contextvars: a third of the cost on every request
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)


def route_template(scope: AsgiScope) -> str:
    """The template of the route that took the request, with its routers' prefixes.

    The router leaves the matched route on the scope; the route's own path lacks the prefixes
    of the routers that include it (`/learners/{learner_id}` under `/api/v1`). The template is
    the route's path with, in front, the segments of the address it did not match: router
    prefixes, which are fixed words (no HEMIS prefix has a parameter; RequestMetrics bounds the
    prefixes per route all the same).
    """
    route = scope.get("route")
    if isinstance(route, Mount):
        return str(route.path_format)
    path = getattr(route, "path", None)
    if not isinstance(path, str) or not path.startswith("/"):
        return UNMATCHED
    parts = str(scope.get("path", "")).split("/")
    own = path.count("/")
    if len(parts) - 1 <= own:
        return path
    return "/".join(parts[: len(parts) - own]) + path


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The labelled children, looked up once per (route, method, status): labels() takes
        # a lock and checks its arguments on each call.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        # route path -> the prefixes seen in front of it; past MAX_PREFIXES (a prefix with a
        # parameter in it, one day) the route is labelled by its own path only
        self._prefixes: dict[str, set[str]] = {}

    def _template(self, scope: AsgiScope) -> str:
        template = route_template(scope)
        path = getattr(scope.get("route"), "path", None)
        if not isinstance(path, str) or isinstance(scope.get("route"), Mount):
            return template
        seen = self._prefixes.setdefault(path, set())
        prefix = template.removesuffix(path)
        if prefix not in seen:
            if len(seen) >= MAX_PREFIXES:
                return path
            seen.add(prefix)
        return template

    def _record(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, f"{status // 100}xx")
        children = self._children.get(key)
        if children is None:
            children = (HTTP_REQUESTS.labels(*key), HTTP_LATENCY.labels(route, method))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500  # what the server answers if the app raises before answering

        async def send_watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_watched)
        finally:
            method = scope.get("method", "")
            self._record(
                self._template(scope),
                method if method in METHODS else "other",
                status,
                perf_counter() - started,
            )
