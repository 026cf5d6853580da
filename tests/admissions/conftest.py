"""Fixtures of the admissions tests: a national session for setting up, and sessions that act as
a candidate account (the scopes the portal gives a candidate)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.admissions import access
from hemis.db.session import HemisSession, scoped_session
from tests.admissions import world

CandidateSession = Callable[[str], HemisSession]


@pytest.fixture
def s(sessions: sessionmaker[HemisSession]) -> Iterator[HemisSession]:
    """A national (system) session for building the scenery."""
    with scoped_session(sessions, world.system()) as session:
        yield session


@pytest.fixture
def as_candidate(sessions: sessionmaker[HemisSession]) -> Iterator[CandidateSession]:
    """`as_candidate(username)`: a session in that candidate account's own scope."""
    opened: list[HemisSession] = []

    def open_(username: str) -> HemisSession:
        with scoped_session(sessions, world.system()) as lookup:
            user = lookup.scalars(select(User).where(User.username == username)).one()
            principal = Principal(user.id, username, username, Role.candidate, None)
        session = sessions()
        access.bind_candidate(session, principal)
        opened.append(session)
        return session

    yield open_
    for session in opened:
        session.close()
