"""The FastAPI application: API under /api/v1, pages elsewhere, errors rendered in one place."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from hemis.config import Environment, Settings, get_settings
from hemis.observability.readiness import Readiness
from hemis.observability.scrape import DatabaseCollector
from hemis.submissions.intake import MAX_UPLOAD_BYTES
from hemis.web import api_docs, errors, guards, health, observe, openapi, routes
from hemis.web.context import AppContext
from hemis.web.csp import CSP
from hemis.web.templating import make_templates
from hemis.web.versions import require_if_match_in_openapi

STATIC_DIR = Path(__file__).parent / "static"
# The largest request body: a file upload and its form (a route may allow less with FastAPI's
# max_body_size, as the JSON batch does). Larger bodies are refused (413).
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + (1 << 20)
STATIC_PREFIX = "/static/"


SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


# Pages and API answers carry personal data: no browser or proxy may keep a copy. Static files
# (stylesheets, scripts, images) are the same for everyone and keep their caching.
NO_STORE = "no-store"


class SecurityHeaders:
    """Adds the security headers a response does not set itself, and `Cache-Control: no-store`
    to every answer but static files. Plain ASGI rather than BaseHTTPMiddleware, which costs a
    task and a body stream on every request (a measurable share of a payment notification's
    CPU)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        cacheable = str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if not cacheable and "cache-control" not in headers:
                    headers["Cache-Control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses a body larger than MAX_BODY_BYTES — at once when its Content-Length says so,
    else when the bytes received pass it — and gives a route's own limit (FastAPI answers with a
    plain-text 413 of its own) the one error format."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await errors.too_large(Request(scope))(scope, receive, send)
            return
        received = 0
        replaced = False

        async def receive_counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise StarletteHTTPException(413)
            return message

        async def send_uniform(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                kind = Headers(raw=message.get("headers", [])).get("content-type", "")
                if kind.startswith("text/plain"):
                    replaced = True
                    await errors.too_large(Request(scope))(scope, receive, send)
                    return
            if not replaced:
                await send(message)

        await self.app(scope, receive_counted, send_uniform)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="HEMIS API",
        version="1.0",
        description="Hệ thống thông tin quản lý giáo dục đại học — Higher Education Management "
        "Information System. Errors are {code, message, details}.",
        docs_url=None,  # served by web/api_docs.py with the vendored Swagger UI
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = AppContext.build(settings)
    app.state.templates = make_templates()
    app.state.readiness = Readiness(app.state.ctx.engine)
    app.state.metrics_collector = DatabaseCollector(app.state.ctx.sessions)
    # The last added runs first: the client's address is settled, the request gets its id (for
    # every log line and the answer) and is timed, then every answer (refusals and failures
    # included) gets the security headers. RequestMetrics reads the matched route from the
    # scope the router fills in: no middleware between them may copy the scope.
    app.add_middleware(guards.CatchUnexpected)
    app.add_middleware(BodyLimit)
    app.add_middleware(guards.RefuseNul)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(observe.RequestMetrics)
    app.add_middleware(observe.RequestId)
    app.add_middleware(guards.ForwardedClient, proxies=settings.trusted_proxy_networks)
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)
    routes.include_all(app)
    app.include_router(api_docs.router)
    app.include_router(health.router)
    # The demo calendar moves the demo admission year between phases: development only, so a
    # production server has no such page at all.
    app.state.demo_calendar = settings.env is Environment.development
    if app.state.demo_calendar:
        from hemis.demo.pages import router as demo_pages

        app.include_router(demo_pages)
    require_if_match_in_openapi(app)
    openapi.install(app)
    return app
