"""Row versions are declared everywhere they apply: every audited model is versioned, every
update in the OpenAPI requires If-Match and answers 412/428, and every read of an updatable
record answers an ETag."""

from __future__ import annotations

from pathlib import Path

import pytest

import hemis.models  # noqa: F401 - every model on the metadata
from hemis.config import Environment, Settings
from hemis.db.base import Audited, Base, Versioned
from hemis.web.app import create_app
from hemis.web.versions import parse_if_match

WRITES = ("patch", "put", "delete")


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    path: Path = tmp_path_factory.mktemp("spec") / "unused.db"
    app = create_app(Settings(env=Environment.test, database_url=f"sqlite:///{path}"))
    try:
        return app.openapi()
    finally:
        app.state.ctx.dispose()


def test_every_audited_model_is_versioned() -> None:
    audited = [m for m in Base.registry.mappers if issubclass(m.class_, Audited)]
    assert len(audited) > 15
    for mapper in audited:
        assert issubclass(mapper.class_, Versioned)
        assert mapper.version_id_col is mapper.local_table.c.row_version, mapper.class_


def test_every_update_requires_if_match_and_declares_412_and_428(spec: dict[str, object]) -> None:
    paths = spec["paths"]
    assert isinstance(paths, dict)
    updates = [
        (path, method, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in WRITES
    ]
    assert len(updates) >= 15
    for path, method, operation in updates:
        where = f"{method.upper()} {path}"
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        assert headers.get("If-Match", {}).get("required") is True, where
        assert {"412", "428"} <= set(operation["responses"]), where
        assert "ETag" in operation["responses"]["200"].get("headers", {}), where
        # The record it updates can be read, with its ETag, at the same path.
        read = paths[path].get("get")
        assert read is not None, where
        assert "ETag" in read["responses"]["200"].get("headers", {}), where


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        ('"3"', {3}),
        ('"3", "4"', {3, 4}),
        ('W/"3"', set()),  # a weak tag never matches in If-Match (strong comparison)
        ("3", set()),
        ('"x"', set()),
        ('"99999999999999999999"', set()),
    ],
)
def test_if_match_names_strong_versions_only(header: str, versions: set[int]) -> None:
    condition = parse_if_match(header)
    assert condition.required
    assert condition.versions == frozenset(versions)


@pytest.mark.parametrize("header", [None, "", " ", "*"])
def test_a_missing_or_star_if_match_is_no_condition(header: str | None) -> None:
    assert parse_if_match(header).versions is None


def test_a_write_that_lost_a_race_elsewhere_answers_409_not_500(tmp_path: Path) -> None:
    """Services without If-Match (rounds, wishes, …) that meet the version counter's refusal
    answer a clear 409; nothing was written."""
    from fastapi.testclient import TestClient
    from sqlalchemy.orm.exc import StaleDataError

    app = create_app(
        Settings(env=Environment.test, database_url=f"sqlite:///{tmp_path / 'unused.db'}")
    )

    @app.get("/api/v1/test-stale")
    def stale() -> None:
        raise StaleDataError("UPDATE statement on table 'wish' expected to update 1 row(s)")

    try:
        with TestClient(app) as client:
            response = client.get("/api/v1/test-stale", params={"lang": "en"})
    finally:
        app.state.ctx.dispose()
    assert response.status_code == 409
    assert response.json()["code"] == "record.changed"
    assert "wish" not in response.text
