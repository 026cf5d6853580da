"""The interactive API reference at /api/docs: Swagger UI served by the application itself.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; the
strict CSP (`script-src 'self'`) blocks both, which left a blank page. Here the assets are the
vendored copies under /static/vendor/swagger-ui/ and the start-up is /static/api-docs.js, which
reads the document's address from a data attribute."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

DOCS_PATH = "/api/docs"
SWAGGER_CSS = "/static/vendor/swagger-ui/swagger-ui.css"
SWAGGER_JS = "/static/vendor/swagger-ui/swagger-ui-bundle.js"
START_JS = "/static/api-docs.js"

router = APIRouter(include_in_schema=False)


def docs_html(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title)} — API</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{SWAGGER_CSS}">
  <script src="{SWAGGER_JS}" defer></script>
  <script src="{START_JS}" defer></script>
</head>
<body>
  <main id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></main>
  <noscript><p>The interactive reference needs JavaScript; the document itself is at
  <a href="{escape(openapi_url)}">{escape(openapi_url)}</a>.</p></noscript>
</body>
</html>"""


@router.get(DOCS_PATH, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    app = request.app
    return HTMLResponse(docs_html(app.title, app.openapi_url or "/openapi.json"))
