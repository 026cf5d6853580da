"""A ministry administrator recomputes a year's indicators from the national dashboard: the
computation runs as a background action job with its progress page, and the dashboard's figures
follow the registry's data afterwards (a learner added since the last computation is counted).
A bad year is named next to its field and queues nothing; analysts and officers start nothing.
On SQLite and PostgreSQL, over HTTP (TestClient on the app, its worker thread running the job)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.actions.models import ActionJob
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.indicators.engine import compute_year
from hemis.registry.models import Program
from hemis.registry.rules import make_national_id
from hemis.web.app import create_app
from tests import factories
from tests.actions.support import field_error, finish, input_value, post_form
from tests.conftest import TestDB
from tests.indicators import world as w
from tests.indicators.conftest import TODAY
from tests.web.page_factories import login, make_user

ENROLLED = re.compile(
    r'<span class="stat-value">([\d.]+)</span> <span class="stat-label">Người học đang học'
)


@pytest.fixture
def clients(
    db: TestDB, built: w.Built, sessions: sessionmaker[HemisSession]
) -> Iterator[dict[str, TestClient]]:
    compute_year(sessions, w.YEAR, today=TODAY)
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    make_user(sessions, "full.officer", Role.institution_officer, built.full_code)
    app = create_app(db.settings())
    made = {}
    for name in ("bo.admin", "bo.analyst", "full.officer"):
        client = TestClient(app)
        client.__enter__()
        assert login(client, name).status_code == 303
        made[name] = client
    yield made
    for client in made.values():
        client.__exit__(None, None, None)
    app.state.ctx.dispose()


def enrolled(client: TestClient) -> int:
    found = ENROLLED.search(client.get("/indicators", params={"year": w.YEAR}).text)
    assert found, "no enrolment figure on the dashboard"
    return int(found.group(1).replace(".", ""))


def jobs(sessions: sessionmaker[HemisSession]) -> int:
    with scoped_session(sessions, Scope.system("test")) as s:
        return int(s.scalar(select(func.count()).select_from(ActionJob)) or 0)


def test_the_ministry_recomputes_a_year_and_the_dashboard_follows(
    clients: dict[str, TestClient],
    built: w.Built,
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
) -> None:
    admin = clients["bo.admin"]
    assert enrolled(admin) == w.STUDENTS
    with scoped_session(sessions, Scope.system("test")) as s:
        program = s.scalars(
            select(Program).where(Program.institution_id == built.full, Program.level == "bachelor")
        ).first()
        assert program is not None
        who = factories.person(
            s,
            cipher,
            make_national_id("001", "male", 2006, 987_001),
            "Đỗ Văn Mới",
            "male",
            dt.date(2006, 2, 1),
        )
        factories.learner(
            s,
            program,
            who,
            "NEW001",
            cohort_year=2025,
            admitted_on=dt.date(2025, 9, 5),
            status_date=dt.date(2025, 9, 5),
        )
        s.commit()
    assert enrolled(admin) == w.STUDENTS  # the stored figures until they are computed again

    page = admin.get("/indicators").text
    assert input_value(page, "compute_year") == str(w.YEAR)
    started = post_form(admin, "/indicators/compute", "/indicators", {"compute_year": w.YEAR})
    assert started.status_code == 303
    done = finish(admin, started.headers["location"])
    assert 'data-status="succeeded"' in done, done
    assert "Tính lại chỉ số" in done
    assert "Kết quả tiêu chí đã tính" in done
    assert f"<dt>Năm</dt><dd>{w.YEAR}</dd>" in done  # a year, not a count: no thousands dot
    assert f'href="/indicators?year={w.YEAR}"' in done  # back to the dashboard it recomputed
    assert enrolled(admin) == w.STUDENTS + 1
    assert "Tính lại chỉ số" in admin.get("/actions").text


def test_a_bad_year_is_named_and_only_an_administrator_recomputes(
    clients: dict[str, TestClient], sessions: sessionmaker[HemisSession]
) -> None:
    admin = clients["bo.admin"]
    bad = post_form(admin, "/indicators/compute", "/indicators", {"compute_year": "20x5"})
    assert bad.status_code == 422
    assert field_error(bad.text, "compute_year") == (
        "Năm cần tính lại: phải là năm từ 2000 đến 2100"
    )
    assert input_value(bad.text, "compute_year") == "20x5"
    analyst = clients["bo.analyst"]
    assert 'id="compute-form"' not in analyst.get("/indicators").text
    refused = post_form(analyst, "/indicators/compute", "/indicators", {"compute_year": w.YEAR})
    assert refused.status_code == 403
    officer = clients["full.officer"]
    own = officer.get("/indicators")  # redirected to their institution's page
    assert own.status_code == 200
    refused = post_form(officer, "/indicators/compute", own.url.path, {"compute_year": w.YEAR})
    assert refused.status_code == 403
    assert jobs(sessions) == 0
