"""The integration pages: an officer sees their own mismatches with the field-level diff and
nothing of another institution; the ministry sees the funnel and decides the review queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hemis.accounts.roles import Role
from hemis.db.session import make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.integrations.models import PersonLink, SyncState
from hemis.registry.models import Institution, Learner, Person
from hemis.web.app import create_app
from tests.integrations.conftest import Nation
from tests.web.page_factories import csrf_of, login, make_user


@pytest.fixture
def client(nation: Nation) -> Iterator[TestClient]:
    sessions = make_session_factory(nation.engine)
    with scoped_session(sessions, Scope.system("test")) as s:
        codes = {i.id: i.moet_code for i in s.scalars(select(Institution))}
        for iid in nation.institutions:
            learner = s.scalars(select(Learner).where(Learner.institution_id == iid)).first()
            assert learner is not None
            person = s.get(Person, learner.person_id)
            assert person is not None
            s.add(
                SyncState(
                    institution_id=iid,
                    system="population",
                    record_id=learner.id,
                    person_id=person.id,
                    status="different",
                    last_checked_at=dt.datetime.now(dt.UTC),
                    diff={"full_name": {"hemis": person.full_name, "registry": f"REG-{iid}"}},
                    attempts=1,
                )
            )
        s.add(
            PersonLink(
                system="civil_service",
                registry_key="VC00000042",
                person_id=person.id,
                method="probabilistic",
                status="review",
                score=0.7,
                record={"full_name": "Nguyen Van A", "date_of_birth": None},
                decided_by="system:linkage",
            )
        )
        s.commit()
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "officer.a", Role.institution_officer, codes[nation.institutions[0]])
    app = create_app(nation.settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.ctx.dispose()


def test_officer_sees_own_mismatches_only(client: TestClient, nation: Nation) -> None:
    assert login(client, "officer.a").status_code == 303
    page = client.get("/integrations")
    assert page.status_code == 200
    a, b = nation.institutions
    assert f"REG-{a}" in page.text
    assert f"REG-{b}" not in page.text
    assert client.get("/integrations/links").status_code == 403
    assert client.get("/integrations/outcomes?year=2024").status_code == 200


def test_ministry_sees_the_funnel_and_decides_the_review_queue(
    client: TestClient, nation: Nation
) -> None:
    assert login(client, "bo.admin").status_code == 303
    funnel = client.get("/integrations/outcomes?year=2024&by=field")
    assert funnel.status_code == 200
    assert "Tốt nghiệp" in funnel.text
    assert f'<td class="num">{len(nation.awards)}</td>' in funnel.text
    queue = client.get("/integrations/links")
    assert "VC00000042" in queue.text
    # the review queue names its codes
    assert "Chờ xem xét" in queue.text
    assert ">review<" not in queue.text
    with scoped_session(make_session_factory(nation.engine), Scope.system()) as s:
        link_id = s.scalars(select(PersonLink.id)).one()
    decided = client.post(
        f"/integrations/links/{link_id}/decide",
        data={"accept": "true", "csrf_token": csrf_of(queue.text)},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    with scoped_session(make_session_factory(nation.engine), Scope.system()) as s:
        link = s.get(PersonLink, link_id)
        assert link is not None
        assert (link.method, link.status, link.decided_by[:5]) == (
            "clerical",
            "linked",
            "user:",
        )
    again = client.post(
        f"/integrations/links/{link_id}/decide",
        data={"accept": "false", "csrf_token": csrf_of(queue.text)},
        follow_redirects=False,
    )
    assert again.status_code == 409
