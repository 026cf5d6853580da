"""The demo calendar page: in the development environment a ministry administrator sees the
demo year's phase and moves it; analysts only look; other roles are refused; in the test and
production environments the page does not exist."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.config import Environment, Settings
from hemis.db.session import HemisSession
from hemis.demo import service
from hemis.demo.context import DemoContext
from hemis.demo.rules import Phase
from hemis.web.app import create_app
from tests.conftest import TestDB
from tests.demo.conftest import CANDIDATE_LOGIN
from tests.factories import production_keys
from tests.web.page_factories import csrf_of, login, make_user


def production(db: TestDB) -> Settings:
    return db.settings(
        env=Environment.production,
        cookie_secure=True,  # production refuses anything else
        **production_keys(),
    )


@pytest.fixture
def users(sessions: sessionmaker[HemisSession], institutions: list[int]) -> None:
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    make_user(sessions, "bk.officer", Role.institution_officer, "BKA")


@pytest.fixture
def dev_app(sqlite_db: TestDB, users: None, demo: DemoContext) -> Iterator[FastAPI]:
    service.build_year(demo, 60, CANDIDATE_LOGIN, Phase.registration)
    app = create_app(sqlite_db.settings(env=Environment.development))
    yield app
    app.state.ctx.dispose()


def client_of(app: FastAPI, username: str) -> TestClient:
    # Over https: production sends its cookies with the Secure flag only.
    client = TestClient(app, base_url="https://testserver")
    assert login(client, username).status_code == 303
    return client


@pytest.fixture
def db(sqlite_db: TestDB) -> TestDB:
    """The page tests run on SQLite (the year itself is tested on both databases)."""
    return sqlite_db


def test_the_ministry_moves_the_demo_year_from_the_page(
    dev_app: FastAPI, demo: DemoContext
) -> None:
    admin = client_of(dev_app, "bo.admin")
    page = admin.get("/demo")
    assert page.status_code == 200
    assert 'href="/demo"' in page.text  # in the navigation
    assert "Giai đoạn hiện tại: <strong>Đăng ký dự thi</strong>" in page.text
    moved = admin.post(
        "/demo/phase",
        data={"phase": "wishes", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    page = admin.get("/demo?lang=en")
    assert "Current phase: <strong>Wishes</strong>" in page.text
    with demo.session() as s:
        assert service.current_phase(s) is Phase.wishes
    # a phase that does not exist is refused, and nothing moves
    bad = admin.post("/demo/phase", data={"phase": "holidays", "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 422
    without_token = admin.post("/demo/phase", data={"phase": "rounds"})
    assert without_token.status_code == 403
    with demo.session() as s:
        assert service.current_phase(s) is Phase.wishes


def test_a_refused_move_is_explained_on_the_page(dev_app: FastAPI, demo: DemoContext) -> None:
    service.move_to(demo, Phase.confirmation)
    admin = client_of(dev_app, "bo.admin")
    page = admin.get("/demo")
    assert "hemis demo --reset" in page.text  # earlier phases offer no button
    assert page.text.count('action="/demo/phase"') == 1  # only "enrolled" is reachable
    refused = admin.post("/demo/phase", data={"phase": "wishes", "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 409
    assert "bất biến" in refused.text or "không thể xóa" in refused.text
    with demo.session() as s:
        assert service.current_phase(s) is Phase.confirmation


def test_only_the_ministry_sees_it_and_only_an_administrator_moves_it(
    dev_app: FastAPI, demo: DemoContext
) -> None:
    analyst = client_of(dev_app, "bo.analyst")
    page = analyst.get("/demo")
    assert page.status_code == 200
    assert 'action="/demo/phase"' not in page.text
    refused = analyst.post(
        "/demo/phase", data={"phase": "wishes", "csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 403
    officer = client_of(dev_app, "bk.officer")
    assert officer.get("/demo").status_code == 403
    candidate = client_of(dev_app, CANDIDATE_LOGIN)
    assert candidate.get("/demo").status_code == 403
    with demo.session() as s:
        assert service.current_phase(s) is Phase.registration


@pytest.mark.parametrize("env", [Environment.test, Environment.production])
def test_outside_development_the_page_does_not_exist(
    sqlite_db: TestDB, users: None, env: Environment
) -> None:
    settings = production(sqlite_db) if env is Environment.production else sqlite_db.settings()
    app = create_app(settings)
    try:
        anonymous = TestClient(app)
        assert anonymous.get("/demo", follow_redirects=False).status_code == 404
        admin = client_of(app, "bo.admin")
        home = admin.get("/")
        assert 'href="/demo"' not in home.text
        assert admin.get("/demo").status_code == 404
        assert admin.post("/demo/phase", data={"phase": "wishes"}).status_code == 404
    finally:
        app.state.ctx.dispose()
    development = create_app(sqlite_db.settings(env=Environment.development))
    try:  # the same request in development reaches the page (the login comes first)
        response = TestClient(development).get("/demo", follow_redirects=False)
        assert response.status_code == 303
    finally:
        development.state.ctx.dispose()
