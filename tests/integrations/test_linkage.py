"""Linkage of the civil-servant roster to staff persons over real HTTP: deterministic on the
national ID through the blind index, probabilistic (splink) for records without a usable ID,
measured against the simulator's ground truth; clerical decisions survive a rerun. The
population is the synthetic nation (hemis synth), loaded once for the module on SQLite."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from hemis.config import Environment, Settings
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.integrations.linkage import band, one_to_one
from hemis.integrations.linkage_job import evaluate, link_roster
from hemis.integrations.models import PersonLink
from hemis.integrations.service import decide_link
from hemis.integrations.sync import national
from tests.conftest import TestDB
from tests.integrations.conftest import Nation, simulator


@pytest.fixture(scope="module")
def synth_nation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nation]:
    tmp = tmp_path_factory.mktemp("linkage")
    db = TestDB("sqlite", f"sqlite:///{tmp / 'hemis.db'}", f"sqlite:///{tmp / 'hemis.db'}")
    nation = Nation(db, db.settings(var_dir=tmp / "var"), make_engine(db.url), None, tmp / "var")  # type: ignore[arg-type]
    for args in (["db", "upgrade"], ["synth", "--scale", "0.003", "--seed", "9"]):
        subprocess.run(
            [sys.executable, "-m", "hemis", *args],
            env=nation.env(),
            check=True,
            capture_output=True,
            timeout=600,
        )
    yield nation
    nation.engine.dispose()


def test_roster_linkage_is_precise_and_complete(synth_nation: Nation) -> None:
    nation = synth_nation
    settings: Settings = nation.settings
    assert settings.env == Environment.test
    with simulator(nation, "civil-service") as base:
        report = link_roster(nation.engine, settings, base)
        truth = httpx.get(f"{base}/_sim/ground-truth").json()["roster"]
        quality = evaluate(nation.engine, truth)
        assert report["links"]["deterministic/linked"] > 0
        assert report["links"]["probabilistic/linked"] > 0
        assert quality["precision"] >= 0.97, quality
        assert quality["recall"] >= 0.9, quality

        # Every link says how it was made; a deterministic link is always right.
        with nation.engine.connect() as conn:
            national(conn)
            links = conn.execute(select(PersonLink)).all()
        assert all(link.method and link.decided_by for link in links)
        for link in links:
            if link.method == "deterministic":
                assert truth[link.registry_key] == link.person_id

        # A clerk's decision is kept by the next run.
        sessions = make_session_factory(nation.engine)
        chosen = next(link for link in links if link.method == "probabilistic")
        with scoped_session(sessions, Scope.system("clerk")) as s:
            s.execute(update(PersonLink).where(PersonLink.id == chosen.id).values(status="review"))
            s.commit()
            decide_link(s, chosen.id, accept=False)
        again = link_roster(nation.engine, settings, base)
        assert again["kept_decisions"] == 1
    with scoped_session(sessions, Scope.system()) as s:
        kept = s.get(PersonLink, chosen.id)
        assert kept is not None
        assert (kept.method, kept.status, kept.decided_by) == (
            "clerical",
            "rejected",
            "system:clerk",
        )


def test_bands_and_one_to_one() -> None:
    import polars as pl

    pairs = pl.DataFrame(
        {
            "registry_key": ["A", "A", "B", "C"],
            "person_id": [1, 2, 1, 3],
            "probability": [0.99, 0.6, 0.97, 0.3],
        }
    )
    chosen = {(c.registry_key, c.person_id) for c in one_to_one(pairs)}
    assert chosen == {("A", 1), ("C", 3)}  # B's best person is taken by a better pair
    assert [band(p) for p in (0.99, 0.95, 0.7, 0.2)] == ["linked", "linked", "review", "rejected"]


def test_nothing_to_link_is_not_an_error(tmp_path: Path) -> None:
    from hemis.integrations.linkage import prepare, score

    empty = pl_empty()
    assert score(prepare(empty, "key"), prepare(empty, "key")).is_empty()


def pl_empty():  # type: ignore[no-untyped-def]
    import polars as pl

    return pl.DataFrame(
        schema={
            "key": pl.String,
            "full_name": pl.String,
            "date_of_birth": pl.String,
            "sex": pl.String,
            "province": pl.String,
        }
    )
