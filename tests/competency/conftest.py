"""Fixtures of the competency tests: the scenery on the per-test database (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from tests.competency.world import World, seed


@pytest.fixture
def scene(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> World:
    return seed(sessions, cipher)
