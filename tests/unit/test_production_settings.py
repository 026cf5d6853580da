"""Production refuses cookies without the Secure flag, and a refused configuration names the
setting without ever echoing its value (a secret must not reach a terminal or a log)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from hemis.config import Environment, Settings
from tests.factories import production_keys


def _production_env() -> dict[str, str]:
    keys = {f"HEMIS_{k.upper()}": v for k, v in production_keys().items()}
    return {"HEMIS_ENV": "production"} | keys


def _settings(env: dict[str, str]) -> Settings:
    values = {k.removeprefix("HEMIS_").lower(): v for k, v in env.items()}
    return Settings(**values)  # type: ignore[arg-type]


def test_production_refuses_cookies_without_the_secure_flag() -> None:
    env = _production_env()
    assert _settings(env).cookie_secure
    with pytest.raises(ValidationError, match="HEMIS_COOKIE_SECURE"):
        _settings(env | {"HEMIS_COOKIE_SECURE": "false"})
    assert _settings(env | {"HEMIS_ENV": "test", "HEMIS_COOKIE_SECURE": "false"}).env == (
        Environment.test
    )


def test_settings_never_show_their_secrets() -> None:
    env = _production_env()
    shown = repr(_settings(env)) + str(_settings(env))
    for name in ("HEMIS_SECRET_KEY", "HEMIS_ID_ENCRYPTION_KEY", "HEMIS_VNPAY_HASH_SECRET"):
        assert env[name] not in shown


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ({"HEMIS_COOKIE_SECURE": "false"}, "HEMIS_COOKIE_SECURE"),
        ({"HEMIS_ID_ENCRYPTION_KEY": "not-base64-but-a-SECRET-value"}, "id_encryption_key"),
        ({"HEMIS_BLIND_INDEX_KEY": base64.b64encode(b"16 bytes secret!").decode()}, "32 bytes"),
        ({"HEMIS_SECRET_KEY": "short-SECRET"}, "HEMIS_SECRET_KEY"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["-m", "hemis", "db", "upgrade"],  # the CLI's own message
        ["-c", "import hemis.web.asgi"],  # what uvicorn imports: an uncaught traceback
    ],
)
def test_a_refused_production_configuration_prints_no_secret(
    broken: dict[str, str], named: str, command: list[str]
) -> None:
    env = _production_env() | broken
    done = subprocess.run(
        [sys.executable, *command],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert named in output
    for name, value in env.items():
        if name != "HEMIS_ENV" and len(value) >= 8:
            assert value not in output, name
            assert value[:12] not in output, name
            assert value[-12:] not in output, name
