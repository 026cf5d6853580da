"""The portal with one more route, which fails: served by uvicorn in its own process by
test_failure_answers_server.py (the real server is what decides whether the connection stays
open after a 500)."""

from __future__ import annotations

from hemis.web.app import create_app

app = create_app()


@app.get("/__boom")
def boom() -> None:
    raise RuntimeError("a failure no route handles")
