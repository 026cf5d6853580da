"""A small nation for the integration tests, and the registry simulators as real subprocesses
serving loopback HTTP (started after the nation is loaded: they copy their people at start)."""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Award
from hemis.registry.rules import make_national_id
from tests import factories
from tests.conftest import TestDB

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thu", "Ngọc", "Hữu", "Thanh", "Đức", "Gia"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Hà", "Huy", "Lan", "Mai", "Nam", "Phúc",
         "Quân", "Sơn", "Tâm", "Uyên", "Vinh", "Yến", "Hạnh", "Khánh", "Linh"]  # fmt: skip


@dataclass
class Nation:
    db: TestDB
    settings: Settings
    engine: Engine
    cipher: IdCipher
    var_dir: Path
    institutions: list[int] = field(default_factory=list)
    awards: list[tuple[int, int]] = field(default_factory=list)  # (institution, award id)
    learners: list[tuple[int, int]] = field(default_factory=list)
    person_of_learner: dict[int, int] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return os.environ | {
            "HEMIS_ENV": "test",
            "HEMIS_DATABASE_URL": self.db.url,
            "HEMIS_MIGRATION_DATABASE_URL": self.db.owner_url,
            "HEMIS_VAR_DIR": str(self.var_dir),
        }


def build_nation(db: TestDB, tmp_path: Path, people: int = 90, **overrides: Any) -> Nation:
    settings = db.settings(var_dir=tmp_path / "var", **overrides)
    engine = make_engine(db.url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    nation = Nation(db, settings, engine, cipher, tmp_path / "var")
    rng = random.Random(5)
    with scoped_session(make_session_factory(engine), Scope.system("test")) as s:
        insts = [factories.institution(s) for _ in range(2)]
        progs = [factories.program(s, inst) for inst in insts]
        nation.institutions = [i.id for i in insts]
        for n in range(people):
            sex = rng.choice(("male", "female"))
            year = rng.randrange(1998, 2004)
            who = factories.person(
                s,
                cipher,
                make_national_id(f"{rng.randrange(1, 97):03d}", sex, year, 1000 + n),
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                sex,
                dt.date(year, rng.randrange(1, 13), rng.randrange(1, 29)),
            )
            prog = progs[n % 2]
            graduated = n % 3 != 0
            learner = factories.learner(
                s,
                prog,
                who,
                status="graduated" if graduated else "enrolled",
                cohort_year=2020,
                admitted_on=dt.date(2020, 9, 5),
                status_date=dt.date(2024, 6, 30) if graduated else dt.date(2020, 9, 5),
            )
            nation.learners.append((learner.institution_id, learner.id))
            nation.person_of_learner[learner.id] = who.id
            if graduated:
                award = Award(
                    institution_id=learner.institution_id,
                    learner_id=learner.id,
                    diploma_number=f"VB-{n}",
                    awarded_on=dt.date(2024, 6, 30),
                    classification="good",
                )
                s.add(award)
                s.flush()
                nation.awards.append((award.institution_id, award.id))
            if n % 4 == 0:
                factories.staff(s, insts[0], who, permanent=True)
        s.commit()
    return nation


@pytest.fixture
def nation(db: TestDB, tmp_path: Path) -> Iterator[Nation]:
    n = build_nation(db, tmp_path)
    yield n
    n.engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def simulator(nation: Nation, kind: str, profile: str = "none", *extra: str) -> Iterator[str]:
    """`hemis registry-sim KIND` as a subprocess on a free port; yields its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "hemis", "registry-sim", kind, "--port", str(port),
        "--source", nation.db.owner_url, "--fault-profile", profile, "--seed", "11", *extra,
    ]  # fmt: skip
    proc = subprocess.Popen(command, env=nation.env(), stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"simulator exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                if httpx.get(f"{base}/_sim/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("simulator did not start in time")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
