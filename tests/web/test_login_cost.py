"""Login cost (ADR 0024): argon2id at an OWASP minimum, older hashes replaced at a successful
login through the real endpoints, and candidate sessions that last a results day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.models import User, WebSession
from hemis.accounts.passwords import (
    PASSWORD_HASH_PARAMETERS,
    HashParameters,
    hash_one_time_password,
    hash_password,
    parameters_of,
    verify_password,
)
from hemis.accounts.roles import Role
from hemis.audit.models import AuditEntry
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.web.app import create_app
from hemis.web.deps import SESSION_COOKIE
from tests.conftest import TestDB
from tests.web.page_factories import PASSWORD, login, make_user

# OWASP Password Storage Cheat Sheet, "Argon2id": five settings that "provide an equal level of
# defense" (memory in KiB, iterations, parallelism).
OWASP_ARGON2ID_MINIMUMS = [
    HashParameters(47104, 1, 1),
    HashParameters(19456, 2, 1),
    HashParameters(12288, 3, 1),
    HashParameters(9216, 4, 1),
    HashParameters(7168, 5, 1),
]
# What HEMIS stored before ADR 0024: argon2-cffi's default (RFC 9106 low-memory profile).
OLD = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


def _meets_an_owasp_minimum(params: HashParameters) -> bool:
    return any(
        params.memory_kib >= low.memory_kib
        and params.iterations >= low.iterations
        and params.parallelism >= low.parallelism
        for low in OWASP_ARGON2ID_MINIMUMS
    )


def test_the_parameters_meet_an_owasp_minimum() -> None:
    assert _meets_an_owasp_minimum(PASSWORD_HASH_PARAMETERS)
    # The check itself refuses a setting below every minimum.
    assert not _meets_an_owasp_minimum(HashParameters(7168, 4, 1))
    assert not _meets_an_owasp_minimum(HashParameters(19455, 2, 1))


def test_new_hashes_carry_the_parameters() -> None:
    for made in (hash_password("mat-khau-moi-1"), hash_one_time_password("abcd-efgh-jkmn")):
        assert made.startswith("$argon2id$")
        assert parameters_of(made) == PASSWORD_HASH_PARAMETERS


def test_an_old_hash_still_verifies() -> None:
    old = OLD.hash(PASSWORD)
    assert verify_password(old, PASSWORD)
    assert not verify_password(old, PASSWORD + "x")


@pytest.fixture
def client(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[TestClient]:
    make_user(sessions, "officer.old", Role.ministry_admin)
    make_user(sessions, "candidate.old", Role.candidate)
    with scoped_session(sessions, Scope.system("test")) as s:
        for user in s.scalars(select(User)):
            user.password_hash = OLD.hash(PASSWORD)
        s.commit()
    app = create_app(db.settings())
    with TestClient(app) as test_client:
        yield test_client
    app.state.ctx.dispose()


def _stored(sessions: sessionmaker[HemisSession], username: str) -> tuple[str, list[AuditEntry]]:
    with scoped_session(sessions, Scope.system("test")) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        entries = list(
            s.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity == "app_user",
                    AuditEntry.entity_id == str(user.id),
                    AuditEntry.action == "password_rehash",
                )
            )
        )
        return user.password_hash, entries


def test_an_api_login_rehashes_an_old_hash_once_and_audits_it(
    client: TestClient, sessions: sessionmaker[HemisSession]
) -> None:
    before, _ = _stored(sessions, "officer.old")
    response = client.post(
        "/api/v1/auth/token", data={"username": "officer.old", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    after, entries = _stored(sessions, "officer.old")
    assert after != before
    assert parameters_of(after) == PASSWORD_HASH_PARAMETERS
    assert verify_password(after, PASSWORD)
    assert len(entries) == 1
    assert entries[0].after is not None
    assert entries[0].after["parameters_before"] == {
        "memory_kib": 65536,
        "iterations": 3,
        "parallelism": 4,
    }
    assert entries[0].after["parameters_after"] == asdict(PASSWORD_HASH_PARAMETERS)
    assert "password_hash" not in entries[0].after
    assert PASSWORD not in str(entries[0].after)
    # The next login finds nothing to rehash.
    again = client.post(
        "/api/v1/auth/token", data={"username": "officer.old", "password": PASSWORD}
    )
    assert again.status_code == 200
    still, entries_after = _stored(sessions, "officer.old")
    assert still == after
    assert [e.seq for e in entries_after] == [e.seq for e in entries]


def test_a_failed_login_rehashes_nothing(
    client: TestClient, sessions: sessionmaker[HemisSession]
) -> None:
    before, _ = _stored(sessions, "officer.old")
    wrong = {"username": "officer.old", "password": "sai-mat-khau"}
    assert client.post("/api/v1/auth/token", data=wrong).status_code == 401
    assert login(client, "candidate.old", "sai-mat-khau").status_code == 401
    assert _stored(sessions, "officer.old") == (before, [])
    candidate_hash, entries = _stored(sessions, "candidate.old")
    assert parameters_of(candidate_hash).memory_kib == 65536
    assert entries == []


def _session_hours(sessions: sessionmaker[HemisSession], username: str) -> float:
    with scoped_session(sessions, Scope.system("test")) as s:
        row = s.execute(
            select(WebSession)
            .join(User, User.id == WebSession.user_id)
            .where(User.username == username)
        ).scalar_one()
        return (row.expires_at - row.created_at) / dt.timedelta(hours=1)


def _cookie_max_age(response_cookie: str) -> int:
    part = next(p for p in response_cookie.split(";") if p.strip().lower().startswith("max-age"))
    return int(part.split("=")[1])


def test_a_candidate_page_login_rehashes_and_lasts_a_results_day(
    client: TestClient, sessions: sessionmaker[HemisSession], db: TestDB
) -> None:
    response = login(client, "candidate.old")
    assert response.status_code == 303
    stored, entries = _stored(sessions, "candidate.old")
    assert parameters_of(stored) == PASSWORD_HASH_PARAMETERS
    assert len(entries) == 1
    settings = db.settings()
    assert settings.candidate_session_hours >= 12
    assert _session_hours(sessions, "candidate.old") == settings.candidate_session_hours
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert _cookie_max_age(cookie) == settings.candidate_session_hours * 3600


def test_a_staff_session_keeps_its_shorter_lifetime(
    client: TestClient, sessions: sessionmaker[HemisSession], db: TestDB
) -> None:
    client.cookies.clear()
    assert login(client, "officer.old").status_code == 303
    assert _session_hours(sessions, "officer.old") == db.settings().session_hours
    assert db.settings().session_hours < db.settings().candidate_session_hours


def test_a_candidate_session_shorter_than_a_day_is_refused(db: TestDB) -> None:
    with pytest.raises(ValidationError):
        db.settings(candidate_session_hours=11)
