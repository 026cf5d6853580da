"""The ministry starts a sync with a national database from its page: the sync runs as a
background job against the real registry simulator (its own process), its progress counts the
records and its result is on the job page; the counters of the page follow. A bad graduation
year is named next to its field; officers start nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hemis.accounts.roles import Role
from hemis.actions.models import ActionJob
from hemis.db.session import make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.integrations.models import SyncState
from hemis.registry.models import Institution
from hemis.web.app import create_app
from tests.actions.support import field_error, finish, input_value, post_form
from tests.integrations.conftest import Nation, simulator
from tests.web.page_factories import login, make_user


@pytest.fixture
def clients(nation: Nation) -> Iterator[dict[str, TestClient]]:
    sessions = make_session_factory(nation.engine)
    with scoped_session(sessions, Scope.system("test")) as s:
        code = s.scalar(
            select(Institution.moet_code).where(Institution.id == nation.institutions[0])
        )
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "officer.a", Role.institution_officer, code)
    with simulator(nation, "population") as url:
        settings = nation.settings.model_copy(update={"population_url": url, "sync_batch_size": 25})
        app = create_app(settings)
        made = {}
        for name in ("bo.admin", "officer.a"):
            client = TestClient(app)
            client.__enter__()
            assert login(client, name).status_code == 303
            made[name] = client
        yield made
        for client in made.values():
            client.__exit__(None, None, None)
        app.state.ctx.dispose()


def jobs(nation: Nation) -> int:
    with scoped_session(make_session_factory(nation.engine), Scope.system("test")) as s:
        return int(s.scalar(select(func.count()).select_from(ActionJob)) or 0)


def test_the_ministry_syncs_the_population_database_from_its_page(
    clients: dict[str, TestClient], nation: Nation
) -> None:
    admin = clients["bo.admin"]
    page = admin.get("/integrations").text
    assert 'id="sync-population"' in page
    assert 'id="sync-insurance"' in page
    started = post_form(admin, "/integrations/sync/population", "/integrations")
    assert started.status_code == 303
    done = finish(admin, started.headers["location"])
    assert 'data-status="succeeded"' in done, done
    assert "Đồng bộ với CSDL quốc gia" in done
    assert "CSDL quốc gia về dân cư" in done
    total = len(nation.learners)
    assert f"<dt>Tổng số bản ghi</dt><dd>{total}</dd>" in done
    assert f'max="{total}" value="{total}"' in done  # the bar counted the records, and is full
    with scoped_session(make_session_factory(nation.engine), Scope.system("test")) as s:
        checked = s.scalar(
            select(func.count()).select_from(SyncState).where(SyncState.system == "population")
        )
    assert checked == total
    assert "Đồng bộ với CSDL quốc gia" in admin.get("/integrations").text  # recent actions


def test_a_bad_year_is_named_and_officers_start_no_sync(
    clients: dict[str, TestClient], nation: Nation
) -> None:
    admin = clients["bo.admin"]
    bad = post_form(admin, "/integrations/sync/insurance", "/integrations", {"year": "20x4"})
    assert bad.status_code == 422
    assert field_error(bad.text, "year") == "Năm tốt nghiệp: phải là năm từ 1950 đến 2100"
    assert input_value(bad.text, "year") == "20x4"
    unknown = post_form(admin, "/integrations/sync/elsewhere", "/integrations")
    assert unknown.status_code == 422
    assert "Không có CSDL quốc gia này." in unknown.text
    officer = clients["officer.a"]
    assert 'id="sync-population"' not in officer.get("/integrations").text
    refused = post_form(officer, "/integrations/sync/population", "/integrations")
    assert refused.status_code == 403
    assert officer.get("/actions").status_code == 403
    assert jobs(nation) == 0
