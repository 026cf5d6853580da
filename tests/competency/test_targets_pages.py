"""The targets page (an officer's own programs against the framework, with the upload form),
the ministry's coverage view and their API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.web.app import create_app
from tests.competency.world import World, run, target
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user

API = "/api/v1/competency"


def test_officer_sees_own_targets_ministry_sees_the_gaps(
    db: TestDB,
    engine: Engine,
    cipher: IdCipher,
    sessions: sessionmaker[HemisSession],
    scene: World,
) -> None:
    rows = [target("P1", code, 5) for code in ("1.1", "1.2", "1.3")] + [target("P2", "1.1", 3)]
    assert run(engine, cipher, "competency_targets", rows, scene.a).rows_written == 4
    make_user(sessions, "officer_a", Role.institution_officer, scene.a_code)
    make_user(sessions, "admin", Role.ministry_admin)
    app = create_app(db.settings())
    try:
        with TestClient(app) as officer, TestClient(app) as admin:
            assert login(officer, "officer_a").status_code == 303
            page = officer.get(f"/competency/targets?institution_id={scene.b}")  # ignored
            assert page.status_code == 200
            assert "Trường Đại học Năng Lực Số" in page.text
            row = re.search(r'<tr id="program-P1">(.*?)</tr>', page.text, re.S)
            assert row is not None
            assert row.group(1).count(">NC1</abbr>") == 3
            assert 'action="/submissions/upload"' in page.text
            assert 'value="competency_targets"' in page.text
            assert officer.get("/competency/coverage").status_code == 403
            mine = officer.get(f"{API}/institutions/{scene.a}/targets").json()["items"]
            assert {p["code"]: p["targets"] for p in mine} == {
                "P1": {"1.1": 5, "1.2": 5, "1.3": 5},
                "P2": {"1.1": 3},
            }
            assert officer.get(f"{API}/institutions/{scene.b}/targets").status_code == 404
            assert officer.get(f"{API}/coverage").status_code == 403

            assert login(admin, "admin").status_code == 303
            by_inst = admin.get(f"{API}/coverage?by=institution").json()["items"]
            a = next(r for r in by_inst if r["key"] == str(scene.a))
            b = next(r for r in by_inst if r["key"] == str(scene.b))
            assert (a["programs"], a["programs_with_targets"]) == (2, 2)
            assert a["counts"] == {"1.1": 2, "1.2": 1, "1.3": 1}
            assert len(a["uncovered"]) == 21
            assert "1.1" not in a["uncovered"]
            assert (b["programs"], b["programs_with_targets"], len(b["uncovered"])) == (1, 0, 24)
            by_field = admin.get(f"{API}/coverage?by=field").json()["items"]
            fields = {r["key"]: r for r in by_field}
            # P1 and B1 are 7480201 (field 48), P2 is 7340101 (field 34)
            assert fields["48"]["counts"] == {"1.1": 1, "1.2": 1, "1.3": 1}
            assert fields["48"]["programs"] == 2
            assert fields["34"]["counts"] == {"1.1": 1}
            region = admin.get(f"{API}/coverage?by=region").json()["items"]
            assert [r["programs"] for r in region] == [3]
            page = admin.get("/competency/coverage?by=field")
            assert page.status_code == 200
            assert "Chưa có chương trình nào đặt mục tiêu" in page.text
            assert admin.get(f"{API}/coverage?by=planet").status_code == 422
    finally:
        app.state.ctx.dispose()
