"""API login contract and machine tokens: scoped, listed without secrets, revocable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from hemis.accounts import service
from hemis.accounts.roles import Role
from hemis.accounts.schemas import UserCreate
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.web.app import create_app
from tests import factories
from tests.conftest import TestDB

PASSWORD = "correct horse battery"


@pytest.fixture
def client(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[TestClient]:
    with scoped_session(sessions, Scope.system("test")) as s:
        inst = factories.institution(s, "TK1")
        s.commit()
        for username, role, code in [
            ("officer", Role.institution_officer, inst.moet_code),
            ("other", Role.institution_officer, inst.moet_code),
        ]:
            service.create_user(
                s,
                UserCreate(username=username, password=PASSWORD, role=role, institution_code=code),
            )
    app = create_app(db.settings())
    yield TestClient(app)
    app.state.ctx.dispose()


def _login(client: TestClient, username: str = "officer") -> str:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    return str(body["access_token"])


def test_token_login_contract(client: TestClient) -> None:
    token = _login(client)
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["role"] == "institution_officer"
    assert me.json()["institution_id"] is not None


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"username": "officer", "password": "wrong"}, 401, "unauthorized"),
        ({"username": "nobody", "password": PASSWORD}, 401, "unauthorized"),
        ({"username": "officer"}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
    ],
)
def test_bad_logins(client: TestClient, data: dict[str, str], status: int, code: str) -> None:
    response = client.post("/api/v1/auth/token", data=data)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "details"}


def test_repeated_failures_are_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": "officer", "password": "nope"})
    response = client.post("/api/v1/auth/token", data={"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_named_token_listed_without_secret_then_revoked(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {_login(client)}"}
    created = client.post("/api/v1/auth/tokens", json={"name": "SIS nightly"}, headers=auth)
    assert created.status_code == 201
    machine = {"Authorization": f"Bearer {created.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=machine).status_code == 200
    listed = client.get("/api/v1/auth/tokens", headers=auth).json()
    assert [t["name"] for t in listed] == ["api-login", "SIS nightly"]
    assert created.json()["access_token"] not in str(listed)
    token_id = listed[1]["id"]
    assert client.post(f"/api/v1/auth/tokens/{token_id}/revoke", headers=auth).status_code == 204
    refused = client.get("/api/v1/auth/me", headers=machine)
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"


def test_cannot_revoke_someone_elses_token(client: TestClient) -> None:
    mine = {"Authorization": f"Bearer {_login(client)}"}
    theirs = {"Authorization": f"Bearer {_login(client, 'other')}"}
    their_id = client.get("/api/v1/auth/tokens", headers=theirs).json()[0]["id"]
    response = client.post(f"/api/v1/auth/tokens/{their_id}/revoke", headers=mine)
    assert response.status_code == 404
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 200


def test_garbage_token_is_401_not_500(client: TestClient) -> None:
    for value in ["Bearer ", "Bearer x", "Bearer " + "x" * 5000, "Basic abc"]:
        response = client.get("/api/v1/auth/me", headers={"Authorization": value})
        assert response.status_code == 401
