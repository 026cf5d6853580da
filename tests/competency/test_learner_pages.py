"""A learner's own pages: their record and competency profile against the program's targets,
nobody else's; the self-assessment questionnaire (refused answers keep what was typed and name
the statement; a kept result is marked self-assessed and never counted); an institution issues
a learner account; the national e-ID signs an enrolled person up as a learner."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.competency.models import CompetencySelfAssessment
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.identity.claims import Citizen
from hemis.identity.service import sign_in
from hemis.registry.rules import make_national_id
from hemis.web.app import create_app
from tests.competency.world import World, assessed, learner_user, run, target
from tests.conftest import TestDB
from tests.web.page_factories import csrf_of, login, make_user


def test_a_learner_sees_their_own_profile_and_self_assesses(
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
        [assessed("SV1", "1.1", 3), assessed("SV2", "1.1", 7)],
        scene.a,
    )
    learner_user(sessions, "lan", scene.persons["SV1"])
    app = create_app(db.settings())
    try:
        with TestClient(app) as client:
            assert login(client, "lan").status_code == 303
            assert client.get("/", follow_redirects=False).headers["location"] == "/me/competency"
            page = client.get("/me/competency")
            assert page.status_code == 200
            assert "Nguyễn Thị Lan" in page.text
            row = re.search(r'<tr id="state-1.1">(.*?)</tr>', page.text, re.S)
            assert row is not None
            assert "<strong>TC1</strong>" in row.group(1)  # level 3
            assert "Thiếu" in row.group(1)  # below the target NC1 by 2
            assert "CS1" not in page.text  # SV2's level 7 is not theirs
            records = client.get("/me/records")
            assert records.status_code == 200
            assert "SV1" in records.text
            # the staff pages and API are not theirs
            assert client.get(f"/competency/learners/{scene.learners['SV1']}").status_code == 403
            api = f"/api/v1/competency/learners/{scene.learners['SV1']}/profile"
            assert client.get(api).status_code == 403

            form = client.get("/me/competency/self/3.4")
            assert form.status_code == 200
            assert "Tôi tự viết chương trình ngắn" in form.text
            token = csrf_of(form.text)
            refused = client.post(
                "/me/competency/self/3.4",
                data={"csrf_token": token, "q1": "2", "q2": "1", "q4": "0"},
            )
            assert refused.status_code == 422
            assert "Câu 3: hãy chọn một câu trả lời" in refused.text
            assert re.search(r'name="q2" value="1" checked', refused.text)
            done = client.post(
                "/me/competency/self/3.4",
                data={"csrf_token": token, "q1": "2", "q2": "2", "q3": "1", "q4": "0"},
                follow_redirects=False,
            )
            assert done.status_code == 303
            page = client.get("/me/competency")
            mine = re.search(r'<tr id="self-3.4">(.*?)</tr>', page.text, re.S)
            assert mine is not None
            assert "TC2–NC1" in mine.group(1)
            assert "tự đánh giá" in mine.group(1)
            # never counted: the profile still has no assessed level for 3.4
            state = re.search(r'<tr id="state-3.4">(.*?)</tr>', page.text, re.S)
            assert state is not None
            assert "chưa đánh giá" in state.group(1)
            assert client.get("/me/competency/self/9.9").status_code == 404
    finally:
        app.state.ctx.dispose()
    with scoped_session(sessions, Scope.system("test")) as s:
        kept = s.scalars(select(CompetencySelfAssessment)).one()
        assert (kept.person_id, kept.answers, kept.band_low, kept.band_high) == (
            scene.persons["SV1"],
            "2210",
            4,
            5,
        )


def test_an_officer_issues_a_learner_account_once(
    db: TestDB, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    make_user(sessions, "officer_a", Role.institution_officer, scene.a_code)
    app = create_app(db.settings())
    try:
        with TestClient(app) as officer:
            assert login(officer, "officer_a").status_code == 303
            page = officer.get(f"/competency/learners/{scene.learners['SV2']}")
            url = f"/competency/learners/{scene.learners['SV2']}/account"
            issued = officer.post(url, data={"csrf_token": csrf_of(page.text)})
            assert issued.status_code == 200
            username = re.search(r'id="issued-username">([^<]+)<', issued.text)
            password = re.search(r'id="issued-password">([^<]+)<', issued.text)
            assert username is not None
            assert password is not None
            again = officer.post(url, data={"csrf_token": csrf_of(page.text)})
            assert again.status_code == 409
            assert "Người học đã có tài khoản" in again.text
            other = f"/competency/learners/{scene.learners['B-SV1']}/account"
            assert officer.post(other, data={"csrf_token": csrf_of(page.text)}).status_code == 404
        with TestClient(app) as learner:
            first = login(learner, username.group(1), password.group(1))
            assert first.status_code == 303
            # a one-time password leads to the change-password form first
            assert learner.get("/me/competency", follow_redirects=False).status_code == 303
    finally:
        app.state.ctx.dispose()
    with scoped_session(sessions, Scope.system("test")) as s:
        user = s.scalars(select(User).where(User.username == username.group(1))).one()
        assert (user.role, user.person_id, user.must_change_password) == (
            "learner",
            scene.persons["SV2"],
            True,
        )


def test_the_e_id_signs_an_enrolled_person_up_as_a_learner(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, scene: World
) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    enrolled = Citizen(scene.national_ids["SV3"], "Lê Hoàng Nam", dt.date(2005, 3, 3), 2)
    newcomer = Citizen(
        make_national_id("001", "female", 2008, 123456), "Đỗ Thị Mới", dt.date(2008, 1, 1), 2
    )
    with scoped_session(sessions, Scope.system("eid")) as s:
        assert sign_in(s, cipher, enrolled, "idp", "jti-1", expires).role is Role.learner
    with scoped_session(sessions, Scope.system("eid")) as s:
        assert sign_in(s, cipher, newcomer, "idp", "jti-2", expires).role is Role.candidate
    with scoped_session(sessions, Scope.system("eid")) as s:  # the learner comes back
        assert sign_in(s, cipher, enrolled, "idp", "jti-3", expires).role is Role.learner


STAFF_PAGES = (
    "/institutions", "/submissions", "/indicators", "/admissions/ministry",
    "/admissions/institution", "/payments/ministry", "/integrations", "/actions",
    "/competency/targets", "/competency/coverage", "/competency/learners",
    "/competency/credentials", "/competency/indicators", "/api/v1/institutions",
    "/api/v1/competency/coverage", "/api/v1/competency/indicators", "/api/v1/admissions/years",
)  # fmt: skip


def test_a_learner_reaches_nothing_but_their_own_pages(
    db: TestDB, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    learner_user(sessions, "lan", scene.persons["SV1"])
    app = create_app(db.settings())
    try:
        with TestClient(app) as client:
            login(client, "lan")
            for path in STAFF_PAGES:
                assert client.get(path, follow_redirects=False).status_code == 403, path
            learners = f"/api/v1/competency/learners/{scene.learners['SV1']}/profile"
            assert client.get(learners).status_code == 403
            assert client.get("/competency", follow_redirects=False).status_code == 303
            assert client.get("/me/competency").status_code == 200
    finally:
        app.state.ctx.dispose()
