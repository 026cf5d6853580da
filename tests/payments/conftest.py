"""Fixtures of the payment tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession
from hemis.payments.gateways.client import VnpayGateway
from tests.payments import scene


@pytest.fixture
def billed(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> list[scene.Billed]:
    return scene.build(sessions, cipher, 6)


@pytest.fixture
def offline_gateway(settings: Settings) -> VnpayGateway:
    """The VNPay adapter with no gateway behind it: enough to sign and read notifications."""
    return VnpayGateway("http://127.0.0.1:9", settings.vnpay_tmn_code, settings.vnpay_secret)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fault_profile(name): the sandbox gateway's fault profile")
