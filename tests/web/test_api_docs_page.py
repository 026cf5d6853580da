"""/api/docs names only the application's own assets and has no inline script (the CSP would
refuse it), and those assets are served."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from hemis.web.app import create_app
from tests.conftest import TestDB


def test_api_docs_use_vendored_assets_only(sqlite_db: TestDB) -> None:
    app = create_app(sqlite_db.settings())
    with TestClient(app) as client:
        page = client.get("/api/docs")
        assert page.status_code == 200
        html = page.text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assets = [s for s in sources if s != "/openapi.json"]
        assert assets
        assert all(s.startswith("/static/") for s in assets), sources
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert 'data-openapi-url="/openapi.json"' in html
    app.state.ctx.dispose()
