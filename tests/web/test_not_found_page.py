"""An unknown address answers 404 with the page of the caller's role: the navigation stays (no
login dependency ran for it, so the error page finds the caller itself)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.db.session import HemisSession
from hemis.web.app import create_app
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user


def test_an_unknown_address_keeps_the_navigation(
    db: TestDB, sessions: sessionmaker[HemisSession]
) -> None:
    make_user(sessions, "bo.nav", Role.ministry_admin, display_name="Quản trị viên")
    app = create_app(db.settings())
    with TestClient(app) as client:
        anonymous = client.get("/khong-co-trang-nay")
        assert anonymous.status_code == 404
        assert 'class="main-nav"' not in anonymous.text
        assert login(client, "bo.nav").status_code == 303
        page = client.get("/khong-co-trang-nay")
        assert page.status_code == 404
        assert "Không tìm thấy" in page.text
        assert 'class="main-nav"' in page.text
        assert 'href="/institutions"' in page.text
        assert "Quản trị viên" in page.text  # the header knows who is there
        assert 'href="/"' in page.text
    app.state.ctx.dispose()
