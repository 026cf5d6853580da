"""The admissions pages through HTTP: a candidate's journey (registration, wishes, the score
explanation, results and confirmation), an institution's offers and applicants, and the
ministry's round control."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.admissions.models import AdmissionOffer, Wish
from hemis.admissions.schemas import AdmissionYearUpdate
from hemis.admissions.service import update_year
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.types import utcnow
from hemis.web.app import create_app
from tests import factories
from tests.actions.support import finish
from tests.admissions import world
from tests.admissions.world import HOUR, YEAR, Candidate
from tests.conftest import TestDB
from tests.web.page_factories import csrf_of, hidden_fields, login, make_user


@dataclass
class Site:
    app: FastAPI
    sessions: sessionmaker[HemisSession]
    inst: int
    other_inst: int
    offers: list[int]
    a: Candidate
    b: Candidate

    def client(self, username: str) -> TestClient:
        client = TestClient(self.app)
        client.__enter__()
        assert login(client, username).status_code == 303
        return client


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Iterator[Site]:
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)
        inst = factories.institution(s, "BKA", name_vi="Đại học Bách khoa Hà Nội")
        other = factories.institution(s, "KHA", name_vi="Trường Đại học Kinh tế Quốc dân")
        offers = [
            world.offer(s, world.program(s, inst, "IT1"), 1, tiebreaks=["math"]),
            world.offer(s, world.program(s, inst, "EE1"), 1),
            world.offer(s, world.program(s, other, "QT1"), 5),
        ]
        a = world.candidate(s, cipher, 1, "Phạm Minh Anh")
        b = world.candidate(s, cipher, 2, "Vũ Thị Bình")
        world.import_exam(
            s,
            {
                a.number: {"math": "9", "physics": "8.5", "chemistry": "8.75"},
                b.number: {"math": "9.5", "physics": "9", "chemistry": "9"},
            },
        )
        world.wish(s, b, inst.id, offers[0])
        s.commit()
        site_ = Site(create_app(db.settings()), sessions, inst.id, other.id, offers, a, b)
    world.account(sessions, "thi.sinh.a", a.person_id)
    world.account(sessions, "thi.sinh.b", b.person_id)
    make_user(sessions, "bk.officer", Role.institution_officer, "BKA")
    make_user(sessions, "kt.officer", Role.institution_officer, "KHA")
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    yield site_
    site_.app.state.ctx.dispose()


def post(client: TestClient, url: str, page: str, **data: object) -> object:
    """Post the form of `page` that posts to `url`, with its hidden fields (the CSRF token, the
    version of the record it shows) and `data`."""
    html = client.get(page).text
    hidden = hidden_fields(html, url) if f'action="{url}"' in html else {}
    fields = {"csrf_token": csrf_of(html), **hidden, **data}
    return client.post(url, data=fields, follow_redirects=False)


def close_wishes(site: Site) -> None:
    with scoped_session(site.sessions, world.system()) as s:
        update_year(s, YEAR, AdmissionYearUpdate(wishes_close_at=utcnow() - HOUR))


def test_a_candidates_journey(site: Site) -> None:
    me = site.client("thi.sinh.a")
    home = me.get("/admissions")
    assert home.status_code == 200
    assert site.a.number in home.text
    saved = post(
        me,
        "/admissions/registration",
        "/admissions/registration",
        school_code="01001",
        school_name="THPT Chu Văn An",
        area="KV1",
        category="",
        graduation_year="2025",
        elective1="physics",
        elective2="chemistry",
        foreign_language="",
        technology_track="",
        exam_site="01",
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert "Khu vực 1" in me.get("/admissions").text
    bad = post(
        me,
        "/admissions/registration",
        "/admissions/registration",
        school_code="01001",
        school_name="X",
        area="KV1",
        graduation_year="2025",
        elective1="physics",
        elective2="physics",
        exam_site="01",
    )
    assert bad.status_code == 422
    assert "khác nhau" in bad.text
    found = me.get("/admissions/wishes", params={"q": "IT1"})
    assert "Ngành IT1" in found.text
    for offer in (site.offers[0], site.offers[1]):
        added = post(
            me, "/admissions/wishes", "/admissions/wishes", institution_id=site.inst, offer_id=offer
        )
        assert added.status_code == 303  # type: ignore[attr-defined]
    wishes = me.get("/admissions/wishes").text
    assert wishes.index("Ngành IT1") < wishes.index("Ngành EE1")
    ids = re.findall(r'action="/admissions/wishes/(\d+)/down"', wishes)
    assert post(me, f"/admissions/wishes/{ids[0]}/down", "/admissions/wishes").status_code == 303  # type: ignore[attr-defined]
    wishes = me.get("/admissions/wishes").text
    assert wishes.index("Ngành EE1") < wishes.index("Ngành IT1")
    # 26.25 + KV1 tapered: (30 − 26.25) / 7.5 × 0.75 = 0.375 → 0.38
    explained = me.get(f"/admissions/offers/{site.inst}/{site.offers[0]}/score")
    assert 'id="admission-score">26,63<' in explained.text
    assert 'id="priority">0,38' in explained.text
    # the ministry runs the final round; the candidate sees why and confirms
    close_wishes(site)
    admin = site.client("bo.admin")
    assert (
        post(
            admin,
            "/admissions/ministry/rounds",
            "/admissions/ministry",
            kind="regular",
            tie_policy="group",
            is_final="true",
        ).status_code
        == 303
    )  # type: ignore[attr-defined]
    page = admin.get("/admissions/ministry").text
    for action in ("snapshot", "run", "publish"):
        round_id = re.search(rf'/admissions/ministry/rounds/(\d+)/{action}"', page)
        assert round_id, action
        url = f"/admissions/ministry/rounds/{round_id.group(1)}/{action}"
        if action == "publish":
            # publishing cannot be undone: the first post only asks, and changes nothing
            asked = post(admin, url, "/admissions/ministry")
            assert asked.status_code == 200  # type: ignore[attr-defined]
            assert "Công bố không thể hoàn tác" in asked.text  # type: ignore[attr-defined]
            assert 'name="confirmed" value="yes"' in asked.text  # type: ignore[attr-defined]
            assert f'action="{url}"' in asked.text  # type: ignore[attr-defined]
            assert f'{url}"' in admin.get("/admissions/ministry").text  # still to publish
        started = post(
            admin,
            url,
            "/admissions/ministry",
            **({"confirmed": "yes"} if action == "publish" else {}),
        )
        assert started.status_code == 303  # type: ignore[attr-defined]
        done = finish(admin, started.headers["location"])  # type: ignore[attr-defined]
        assert 'data-status="succeeded"' in done, done
        page = admin.get("/admissions/ministry").text
    verified = post(
        admin, f"/admissions/ministry/rounds/{round_id.group(1)}/verify", "/admissions/ministry"
    )
    checked = finish(admin, verified.headers["location"])  # type: ignore[attr-defined]
    assert "Trùng khớp</dt><dd>Có" in checked
    results = me.get("/admissions/results").text
    assert "Trúng tuyển nguyện vọng" in results
    assert "Ngành EE1" in results
    asked = post(me, "/admissions/confirm", "/admissions/results")
    assert asked.status_code == 200  # type: ignore[attr-defined]
    assert "quyết định cuối cùng" in asked.text  # type: ignore[attr-defined]
    assert "Bạn đã xác nhận nhập học" not in me.get("/admissions/results").text
    confirmed = post(me, "/admissions/confirm", "/admissions/results", confirmed="yes")
    assert confirmed.status_code == 303  # type: ignore[attr-defined]
    assert "Bạn đã xác nhận nhập học" in me.get("/admissions/results").text


def test_the_wish_search_ignores_diacritics(site: Site) -> None:
    me = site.client("thi.sinh.a")

    def found(q: str) -> set[str]:
        html = me.get("/admissions/wishes", params={"q": q}).text
        return set(re.findall(r"Ngành (IT1|EE1|QT1)", html.split("Kết quả tìm kiếm")[-1]))

    # "Ngành IT1" by its name with and without marks, in any case; institutions likewise
    assert found("nganh it1") == found("NGÀNH IT1") == {"IT1"}
    assert found("bach khoa") == found("Bách Khoa") == {"IT1", "EE1"}
    assert found("kinh te quoc dan") == {"QT1"}
    assert found("dai hoc") == {"IT1", "EE1", "QT1"}
    assert found("%") == set()  # a wildcard is a character, not a pattern
    assert found("zzz") == set()


def test_deleting_a_wish_asks_first_and_works_without_javascript(site: Site) -> None:
    me = site.client("thi.sinh.b")
    wish = site.b.wishes[0]
    url = f"/admissions/wishes/{wish}/delete"
    listing = me.get("/admissions/wishes").text
    # a plain form post (no htmx attributes): the confirmation page needs no script
    form = re.search(rf'<form[^>]*action="{url}"[^>]*>', listing)
    assert form
    assert "hx-post" not in form.group(0)
    asked = post(me, url, "/admissions/wishes")
    assert asked.status_code == 200  # type: ignore[attr-defined]
    text = asked.text  # type: ignore[attr-defined]
    assert "Xoá nguyện vọng?" in text
    assert "Ngành IT1 — Đại học Bách khoa Hà Nội" in text
    assert 'href="/admissions/wishes"' in text  # the way back
    assert "Ngành IT1" in me.get("/admissions/wishes").text  # nothing deleted yet
    done = post(me, url, "/admissions/wishes", confirmed="yes")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert "Bạn chưa có nguyện vọng nào" in me.get("/admissions/wishes").text


def test_a_candidate_sees_only_their_own_records(site: Site) -> None:
    me = site.client("thi.sinh.a")
    b_wish = site.b.wishes[0]
    for url in (
        "/admissions",
        "/admissions/scores",
        "/admissions/wishes",
        "/admissions/results",
        "/admissions/registration",
        f"/admissions/offers/{site.inst}/{site.offers[0]}/score",
    ):
        body = me.get(url).text
        assert site.b.number not in body, url
        assert "Bình" not in body, url
        assert "27,50" not in body, url
        assert "27.50" not in body, url
    for action in ("delete", "up", "down"):
        refused = post(me, f"/admissions/wishes/{b_wish}/{action}", "/admissions/wishes")
        assert refused.status_code == 404  # type: ignore[attr-defined]
    theirs = site.client("thi.sinh.b").get("/admissions/wishes").text
    assert "Ngành IT1" in theirs  # B's wish is still there
    # no registry data and no API for candidates
    assert me.get("/institutions").status_code == 403
    assert me.get("/admissions/institution").status_code == 403
    assert me.get("/admissions/ministry").status_code == 403
    assert me.get("/api/v1/admissions/offers").status_code == 403


def test_an_institution_sees_its_offers_and_applicants_and_changes_quotas(site: Site) -> None:
    officer = site.client("bk.officer")
    page = officer.get("/admissions/institution").text
    assert "Ngành IT1" in page
    assert "Ngành QT1" not in page
    changed = post(
        officer,
        f"/admissions/institution/offers/{site.offers[0]}/quota",
        "/admissions/institution",
        quota="7",
    )
    assert changed.status_code == 303  # type: ignore[attr-defined]
    with scoped_session(site.sessions, world.system()) as s:
        offer = s.get(AdmissionOffer, (site.inst, site.offers[0]))
        assert offer is not None
        assert offer.quota == 7
    applicants = officer.get(f"/admissions/institution/offers/{site.offers[0]}/applicants").text
    assert "Vũ Thị Bình 2" in applicants
    assert site.b.number in applicants
    other = site.client("kt.officer")
    assert (
        other.get(f"/admissions/institution/offers/{site.offers[0]}/applicants").status_code == 404
    )
    refused = post(
        other,
        f"/admissions/institution/offers/{site.offers[0]}/quota",
        "/admissions/institution",
        quota="0",
    )
    assert refused.status_code == 404  # type: ignore[attr-defined]


def test_the_analyst_sees_round_control_but_changes_nothing(site: Site) -> None:
    analyst = site.client("bo.analyst")
    page = analyst.get("/admissions/ministry")
    assert page.status_code == 200
    assert "Số liệu toàn quốc" in page.text
    assert "Tạo đợt mới" not in page.text
    refused = post(
        analyst,
        "/admissions/ministry/rounds",
        "/admissions/ministry",
        kind="regular",
        tie_policy="group",
    )
    assert refused.status_code == 403  # type: ignore[attr-defined]


def test_a_quota_form_opened_before_someone_elses_change_does_not_overwrite_it(
    site: Site,
) -> None:
    """Two officers open the page; the first saves; the second's form, rendered from the old
    version, is refused with a clear message and the first change stands (and is the only one
    audited)."""
    url = f"/admissions/institution/offers/{site.offers[0]}/quota"
    first, second = site.client("bk.officer"), site.client("bk.officer")
    stale_page = second.get("/admissions/institution").text
    stale = {"csrf_token": csrf_of(stale_page), **hidden_fields(stale_page, url)}
    assert stale["row_version"] == "1"
    assert post(first, url, "/admissions/institution", quota="7").status_code == 303  # type: ignore[attr-defined]
    refused = second.post(url, data={**stale, "quota": "9"}, follow_redirects=False)
    assert refused.status_code == 409
    assert "Bản ghi đã được thay đổi sau khi bạn mở trang này" in refused.text
    assert 'value="7"' in refused.text  # the page shows the latest value
    english = second.post(url + "?lang=en", data={**stale, "quota": "9"}, follow_redirects=False)
    assert "This record was changed after you opened this page" in english.text
    with scoped_session(site.sessions, world.system()) as s:
        offer = s.get(AdmissionOffer, (site.inst, site.offers[0]))
        assert offer is not None
        assert (offer.quota, offer.row_version) == (7, 2)
        changes = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "admission_offer", AuditEntry.action == "update"
            )
        ).all()
        assert [(c.before["quota"], c.after["quota"]) for c in changes] == [(1, 7)]
    # Reloaded, the form carries the new version and saves.
    assert post(second, url, "/admissions/institution", quota="9").status_code == 303  # type: ignore[attr-defined]


def test_a_registration_form_from_another_tab_does_not_overwrite_the_saved_one(
    site: Site,
) -> None:
    me = site.client("thi.sinh.a")
    fields = {
        "school_code": "01001",
        "school_name": "THPT Chu Văn An",
        "area": "KV1",
        "graduation_year": "2025",
        "elective1": "physics",
        "elective2": "chemistry",
        "exam_site": "01",
    }
    # Two tabs show the registration at the same version; the first saves.
    url = "/admissions/registration"
    first, second = me.get(url).text, me.get(url).text
    tab = {"csrf_token": csrf_of(second), **hidden_fields(second, url), **fields}
    saved = me.post(
        url,
        data={"csrf_token": csrf_of(first), **hidden_fields(first, url), **fields, "area": "KV2"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    late = me.post(url, data={**tab, "area": "KV3"}, follow_redirects=False)
    assert late.status_code == 409
    assert "Bản ghi đã được thay đổi sau khi bạn mở trang này" in late.text
    # A form that says no version (rendered before the registration existed) is refused too.
    blind = {k: v for k, v in tab.items() if k != "row_version"}
    assert me.post(url, data={**blind, "area": "KV3"}, follow_redirects=False).status_code == 409
    with scoped_session(site.sessions, world.system()) as s:
        registration = world.registration_of(s, site.a.person_id)
        assert registration is not None
        assert registration.area == "KV2"


def test_a_candidate_answers_a_direct_admission_and_sees_their_certificates(site: Site) -> None:
    import datetime as dt

    from hemis.admissions import service_paths
    from hemis.admissions.schemas_paths import AchievementCreate, DirectAdmissionCreate

    with scoped_session(site.sessions, world.system()) as s:
        granted = service_paths.grant_path(
            s,
            DirectAdmissionCreate(
                year=YEAR,
                candidate_number=site.a.number,
                offer_id=site.offers[1],
                path="direct",  # type: ignore[arg-type]
                basis="Điều 8: giải Nhất học sinh giỏi quốc gia môn Vật lí",
            ),
        ).id
        service_paths.record_achievement(
            s,
            AchievementCreate(
                year=YEAR,
                candidate_number=site.a.number,
                kind="language",  # type: ignore[arg-type]
                code="ielts",
                score="6.5",  # type: ignore[arg-type]
                source="IDP Việt Nam",
                document="23VN012345",
                issued_on=dt.date(YEAR - 1, 11, 2),
            ),
        )
    me = site.client("thi.sinh.a")
    wishes = me.get("/admissions/wishes").text
    assert "Xét tuyển thẳng" in wishes
    assert "giải Nhất học sinh giỏi quốc gia môn Vật lí" in wishes
    done = post(me, f"/admissions/paths/{granted}/accept", "/admissions/wishes")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert "Thí sinh đã nhận" in me.get("/admissions/wishes").text
    scores = me.get("/admissions/scores").text
    assert "IDP Việt Nam" in scores
    assert "23VN012345" in scores
    # another candidate cannot answer it
    other = site.client("thi.sinh.b")
    refused = post(other, f"/admissions/paths/{granted}/decline", "/admissions/wishes")
    assert refused.status_code == 404  # type: ignore[attr-defined]


def test_the_what_if_page_tries_an_order_and_saves_it(site: Site) -> None:
    from hemis.admissions import rounds
    from hemis.admissions.schemas import RoundCreate

    with scoped_session(site.sessions, world.system()) as s:
        world.wish(s, site.a, site.inst, site.offers[0])
        world.wish(s, site.a, site.inst, site.offers[1])
        r = rounds.create_round(s, RoundCreate.model_validate({"year": YEAR}))
        rounds.take_snapshot(s, r.id, now=utcnow() + 3 * HOUR * 24)
        rounds.run_round(s, r.id)
        rounds.publish_round(s, r.id)
        wishes = [
            w.id
            for w in s.scalars(
                select(Wish).where(Wish.person_id == site.a.person_id).order_by(Wish.rank)
            )
        ]
    me = site.client("thi.sinh.a")
    assert "/admissions/what-if" in me.get("/admissions/wishes").text  # reachable from wishes
    page = me.get("/admissions/what-if").text
    # B (28.5 at IT1, one seat) holds IT1; A (26.25) would hold EE1 today
    assert "Nếu xét hôm nay, bạn sẽ trúng tuyển nguyện vọng 2" in page
    assert 'id="distributions"' in page
    tried = me.get(f"/admissions/what-if?order={wishes[1]},{wishes[0]}").text
    assert 'id="proposed"' in tried
    assert "nguyện vọng 1" in tried
    done = post(
        me,
        "/admissions/what-if/save",
        f"/admissions/what-if?order={wishes[1]},{wishes[0]}",
        order=f"{wishes[1]},{wishes[0]}",
    )
    assert done.status_code == 303  # type: ignore[attr-defined]
    with scoped_session(site.sessions, world.system()) as s:
        ranks = dict(
            s.execute(select(Wish.id, Wish.rank).where(Wish.person_id == site.a.person_id)).all()
        )
    assert (ranks[wishes[1]], ranks[wishes[0]]) == (1, 2)
