"""Fixtures of the submissions tests: the scenery on the per-test database (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from tests.submissions.world import World, seed
from tests.web.conftest import api, api_app, module_db, world  # noqa: F401 - the API tests' world


@pytest.fixture
def scene(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> World:
    return seed(sessions, cipher)
