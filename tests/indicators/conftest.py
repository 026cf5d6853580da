"""Fixtures of the indicator tests: the hand-built world on the per-test database (both
backends), computed for 2025."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from tests.indicators.world import Built, build

TODAY = dt.date(2026, 5, 1)


@pytest.fixture
def built(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Built:
    return build(sessions, cipher)
