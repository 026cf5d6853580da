"""One e-ID stack (simulator + HEMIS, real processes) per test module and backend, on a database
holding an open admission year and a known person with an enrolment (the linking case)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hemis.common.crypto import IdCipher
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.identity.client import forget_provider
from hemis.registry.rules import make_national_id
from tests import factories
from tests.admissions import world
from tests.conftest import TestDB
from tests.identity.harness import EidStack, close_browsers
from tests.web.conftest import module_db  # noqa: F401 - the module-scoped database fixture

KNOWN_ID = make_national_id("001", "female", 2003, 424242)
KNOWN_NAME = "Lê Thị Known"


@dataclass
class Scene:
    stack: EidStack
    known_person_id: int


@pytest.fixture(scope="module")
def scene(module_db: TestDB, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:  # noqa: F811
    settings = module_db.settings()
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(module_db.owner_url)
    with scoped_session(make_session_factory(engine), world.system()) as s:
        world.calendar(s)
        inst = factories.institution(s, "KNW01", name_vi="Trường Đại học Known")
        prog = factories.program(s, inst, "KNW-P1", name_vi="Công nghệ thông tin")
        who = factories.person(s, cipher, KNOWN_ID, KNOWN_NAME, "female", dt.date(2003, 2, 3))
        factories.learner(s, prog, who, code="KNW-S1")
        s.commit()
        known = who.id
    engine.dispose()
    stack = EidStack(module_db, Path(tmp_path_factory.mktemp("eid")))
    stack.start()
    try:
        yield Scene(stack, known)
    finally:
        close_browsers()
        stack.stop()
        forget_provider(stack.idp_url)
