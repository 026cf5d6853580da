"""The portal's pages of bonus points and admission outside the matching: an officer publishes
their institution's certificate conversion table and grants direct or priority admissions; the
ministry records candidates' certificates and awards with their provenance. Each refused form
names its problem next to the field and writes nothing; an officer sees and writes only their
own institution's; candidates and analysts cannot reach the write pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.admissions.models import BonusTable, CandidateAchievement, DirectAdmission
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.web.app import create_app
from tests import factories
from tests.actions.support import field_error, input_value, post_form
from tests.admissions import world
from tests.admissions.world import Candidate
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user

BONUS = "/admissions/institution/bonus"
PATHS = "/admissions/institution/direct"
ACHIEVEMENTS = "/admissions/ministry/achievements"
USERS = ("bk.officer", "kt.officer", "bo.admin", "bo.analyst", "thi.sinh")


@dataclass
class Site:
    sessions: sessionmaker[HemisSession]
    clients: dict[str, TestClient]
    bk: int
    kt: int
    offer: int
    other_offer: int
    an: Candidate
    binh: Candidate

    def rows(self, model: type[object]) -> list[object]:
        with scoped_session(self.sessions, world.system()) as s:
            return list(s.scalars(select(model)))  # type: ignore[call-overload]

    def tables(self) -> list[BonusTable]:
        return self.rows(BonusTable)  # type: ignore[return-value]

    def paths(self) -> list[DirectAdmission]:
        return self.rows(DirectAdmission)  # type: ignore[return-value]

    def achievements(self) -> list[CandidateAchievement]:
        return self.rows(CandidateAchievement)  # type: ignore[return-value]


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Iterator[Site]:
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)
        bk = factories.institution(s, "BKA", name_vi="Đại học Bách khoa Hà Nội")
        kt = factories.institution(s, "KHA", name_vi="Trường Đại học Kinh tế Quốc dân")
        offer = world.offer(s, world.program(s, bk, "EE1"), 50)
        other_offer = world.offer(s, world.program(s, kt, "QT2"), 80, code="QT1")
        an = world.candidate(s, cipher, 1)
        binh = world.candidate(s, cipher, 2, name="Trần Thị Bình")
        s.commit()
        ids = (bk.id, kt.id, offer, other_offer)
    make_user(sessions, "bk.officer", Role.institution_officer, "BKA")
    make_user(sessions, "kt.officer", Role.institution_officer, "KHA")
    make_user(sessions, "bo.admin", Role.ministry_admin)
    make_user(sessions, "bo.analyst", Role.ministry_analyst)
    world.account(sessions, "thi.sinh", an.person_id)
    app = create_app(db.settings())
    clients = {}
    for name in USERS:
        client = TestClient(app)
        client.__enter__()
        assert login(client, name).status_code == 303
        clients[name] = client
    yield Site(sessions, clients, *ids, an, binh)
    for client in clients.values():
        client.__exit__(None, None, None)
    app.state.ctx.dispose()


# --- the bonus table ------------------------------------------------------------------------------


def test_an_officer_publishes_and_edits_the_bonus_table(site: Site) -> None:
    officer = site.clients["bk.officer"]
    home = officer.get("/admissions/institution").text
    assert f'href="{BONUS}"' in home  # reached from the officer's admissions page
    assert "Chưa công bố bảng quy đổi" in officer.get(BONUS).text
    done = post_form(
        officer,
        BONUS,
        BONUS,
        {"rows": "IELTS 5.5 = 0.5\nielts 6,5 = 1\nTOEFL iBT 80 = 1.25", "source": "Đề án 2025"},
    )
    assert done.status_code == 303
    (table,) = site.tables()
    assert table.institution_id == site.bk
    assert (table.year, table.kind, table.source) == (2025, "language", "Đề án 2025")
    assert table.entries == [["ielts", 550, 50], ["ielts", 650, 100], ["toefl_ibt", 8000, 125]]
    page = officer.get(f"{BONUS}?saved=1").text
    assert "Đã công bố bảng quy đổi" in page
    assert "<td>TOEFL iBT</td>" in page
    assert '<td class="num">1,25</td>' in page  # Vietnamese decimals in the table
    assert "IELTS 6.50 = 1.00" in page  # the form shows the table to edit, by names
    # editing replaces the table (still one per institution, year and kind)
    again = post_form(officer, BONUS, BONUS, {"rows": "IELTS 7 = 1.5", "source": "Đề án 2025"})
    assert again.status_code == 303
    (table,) = site.tables()
    assert table.entries == [["ielts", 700, 150]]


@pytest.mark.parametrize(
    ("rows", "source", "field", "message"),
    [
        (
            "IELTS sáu = 1",
            "Đề án",
            "rows",
            "Bảng quy đổi: không đọc được dòng 1 (viết theo mẫu ielts 6.5 = 1.25)",
        ),
        ("", "Đề án", "rows", "Bảng quy đổi: cần ít nhất một dòng"),
        ("SAT 1400 = 1", "Đề án", "rows", "Bảng quy đổi: không có chứng chỉ SAT trong danh sách"),
        ("IELTS 9.5 = 1", "Đề án", "rows", "Bảng quy đổi: IELTS 9.5 vượt thang điểm của chứng chỉ"),
        ("IELTS 6.5 = 3.5", "Đề án", "rows", "Bảng quy đổi: phải nhỏ hơn hoặc bằng 3"),
        ("IELTS 6.5 = 1", "", "source", "Nơi công bố: không được để trống"),
    ],
)
def test_a_bad_bonus_table_is_refused_and_changes_nothing(
    site: Site, rows: str, source: str, field: str, message: str
) -> None:
    officer = site.clients["bk.officer"]
    assert post_form(officer, BONUS, BONUS, {"rows": "IELTS 6 = 1", "source": "Cũ"}).is_redirect
    before = [(t.entries, t.source) for t in site.tables()]
    bad = post_form(officer, BONUS, BONUS, {"rows": rows, "source": source})
    assert bad.status_code == 422
    assert field_error(bad.text, field) == message
    assert f">{rows}</textarea>" in bad.text  # what was typed is kept
    assert [(t.entries, t.source) for t in site.tables()] == before


def test_bonus_tables_stay_within_their_institution(site: Site) -> None:
    mine = site.clients["bk.officer"]
    assert post_form(mine, BONUS, BONUS, {"rows": "IELTS 6 = 1", "source": "BK"}).is_redirect
    theirs = site.clients["kt.officer"]
    page = theirs.get(BONUS).text
    assert "Chưa công bố bảng quy đổi" in page  # not the other institution's table
    assert post_form(theirs, BONUS, BONUS, {"rows": "IELTS 8 = 2", "source": "KT"}).is_redirect
    by_institution = {t.institution_id: t.entries for t in site.tables()}
    assert by_institution == {site.bk: [["ielts", 600, 100]], site.kt: [["ielts", 800, 200]]}


def test_only_officers_reach_the_bonus_table(site: Site) -> None:
    for name in ("thi.sinh", "bo.analyst", "bo.admin"):
        client = site.clients[name]
        assert client.get(BONUS).status_code in (403, 404), name
        refused = post_form(client, BONUS, "/", {"rows": "IELTS 6 = 1", "source": "x"})
        assert refused.status_code in (403, 404), name
    assert site.tables() == []


# --- direct and priority admission ----------------------------------------------------------------


def _grant(client: TestClient, candidate: str, offer: int, path: str = "direct") -> Response:
    return post_form(
        client,
        PATHS,
        PATHS,
        {"candidate": candidate, "offer_id": str(offer), "path": path,
         "basis": "Điều 8 khoản 2 — Giải Nhất quốc gia môn Toán"},
    )  # fmt: skip


def test_an_officer_grants_direct_and_priority_admission(site: Site) -> None:
    officer = site.clients["bk.officer"]
    assert f'href="{PATHS}"' in officer.get("/admissions/institution").text
    form = officer.get(PATHS).text
    assert f'<option value="{site.offer}">' in form
    assert f'<option value="{site.other_offer}">' not in form  # another institution's offer
    done = _grant(officer, site.an.number, site.offer)
    assert done.status_code == 303
    # found by national ID the second time
    by_id = _grant(officer, site.binh.national_id, site.offer, "priority")
    assert by_id.status_code == 303
    rows = sorted(site.paths(), key=lambda p: p.id)
    assert [(p.person_id, p.offer_id, p.path, p.status) for p in rows] == [
        (site.an.person_id, site.offer, "direct", "offered"),
        (site.binh.person_id, site.offer, "priority", "offered"),
    ]
    page = officer.get(f"{PATHS}?saved=1").text
    assert "Đã ghi quyết định" in page
    assert f'<td class="code">{site.an.number}</td>' in page
    assert "Xét tuyển thẳng" in page
    assert "Ưu tiên xét tuyển" in page
    assert "Chờ thí sinh trả lời" in page
    assert site.binh.national_id not in page  # a national ID is never shown back


def test_a_duplicate_or_bad_decision_is_a_form_error_and_writes_nothing(site: Site) -> None:
    officer = site.clients["bk.officer"]
    assert _grant(officer, site.an.number, site.offer).status_code == 303
    twice = _grant(officer, site.an.national_id, site.offer, "priority")
    assert twice.status_code == 409
    assert field_error(twice.text, "candidate") == (
        "Số báo danh hoặc số định danh cá nhân: thí sinh đã có quyết định cho ngành này"
    )
    assert input_value(twice.text, "candidate") == site.an.national_id
    unknown = _grant(officer, "99999999", site.offer)
    assert unknown.status_code == 422
    assert field_error(unknown.text, "candidate") == (
        "Số báo danh hoặc số định danh cá nhân: Không có số báo danh này trong năm tuyển sinh."
    )
    garbled = _grant(officer, "12-34", site.offer)
    assert "8 chữ số" in field_error(garbled.text, "candidate")
    no_basis = post_form(
        officer, PATHS, PATHS, {"candidate": site.binh.number, "offer_id": str(site.offer),
                                "path": "direct", "basis": ""},
    )  # fmt: skip
    assert field_error(no_basis.text, "basis") == "Căn cứ: không được để trống"
    assert len(site.paths()) == 1


def test_decisions_stay_within_their_institution(site: Site) -> None:
    assert _grant(site.clients["bk.officer"], site.an.number, site.offer).status_code == 303
    theirs = site.clients["kt.officer"]
    page = theirs.get(PATHS).text
    assert site.an.number not in page
    assert "Chưa có quyết định nào" in page
    # another institution's offer is not one this officer may decide for
    refused = _grant(theirs, site.binh.number, site.offer)
    assert refused.status_code == 422
    assert field_error(refused.text, "offer_id") == "Ngành xét tuyển: Không có ngành xét tuyển này."
    assert [p.person_id for p in site.paths()] == [site.an.person_id]


def test_only_officers_reach_the_decisions(site: Site) -> None:
    for name in ("thi.sinh", "bo.analyst", "bo.admin"):
        client = site.clients[name]
        assert client.get(PATHS).status_code in (403, 404), name
        refused = post_form(
            client, PATHS, "/", {"candidate": site.an.number, "offer_id": str(site.offer),
                                 "path": "direct", "basis": "x"},
        )  # fmt: skip
        assert refused.status_code in (403, 404), name
    assert site.paths() == []


# --- the ministry's record of certificates and awards ---------------------------------------------


def _certificate(site: Site, **over: str) -> dict[str, str]:
    return {
        "candidate_number": site.an.number,
        "kind": "language",
        "code": "ielts",
        "score": "6,5",
        "detail": "",
        "source": "IDP Việt Nam",
        "document": "25VN012345",
        "issued_on": "2025-03-02",
    } | over


def test_the_ministry_records_certificates_and_awards_with_their_provenance(site: Site) -> None:
    admin = site.clients["bo.admin"]
    assert f'href="{ACHIEVEMENTS}"' in admin.get("/admissions/ministry").text
    assert post_form(admin, ACHIEVEMENTS, ACHIEVEMENTS, _certificate(site)).status_code == 303
    award = _certificate(
        site,
        candidate_number=site.binh.number,
        kind="award",
        code="national_1",
        score="",
        detail="Toán",
        source="Bộ GD&ĐT",
        document="QĐ 123/QĐ-BGDĐT",
    )
    assert post_form(admin, ACHIEVEMENTS, ACHIEVEMENTS, award).status_code == 303
    got = {(a.person_id, a.code): a for a in site.achievements()}
    ielts = got[(site.an.person_id, "ielts")]
    assert (ielts.score_h, ielts.source, ielts.document) == (650, "IDP Việt Nam", "25VN012345")
    assert str(ielts.issued_on) == "2025-03-02"
    prize = got[(site.binh.person_id, "national_1")]
    assert (prize.score_h, prize.detail, prize.source) == (None, "Toán", "Bộ GD&ĐT")
    page = admin.get(f"{ACHIEVEMENTS}?saved=1").text
    assert "Giải Nhất quốc gia — Toán" in page
    for shown in ("6,50", "02/03/2025", "QĐ 123/QĐ-BGDĐT"):
        assert shown in page
    # the analyst reads the list, with no form to write
    analyst = site.clients["bo.analyst"].get(ACHIEVEMENTS).text
    assert "25VN012345" in analyst
    assert 'action="/admissions/ministry/achievements"' not in analyst


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"score": ""}, "score", "Điểm chứng chỉ: chứng chỉ cần có điểm"),
        ({"score": "9.5"}, "score", "Điểm chứng chỉ: vượt thang điểm của chứng chỉ"),
        ({"code": "national_1"}, "code", "Chứng chỉ hoặc giải: chọn một chứng chỉ ngoại ngữ"),
        ({"kind": "award", "code": "national_1"}, "score",
         "Điểm chứng chỉ: giải thưởng không có điểm"),
        ({"candidate_number": "99999999"}, "candidate_number",
         "Số báo danh: Không có số báo danh này trong năm tuyển sinh."),
        ({"candidate_number": "12ab"}, "candidate_number", "Số báo danh: cần ít nhất 8 ký tự"),
        ({"issued_on": "2025-02-30"}, "issued_on", "Ngày cấp: ngày không hợp lệ (ngày/tháng/năm)"),
        ({"document": ""}, "document", "Số hiệu văn bản: bắt buộc nhập"),
    ],
)  # fmt: skip
def test_a_bad_achievement_is_refused_and_changes_nothing(
    site: Site, over: dict[str, str], field: str, message: str
) -> None:
    admin = site.clients["bo.admin"]
    bad = post_form(admin, ACHIEVEMENTS, ACHIEVEMENTS, _certificate(site, **over))
    assert bad.status_code == 422
    assert field_error(bad.text, field) == message
    assert site.achievements() == []


def test_only_the_ministry_records_achievements(site: Site) -> None:
    for name in ("thi.sinh", "bk.officer"):
        assert site.clients[name].get(ACHIEVEMENTS).status_code in (403, 404), name
    for name in ("thi.sinh", "bk.officer", "bo.analyst"):
        refused = post_form(site.clients[name], ACHIEVEMENTS, "/", _certificate(site))
        assert refused.status_code in (403, 404), name
    assert site.achievements() == []


def test_the_pages_read_in_english_through_the_language_switch(site: Site) -> None:
    officer = site.clients["bk.officer"]
    bonus = post_form(officer, f"{BONUS}?lang=en", BONUS, {"rows": "SAT 1400 = 1", "source": "x"})
    assert bonus.status_code == 422
    assert field_error(bonus.text, "rows") == "Conversion table: SAT is not a listed certificate"
    assert "Bonus points for language certificates" in bonus.text
    assert _grant(officer, site.an.number, site.offer).status_code == 303
    twice = post_form(
        officer, f"{PATHS}?lang=en", PATHS, {"candidate": site.an.number,
                                             "offer_id": str(site.offer), "path": "priority",
                                             "basis": "Art. 8"},
    )  # fmt: skip
    assert field_error(twice.text, "candidate") == (
        "Candidate number or national ID: the candidate already has a decision for this offer"
    )
    listed = officer.get(f"{PATHS}?lang=en").text
    assert "Direct admission" in listed
    assert "Awaiting the candidate" in listed
    admin = site.clients["bo.admin"].get(f"{ACHIEVEMENTS}?lang=en").text
    assert "Candidates&#39; certificates and awards" in admin
