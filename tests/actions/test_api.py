"""The action-job API: the ministry's systems queue a long action (202 at once) and poll it to
its result; a second start of the same action is 409 naming the running job; bad kinds and
parameters are refused before anything is queued; only ministry administrators start actions."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.actions.models import ActionJob
from hemis.actions.runner import HOST
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.web.app import create_app
from tests.actions.world import RoundWorld, round_world
from tests.conftest import TestDB
from tests.web.page_factories import PASSWORD, make_user

API = "/api/v1/actions"


@pytest.fixture
def client(
    db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> Iterator[tuple[TestClient, RoundWorld]]:
    w = round_world(sessions, cipher)
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    make_user(sessions, "bk.officer", Role.institution_officer, "BKA")
    app = create_app(db.settings())
    with TestClient(app) as c:
        yield c, w
    app.state.ctx.dispose()


def token(client: TestClient, username: str) -> dict[str, str]:
    got = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert got.status_code == 200, got.text
    return {"Authorization": f"Bearer {got.json()['access_token']}"}


def count(sessions: sessionmaker[HemisSession]) -> int:
    with scoped_session(sessions, Scope.system("test")) as s:
        return int(s.scalar(select(func.count()).select_from(ActionJob)) or 0)


def wait(client: TestClient, headers: dict[str, str], job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = client.get(f"{API}/{job_id}", headers=headers).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def test_the_ministry_runs_a_round_through_the_api(
    client: tuple[TestClient, RoundWorld], sessions: sessionmaker[HemisSession]
) -> None:
    c, w = client
    admin = token(c, "bo.admin")
    for kind in ("round.snapshot", "round.run"):
        started = c.post(
            API, headers=admin, json={"kind": kind, "params": {"round_id": w.round_id}}
        )
        assert started.status_code == 202, started.text
        assert started.json()["status"] in ("queued", "running", "succeeded")
        done = wait(c, admin, started.json()["id"])
        assert done["status"] == "succeeded", done
        assert done["processed"] == done["total"] == 3
    assert done["result"]["admitted"] == 3
    listed = c.get(API, headers=token(c, "bo.analyst"))
    assert [a["kind"] for a in listed.json()] == ["round.run", "round.snapshot"]
    # a failure is a finished job with its reason, not an error of the request
    again = c.post(
        API, headers=admin, json={"kind": "round.run", "params": {"round_id": w.round_id}}
    )
    failed = wait(c, admin, again.json()["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "round_state"


def test_refusals_queue_nothing(
    client: tuple[TestClient, RoundWorld], sessions: sessionmaker[HemisSession]
) -> None:
    c, w = client
    admin = token(c, "bo.admin")
    with scoped_session(sessions, Scope.system("test")) as s:
        running = ActionJob(
            kind="round.snapshot",
            params={"round_id": w.round_id},
            lock_key=f"round:{w.round_id}",
            active_key=f"round:{w.round_id}",
            status="running",
            phase="scoring",
            actor="user:1",
            actor_role="ministry_admin",
            worker=f"{HOST}:{os.getpid()}",
            heartbeat_at=utcnow(),
        )
        s.add(running)
        s.commit()
        running_id = running.id
    busy = c.post(
        API, headers=admin, json={"kind": "round.run", "params": {"round_id": w.round_id}}
    )
    assert busy.status_code == 409
    assert busy.json()["code"] == "action_running"
    assert busy.json()["details"] == {"job_id": running_id}
    unknown = c.post(API, headers=admin, json={"kind": "round.fly", "params": {}})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "action_unknown"
    bad = c.post(API, headers=admin, json={"kind": "round.run", "params": {"round_id": "one"}})
    assert bad.status_code == 422
    bad_year = c.post(
        API,
        headers=admin,
        json={"kind": "registry.sync", "params": {"system": "insurance", "year": 3000}},
    )
    assert bad_year.status_code == 422
    assert bad_year.json()["details"][0]["field"] == "year"
    analyst = token(c, "bo.analyst")
    body = {"kind": "payments.reconcile", "params": {}}
    assert c.post(API, headers=analyst, json=body).status_code == 403
    officer = token(c, "bk.officer")
    assert c.post(API, headers=officer, json=body).status_code == 403
    assert c.get(f"{API}/{running_id}", headers=officer).status_code == 403
    assert count(sessions) == 1
