"""Fixtures of the API tests: an app on the test database, two institutions full of data, one
user per role with a bearer token obtained through POST /api/v1/auth/token.

Institution B's rows carry the marker "ZQXB" in every text field and ids in 6 660 000–6 669 999,
so a response that leaks any of them can be recognised (tests/web/test_tenancy_routes.py).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from hemis.accounts import passwords, service
from hemis.accounts.roles import Role
from hemis.accounts.schemas import UserCreate
from hemis.common.crypto import IdCipher
from hemis.db.base import Base
from hemis.db.session import HemisSession, make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import (
    Asset,
    Award,
    Campus,
    Expenditure,
    Facility,
    LearnerStatusEvent,
    ReportingPeriod,
    ResourceSummary,
    Revenue,
    StaffChange,
    TermResult,
)
from hemis.registry.rules import make_national_id
from hemis.web.app import create_app
from tests import factories
from tests.admissions.seed_world import seed_admissions
from tests.competency.seed_world import seed_competency
from tests.conftest import TestDB, _fresh_sqlite, _pg_conninfo, _pg_url
from tests.indicators.seed_world import seed_indicators
from tests.integrations.seed_world import seed_integrations
from tests.submissions.seed_world import seed_submissions

API = "/api/v1"
PASSWORD = "mat-khau-api-thu-nghiem"
B_MARKER = "ZQXB"
B_FIRST_ID = 6_660_000
AFTER_B_ID = 8_000_000
B_ID_PATTERN = re.compile(r"(?<!\d)666\d{4}(?!\d)")

# Who calls, by fixture name: role and institution ("a", "b" or None).
USERS: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.ministry_admin, None),
    "analyst": (Role.ministry_analyst, None),
    "officer_a": (Role.institution_officer, "a"),
    "officer_b": (Role.institution_officer, "b"),
    "candidate": (Role.candidate, None),
}


def national_id(sex: str, year: int, serial: int) -> str:
    return make_national_id("001", sex, year, serial)


@dataclass
class Seeded:
    """Ids of one institution's rows, by entity (the API's path words) and the national IDs."""

    institution_id: int
    moet_code: str
    ids: dict[str, int] = field(default_factory=dict)
    national_ids: list[str] = field(default_factory=list)


def _set_next_ids(session: Session, next_id: int) -> None:
    """Start every table's ids at `next_id` (ids come from one counter row per table)."""
    for name in Base.metadata.tables:
        session.execute(
            text(
                "INSERT INTO id_allocator (name, next_id) VALUES (:n, :v) "
                "ON CONFLICT (name) DO UPDATE SET next_id = :v"
            ),
            {"n": name, "v": next_id},
        )


def seed_institution(s: Session, cipher: IdCipher, code: str, tag: str, serial: int) -> Seeded:
    """One institution with a row of every registry entity; `tag` is in every text field."""
    inst = factories.institution(s, code, name_vi=f"Trường Đại học {tag}")
    out = Seeded(inst.id, inst.moet_code)
    campus = Campus(
        institution_id=inst.id,
        code=f"{tag}-C1",
        name=f"Cơ sở {tag}",
        address=f"Số 1 phố {tag}",
        province_code="01",
        is_main=True,
        land_area_m2=10000,
        floor_area_m2=5000,
    )
    s.add(campus)
    s.flush()
    prog = factories.program(s, inst, code=f"{tag}-P1", name_vi=f"Chương trình {tag}")
    nid_l, nid_s = national_id("male", 2003, serial), national_id("female", 1980, serial + 1)
    out.national_ids += [nid_l, nid_s]
    learner_person = factories.person(
        s, cipher, nid_l, f"Nguyễn Văn {tag}", "male", dt.date(2003, 1, 2)
    )
    staff_person = factories.person(
        s, cipher, nid_s, f"Trần Thị {tag}", "female", dt.date(1980, 3, 4)
    )
    learner = factories.learner(s, prog, learner_person, code=f"{tag}-S1")
    staff = factories.staff(s, inst, staff_person, code=f"{tag}-G1", unit=f"Khoa {tag}")
    rows: dict[str, Any] = {
        "facilities": Facility(
            institution_id=inst.id,
            campus_id=campus.id,
            kind="laboratory",
            room_count=3,
            floor_area_m2=120,
        ),
        "resource-summaries": ResourceSummary(
            institution_id=inst.id,
            year=2024,
            lecturer_workspaces=10,
            library_titles=100,
            library_ebooks=50,
            computers=30,
            bandwidth_mbps=100,
        ),
        "revenues": Revenue(
            institution_id=inst.id,
            fiscal_year=2024,
            source="tuition_fees",
            activity="training",
            amount_vnd=5_000_000,
        ),
        "expenditures": Expenditure(
            institution_id=inst.id, fiscal_year=2024, category="salaries", amount_vnd=4_000_000
        ),
        "assets": Asset(
            institution_id=inst.id,
            category="equipment",
            description=f"Thiết bị {tag}",
            acquired_on=dt.date(2020, 1, 1),
            value_vnd=3_000_000,
        ),
        "status-events": LearnerStatusEvent(
            institution_id=inst.id,
            learner_id=learner.id,
            status="enrolled",
            effective_on=learner.admitted_on,
            reason=f"Nhập học {tag}",
        ),
        "term-results": TermResult(
            institution_id=inst.id,
            learner_id=learner.id,
            academic_year=2023,
            term=1,
            gpa=3.1,
            credits_earned=15,
        ),
        "award": Award(
            institution_id=inst.id,
            learner_id=learner.id,
            diploma_number=f"{tag}-D1",
            awarded_on=dt.date(2027, 7, 1),
            classification="good",
        ),
        "history": StaffChange(
            institution_id=inst.id,
            staff_id=staff.id,
            effective_on=dt.date(2024, 1, 1),
            before={"unit": f"Phòng {tag}"},
            after={"unit": f"Khoa {tag}"},
        ),
    }
    s.add_all(rows.values())
    s.flush()
    admissions = seed_admissions(s, inst.id, prog.id, tag)
    submissions = seed_submissions(s, inst.id, tag)
    integrations = seed_integrations(
        s, inst.id, (learner.id, learner_person.id), (staff.id, staff_person.id), tag
    )
    seed_indicators(s, inst.id, tag)
    seed_competency(s, inst.id, prog.id, learner.id, learner_person.id, tag)
    out.ids = {
        "institutions": inst.id,
        "campuses": campus.id,
        "programs": prog.id,
        "learners": learner.id,
        "staff": staff.id,
        "persons": learner_person.id,
        **{name: row.id for name, row in rows.items()},
        **admissions,
        **submissions,
        **integrations,
    }
    return out


