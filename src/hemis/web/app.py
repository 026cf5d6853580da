"""The FastAPI application: API under /api/v1, pages elsewhere, errors rendered in one place."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from hemis.config import Settings, get_settings
from hemis.web import errors, guards, openapi, routes
from hemis.web.context import AppContext
from hemis.web.templating import make_templates

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static/"

# Strict CSP: every script and style is served by us; no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="HEMIS API",
        version="1.0",
        description="Hệ thống thông tin quản lý giáo dục đại học — Higher Education Management "
        "Information System. Errors are {code, message, details}.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = AppContext.build(settings)
    app.state.templates = make_templates()
    # The last added runs first: the client's address is settled, then every answer (refusals
    # and failures included) gets the security headers.
    app.add_middleware(guards.CatchUnexpected)
    app.add_middleware(guards.RefuseNul)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(guards.ForwardedClient, proxies=settings.trusted_proxy_networks)
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)
    routes.include_all(app)
    openapi.install(app)
    return app
