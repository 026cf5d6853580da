"""Fixtures of the demo-year tests: a small registry (three institutions, a dozen bachelor
programs of several fields, one master program that must not be offered), a candidate account,
and a DemoContext acting as `hemis demo` does."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.demo.context import DemoContext
from tests import factories
from tests.web.page_factories import make_user

SEED = 7
CANDIDATES = 90
CANDIDATE_LOGIN = "thi.sinh.demo"
# (institution code, discipline codes of its bachelor programs)
REGISTRY = (
    ("BKA", ("7480201", "7520103", "7340101", "7140202")),
    ("KHA", ("7340101", "7310101", "7380101", "7220201")),
    ("YHB", ("7720101", "7480201", "7220201", "7310101")),
)


def seed_registry(sessions: sessionmaker[HemisSession]) -> list[int]:
    with scoped_session(sessions, Scope.system("test")) as s:
        ids = []
        for code, disciplines in REGISTRY:
            inst = factories.institution(s, code)
            for k, discipline in enumerate(disciplines):
                factories.program(s, inst, f"{code}{k}", discipline_code=discipline)
            factories.program(s, inst, f"{code}TS", level="master", discipline_code="8480101")
            ids.append(inst.id)
        s.commit()
    make_user(sessions, CANDIDATE_LOGIN, Role.candidate)
    return ids


@pytest.fixture
def institutions(sessions: sessionmaker[HemisSession]) -> list[int]:
    return seed_registry(sessions)


@pytest.fixture
def demo(
    settings: Settings,
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
    institutions: list[int],
) -> DemoContext:
    return DemoContext(settings, engine, sessions, cipher, Scope.system("test"), SEED)