@dataclass
class World:
    a: Seeded
    b: Seeded
    period_id: int


def _cheap_hasher() -> PasswordHasher:
    # The default argon2 cost is ~0.5 s a hash; each world makes 5 users.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def build_world(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> World:
    with scoped_session(sessions, Scope.system("test")) as s:
        # The period first: each institution's submission rows belong to it.
        period = ReportingPeriod(
            year=2024,
            name="Kỳ báo cáo 2024",
            cutoff_on=dt.date(2024, 12, 31),
            finance_cutoff_on=dt.date(2024, 12, 31),
            opens_on=dt.date(2025, 1, 5),
            closes_on=dt.date(2025, 3, 31),
        )
        s.add(period)
        s.flush()
        a = seed_institution(s, cipher, "AAA01", "Alpha", 1)
        _set_next_ids(s, B_FIRST_ID)
        b = seed_institution(s, cipher, f"{B_MARKER}01", B_MARKER, 101)
        _set_next_ids(s, AFTER_B_ID)
        s.commit()
        codes = {"a": a.moet_code, "b": b.moet_code}
        for username, (role, inst) in USERS.items():
            service.create_user(
                s,
                UserCreate(
                    username=username,
                    password=PASSWORD,
                    role=role,
                    institution_code=codes[inst] if inst else None,
                    signatory=username == "officer_a",  # A's head signs its submissions off
                ),
            )
        return World(a, b, period.id)


@pytest.fixture
def world(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> World:
    """A fresh world per test (for tests that write)."""
    monkeypatch.setattr(passwords, "_hasher", _cheap_hasher())
    return build_world(sessions, cipher)


class Api:
    """A TestClient that calls as one of the USERS (tokens from POST /api/v1/auth/token)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}
        self.responses: list[Response] = []

    def login(self, username: str) -> str:
        response = self.client.post(
            f"{API}/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        token = str(response.json()["access_token"])
        self.tokens[username] = token
        return token

    def headers(self, who: str) -> dict[str, str]:
        token = self.tokens.get(who) or self.login(who)
        return {"Authorization": f"Bearer {token}"}

    def request(
        self,
        who: str,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Response:
        """`path` is under /api/v1 unless it starts with a slash."""
        url = path if path.startswith("/") else f"{API}/{path}"
        sent = self.headers(who) | (headers or {})
        response = self.client.request(method, url, headers=sent, **kwargs)
        self.responses.append(response)
        return response

    def get(self, who: str, path: str, **params: Any) -> Response:
        return self.request(who, "GET", path, params=params or None)

    def post(self, who: str, path: str, body: Any) -> Response:
        return self.request(who, "POST", path, json=body)

    def patch(self, who: str, path: str, body: Any, if_match: str | None = None) -> Response:
        """PATCH with If-Match: `if_match`, else the ETag a GET of the same path answers now
        (a client that reads, then writes); none if that GET fails (the row is not theirs)."""
        if if_match is None:
            if_match = self.get(who, path).headers.get("etag")
        headers = {"If-Match": if_match} if if_match else {}
        return self.request(who, "PATCH", path, headers=headers, json=body)

    def items(self, who: str, path: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(who, path, **params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@pytest.fixture
def api_app(db: TestDB) -> Iterator[FastAPI]:
    app = create_app(db.settings())
    yield app
    app.state.ctx.dispose()


@pytest.fixture
def api(api_app: FastAPI, world: World) -> Iterator[Api]:
    with TestClient(api_app) as client:
        yield Api(client)


# --- one database per test module, for tests that only read or are refused -----------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDB]:
    """Like the `db` fixture, but shared by a module's tests (a database costs ~2 s on
    PostgreSQL, and most error-shape tests leave no trace)."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        yield _fresh_sqlite(template, tmp_path_factory.mktemp("module_db"))
        return
    pg_template: str = request.getfixturevalue("pg_template")
    name = f"hemis_m_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield TestDB("postgres", _pg_url(name, "hemis_app"), _pg_url(name))
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Shared:
    api: Api
    world: World
    db: TestDB
    sessions: sessionmaker[HemisSession]
    cipher: IdCipher


@pytest.fixture(scope="module")
def shared(module_db: TestDB) -> Iterator[Shared]:
    """An app, a world and logged-in users shared by one module's tests."""
    settings = module_db.settings()
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(module_db.url)
    sessions = make_session_factory(engine)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "_hasher", _cheap_hasher())
        world = build_world(sessions, cipher)
    app = create_app(settings)
    with TestClient(app) as client:
        yield Shared(Api(client), world, module_db, sessions, cipher)
    app.state.ctx.dispose()
    engine.dispose()


def error_of(response: Response) -> dict[str, Any]:
    """The error body, checked to be exactly {code, message, details}."""
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert isinstance(body["code"], str)
    assert body["message"]
    return body
