"""The admissions API end to end: the ministry opens the year, registers candidates and imports
results; an institution publishes its offers and conversion table; the ministry runs a round;
each institution then reads its own results only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.registry.rules import make_national_id
from hemis.web.app import create_app
from tests import factories
from tests.admissions import world
from tests.conftest import TestDB
from tests.web.page_factories import PASSWORD, make_user

API = "/api/v1/admissions"


class Caller:
    def __init__(self, client: TestClient, username: str) -> None:
        response = client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.client = client
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def __call__(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        headers = dict(self.headers)
        if method == "PATCH":  # a client that reads, then writes (If-Match: what it read)
            read = self.client.get(API + path, headers=self.headers)
            headers["If-Match"] = read.headers["etag"]
        response = self.client.request(method, API + path, headers=headers, **kw)
        assert response.status_code == expect, response.text
        return response.json()


@pytest.fixture
def client(db: TestDB) -> Iterator[TestClient]:
    app = create_app(db.settings())
    with TestClient(app) as test_client:
        yield test_client
    app.state.ctx.dispose()


def test_a_round_through_the_api(
    client: TestClient, sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    with scoped_session(sessions, world.system()) as s:
        mine = factories.institution(s, "DHA", name_vi="Đại học A")
        other = factories.institution(s, "DHB", name_vi="Đại học B")
        programs = [world.program(s, mine, "CNTT").id, world.program(s, other, "KT").id]
        s.commit()
        mine_id, other_id = mine.id, other.id
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "dha.officer", Role.institution_officer, "DHA")
    make_user(sessions, "dhb.officer", Role.institution_officer, "DHB")
    admin, officer = Caller(client, "bo.admin"), Caller(client, "dha.officer")
    now = dt.datetime.now(dt.UTC)
    admin(
        "POST",
        "/years",
        201,
        json={
            "year": 2025,
            "registration_opens_at": (now - dt.timedelta(days=30)).isoformat(),
            "registration_closes_at": (now - dt.timedelta(days=20)).isoformat(),
            "wishes_open_at": (now - dt.timedelta(days=10)).isoformat(),
            "wishes_close_at": (now + dt.timedelta(days=1)).isoformat(),
        },
    )
    numbers = []
    for serial, name in enumerate(["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường"], start=1):
        sex = "female" if serial == 2 else "male"
        reg = admin(
            "POST",
            "/registrations",
            201,
            json={
                "year": 2025,
                "national_id": make_national_id("001", sex, 2007, serial),
                "full_name": name,
                "date_of_birth": "2007-03-04",
                "sex": sex,
                **world.registration_fields().model_dump(mode="json"),
            },
        )
        numbers.append(reg["candidate_number"])
    csv = "candidate_number,math,literature,physics,chemistry\n" + "".join(
        f"{n},{m},7,{m},{m}\n" for n, m in zip(numbers, ("9", "8", "7"), strict=True)
    )
    report = admin(
        "POST",
        "/results",
        201,
        data={"year": "2025", "method": "exam", "source": "Bộ GD&ĐT"},
        files={"file": ("exam.csv", csv.encode(), "text/csv")},
    )
    assert report["scores"] == 12
    offer = officer(
        "POST",
        "/offers",
        201,
        json={
            "year": 2025,
            "program_id": programs[0],
            "code": "7480201",
            "quota": 2,
            "methods": ["exam", "hsa"],
            "combinations": {"A00": "0", "C01": "-0.5"},
            "floor": "15",
            "tiebreaks": ["math", "wish_rank"],
        },
    )
    assert offer["institution_id"] == mine_id
    assert offer["combinations"] == {
        "A00": "0.00",
        "C01": "-0.50",
    }
    officer(
        "POST",
        "/offers",
        403,
        json={
            "year": 2025,
            "program_id": programs[1],
            "code": "X",
            "quota": 1,
            "methods": ["exam"],
            "combinations": {"A00": "0"},
            "institution_id": other_id,
        },
    )
    officer(
        "POST",
        "/conversion-tables",
        201,
        json={
            "year": 2025,
            "method": "hsa",
            "points": [["0", "0"], ["100", "24"], ["150", "30"]],
        },
    )
    officer(
        "POST",
        "/conversion-tables",
        422,
        json={
            "year": 2025,
            "method": "hsa",
            "points": [["0", "0"], ["100", "24"], ["140", "30"]],
        },
    )
    with scoped_session(sessions, world.system()) as s:
        from sqlalchemy import select

        from hemis.admissions.models import ExamRegistration

        for reg in s.scalars(select(ExamRegistration)):
            c = world.Candidate(reg.person_id, reg.candidate_number)
            world.wish(s, c, mine_id, offer["id"])
        s.commit()
    round_ = admin("POST", "/rounds", 201, json={"year": 2025, "is_final": True})
    admin("POST", f"/rounds/{round_['id']}/snapshot", 409)  # the wish window is still open
    admin(
        "PATCH",
        "/years/2025",
        200,
        json={"wishes_close_at": (now - dt.timedelta(hours=1)).isoformat()},
    )
    snap = admin("POST", f"/rounds/{round_['id']}/snapshot")
    assert snap["status"] == "snapshotted"
    assert len(snap["snapshot_sha256"]) == 64
    officer("PATCH", f"/offers/{offer['id']}", 409, json={"quota": 3})
    admin("POST", f"/rounds/{round_['id']}/run")
    assert officer("GET", f"/rounds/{round_['id']}", 404)  # not published yet
    admin("POST", f"/rounds/{round_['id']}/publish")
    assert admin("GET", f"/rounds/{round_['id']}/verification")["identical"]
    results = officer("GET", f"/rounds/{round_['id']}/results")["items"]
    assert [(r["offer_code"], r["admitted"], r["cutoff"]) for r in results] == [
        ("7480201", 2, "24.00")
    ]
    assert Caller(client, "dhb.officer")("GET", f"/rounds/{round_['id']}/results")["items"] == []
    applicants = officer("GET", f"/offers/{offer['id']}/applicants")
    assert [(a["full_name"], a["admitted"]) for a in applicants["items"]] == [
        ("Nguyễn Văn An", True),
        ("Trần Thị Bích", True),
        ("Lê Văn Cường", False),
    ]
    stats = admin("GET", "/statistics", params={"year": 2025})
    assert (stats["registrations"], stats["wishes"], stats["rounds"][0]["admitted"]) == (3, 3, 2)
