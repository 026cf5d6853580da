"""National IDs: encrypted at rest, found through the blind index, never in logs."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
import structlog
from sqlalchemy import select, text

from hemis.common.crypto import IdCipher, mask
from hemis.config import DEV_ID_ENCRYPTION_KEY, Environment, Settings
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.logging import redact
from hemis.registry.models import Person
from tests import factories
from tests.conftest import TestDB

IDS = ["001099012345", "079301000777", "048205123456"]


def test_ciphertext_is_random_and_decrypts(cipher: IdCipher) -> None:
    a, b = cipher.encrypt(IDS[0]), cipher.encrypt(IDS[0])
    assert a != b
    assert cipher.decrypt(a) == cipher.decrypt(b) == IDS[0]
    assert cipher.blind_index(IDS[0]) == cipher.blind_index(IDS[0])
    assert cipher.blind_index(IDS[0]) != cipher.blind_index(IDS[1])


def test_tampered_ciphertext_is_refused(cipher: IdCipher) -> None:
    blob = bytearray(cipher.encrypt(IDS[0]))
    blob[-1] ^= 1
    with pytest.raises(Exception):  # noqa: B017,PT011 - cryptography raises InvalidTag
        cipher.decrypt(bytes(blob))


def test_blind_index_depends_on_the_key() -> None:
    one = IdCipher(b"k" * 32, b"a" * 32)
    two = IdCipher(b"k" * 32, b"b" * 32)
    assert one.blind_index(IDS[0]) != two.blind_index(IDS[0])


def test_no_plaintext_id_in_the_sqlite_file(sqlite_db: TestDB, cipher: IdCipher) -> None:
    from hemis.db.session import make_engine, make_session_factory

    engine = make_engine(sqlite_db.url)
    with scoped_session(make_session_factory(engine), Scope.system("test")) as s:
        for n, national_id in enumerate(IDS):
            factories.person(s, cipher, national_id, f"Người Thử {n}", "male")
        s.commit()
        found = s.scalar(
            select(Person).where(Person.national_id_index == cipher.blind_index(IDS[1]))
        )
        assert found is not None
        assert found.full_name == "Người Thử 1"
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    path = sqlite_db.url.removeprefix("sqlite:///")
    raw = b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if os.path.exists(p))
    assert b"Ng" in raw  # names are stored (sanity: the file holds the rows)
    for national_id in IDS:
        assert national_id.encode() not in raw
        assert national_id.encode("utf-16-le") not in raw


@pytest.mark.usefixtures("app_logging")
def test_logs_redact_national_ids(capsys: pytest.CaptureFixture[str]) -> None:
    log = structlog.get_logger("hemis.test")
    log.info("lookup", query=f"id={IDS[0]}", nested={"ids": [IDS[1]]}, note="cmnd 123456789")
    out = capsys.readouterr().err  # logs go to stderr, stdout stays the command's
    for national_id in [*IDS[:2], "123456789"]:
        assert national_id not in out
    event = json.loads(out.strip().splitlines()[-1])
    assert event["query"] == "id=[national-id]"


def test_redact_leaves_other_numbers() -> None:
    assert redact("2026 and 12345 and 1234567890123") == "2026 and 12345 and 1234567890123"


def test_mask_shows_last_three_only() -> None:
    assert mask("001099012345") == "*********345"


def test_development_keys_are_refused_in_production() -> None:
    with pytest.raises(ValueError, match="development keys are refused"):
        Settings(env=Environment.production)
    ok = Settings(env=Environment.production, **factories.production_keys())  # type: ignore[arg-type]
    assert ok.id_encryption_key != DEV_ID_ENCRYPTION_KEY


def test_keys_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Settings(id_encryption_key=base64.b64encode(b"short").decode())
