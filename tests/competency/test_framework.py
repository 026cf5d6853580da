"""The framework as versioned reference data: the files (copied with their provenance), the
tables the migration loads from them, the public page and the API."""

from __future__ import annotations

import csv
import re
from importlib import resources

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from hemis.competency.framework import CURRENT_VERSION, framework, level_code
from hemis.competency.models import Competency, CompetencyLevel
from hemis.competency.reference import load_framework
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.web.app import create_app
from tests.conftest import TestDB

DATA = resources.files("hemis.competency.data")


def test_the_framework_has_6_domains_24_competencies_and_8_levels() -> None:
    fw = framework()
    assert [d.code for d in fw.domains] == ["1", "2", "3", "4", "5", "6"]
    assert [len(fw.in_domain(d.code)) for d in fw.domains] == [3, 6, 4, 4, 4, 3]
    assert fw.codes[0] == "1.1"
    assert fw.codes[-1] == "6.3"
    assert fw.size == 24
    assert [c.position for c in fw.competencies] == list(range(1, 25))
    # Circular 02/2025: 4 tiers of 2 levels, CB1–CB2, TC1–TC2, NC1–NC2, CS1–CS2.
    assert [level_code(n) for n in range(1, 9)] == [
        "CB1", "CB2", "TC1", "TC2", "NC1", "NC2", "CS1", "CS2",
    ]  # fmt: skip
    assert [lv.code_inferred for lv in fw.levels] == [False] * 5 + [True] * 3
    assert fw.competency("6.1").digcomp_equivalent.startswith("none")


def test_level_codes_agree_with_the_copied_english_descriptors() -> None:
    # The codes are ours to state (levels_vi.csv); the copied file writes them in its prose.
    for lv in framework().levels:
        assert re.search(rf"\b{lv.code}\b", lv.description_en), lv.level


def test_every_data_file_has_a_sources_section() -> None:
    sources = DATA.joinpath("SOURCES.md").read_text("utf-8")
    for item in DATA.iterdir():
        if item.name.endswith(".csv"):
            with item.open(encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            assert f"## {item.name} — {len(rows)} row" in sources, item.name


def test_the_migration_loaded_the_files_and_a_reload_changes_nothing(
    owner_engine: Engine, sessions: sessionmaker[HemisSession]
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        assert s.scalar(select(func.count()).select_from(Competency)) == 24
        names = dict(s.execute(select(Competency.code, Competency.name_vi)).all())
        assert names["3.4"] == "Lập trình"
        assert s.scalar(select(func.count()).select_from(CompetencyLevel)) == 8
    with owner_engine.begin() as conn:
        synced = load_framework(conn)
    assert {name: r.changed for name, r in synced.items()} == dict.fromkeys(synced, False)


def test_the_framework_page_and_api_are_public(db: TestDB) -> None:
    app = create_app(db.settings())
    try:
        with TestClient(app) as client:
            page = client.get("/competency/framework")
            assert page.status_code == 200
            assert "Khung năng lực số cho người học" in page.text
            assert 'id="competency-6.3"' in page.text
            assert "NC2" in page.text
            english = client.get("/competency/framework?lang=en")
            assert "Digital competency framework for learners" in english.text
            body = client.get("/api/public/competency/framework").json()
            assert body["version"] == CURRENT_VERSION
            assert body["current"] is True
            assert [len(d["competencies"]) for d in body["domains"]] == [3, 6, 4, 4, 4, 3]
            assert body["levels"][5] | {"description_vi": "", "description_en": ""} == {
                "level": 6, "code": "NC2", "code_inferred": True, "tier_code": "NC",
                "tier_name_vi": "Nâng cao", "tier_name_en": "Advanced",
                "description_vi": "", "description_en": "",
            }  # fmt: skip
            versions = client.get("/api/public/competency/frameworks").json()["items"]
            assert [v["version"] for v in versions] == [CURRENT_VERSION]
            missing = client.get("/api/public/competency/framework?version=TT99-2030")
            assert missing.status_code == 404
            assert missing.json()["code"] == "not_found"
            bad = client.get("/api/public/competency/framework?version=a b")
            assert bad.status_code == 422
    finally:
        app.state.ctx.dispose()
