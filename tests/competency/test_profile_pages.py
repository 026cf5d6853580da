"""Officers' pages of learners' assessed levels and the profile API: an officer reads their own
institution's learners only; the ministry reads any."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.web.app import create_app
from tests.competency.world import World, assessed, run, target
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user


def test_officer_lists_learners_and_reads_a_profile(
    db: TestDB,
    engine: Engine,
    cipher: IdCipher,
    sessions: sessionmaker[HemisSession],
    scene: World,
) -> None:
    run(engine, cipher, "competency_targets", [target("P1", "1.1", 5)], scene.a)
    run(
        engine,
        cipher,
        "digital_competencies",
        [assessed("SV1", "1.1", 3, on="2024-02-01"), assessed("SV1", "1.1", 6)],
        scene.a,
    )
    make_user(sessions, "officer_a", Role.institution_officer, scene.a_code)
    make_user(sessions, "analyst", Role.ministry_analyst)
    sv1, other = scene.learners["SV1"], scene.learners["B-SV1"]
    app = create_app(db.settings())
    try:
        with TestClient(app) as officer, TestClient(app) as analyst:
            assert login(officer, "officer_a").status_code == 303
            listing = officer.get("/competency/learners?q=SV")
            assert listing.status_code == 200
            assert f'href="/competency/learners/{sv1}"' in listing.text
            assert "B-SV1" not in listing.text
            assert 'value="digital_competencies_wide"' in listing.text
            page = officer.get(f"/competency/learners/{sv1}")
            assert page.status_code == 200
            assert '<td class="latest"><strong>NC2</strong></td>' in page.text
            assert "Đạt" in page.text
            assert officer.get(f"/competency/learners/{other}").status_code == 404
            body = officer.get(f"/api/v1/competency/learners/{sv1}/profile").json()
            one = next(i for i in body["items"] if i["code"] == "1.1")
            assert (one["target"], one["latest"]["level"], one["met"]) == (5, 6, True)
            assert [h["assessed_on"] for h in one["history"]] == ["2025-06-01", "2024-02-01"]
            assert officer.get(f"/api/v1/competency/learners/{other}/profile").status_code == 404
            assert login(analyst, "analyst").status_code == 303
            assert analyst.get(f"/api/v1/competency/learners/{other}/profile").status_code == 200
            national = analyst.get(f"/competency/learners?institution_id={scene.b}")
            assert "B-SV1" in national.text
            assert 'action="/submissions/upload"' not in national.text
    finally:
        app.state.ctx.dispose()
