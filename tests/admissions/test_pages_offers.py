"""An officer's offer form: a new offer and an edit, validated on the server with each problem
named next to its field and what was typed kept; an officer reaches only their institution's
offers and programs; every change is audited under their name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.admissions.models import AdmissionOffer
from hemis.audit.models import AuditEntry
from hemis.db.session import HemisSession, scoped_session
from hemis.web.app import create_app
from tests import factories
from tests.actions.support import field_error, input_value, post_form
from tests.admissions import world
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user

NEW = "/admissions/institution/offers/new"
CREATE = "/admissions/institution/offers"


@dataclass
class Site:
    sessions: sessionmaker[HemisSession]
    clients: dict[str, TestClient]
    program: int
    other_program: int
    offer: int
    other_offer: int

    def offer_row(self, offer_id: int) -> AdmissionOffer | None:
        with scoped_session(self.sessions, world.system()) as s:
            return s.scalar(select(AdmissionOffer).where(AdmissionOffer.id == offer_id))

    def offers(self) -> list[AdmissionOffer]:
        with scoped_session(self.sessions, world.system()) as s:
            return list(s.scalars(select(AdmissionOffer).order_by(AdmissionOffer.id)))


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession]) -> Iterator[Site]:
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)
        bk = factories.institution(s, "BKA", name_vi="Đại học Bách khoa Hà Nội")
        kt = factories.institution(s, "KHA", name_vi="Trường Đại học Kinh tế Quốc dân")
        program = world.program(s, bk, "IT2")
        other_program = world.program(s, kt, "QT2")
        offer = world.offer(s, world.program(s, bk, "EE1"), 50)
        other_offer = world.offer(s, other_program, 80, code="QT1")
        s.commit()
        ids = (program.id, other_program.id, offer, other_offer)
    make_user(sessions, "bk.officer", Role.institution_officer, "BKA")
    make_user(sessions, "kt.officer", Role.institution_officer, "KHA")
    make_user(sessions, "bo.admin", Role.ministry_admin)
    app = create_app(db.settings())
    clients = {}
    for name in ("bk.officer", "kt.officer", "bo.admin"):
        client = TestClient(app)
        client.__enter__()
        assert login(client, name).status_code == 303
        clients[name] = client
    yield Site(sessions, clients, *ids)
    for client in clients.values():
        client.__exit__(None, None, None)
    app.state.ctx.dispose()


def test_an_officer_adds_an_offer(site: Site) -> None:
    officer = site.clients["bk.officer"]
    form = officer.get(NEW).text
    assert f'<option value="{site.program}">IT2' in form
    assert f'<option value="{site.other_program}">QT2' not in form  # another institution's
    done = post_form(
        officer,
        CREATE,
        NEW,
        {
            "program_id": str(site.program),
            "code": "7480201",
            "name_vi": "Công nghệ thông tin (Việt – Nhật)",
            "quota": "120",
            "methods": ["exam", "transcript"],
            "method_quota_transcript": "30",
            "combinations": "A00=0\nA01 = 0\nD01=-0.5",
            "floor": "18.5",
            "tiebreak_1": "math",
            "tiebreak_2": "wish_rank",
            "status": "open",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/admissions/institution?saved=1"
    made = [o for o in site.offers() if o.code == "7480201"]
    assert len(made) == 1
    offer = made[0]
    assert offer.name_vi == "Công nghệ thông tin (Việt – Nhật)"
    assert offer.quota == 120
    assert offer.methods == ["exam", "transcript"]
    assert offer.method_quotas == {"transcript": 30}
    assert offer.combinations == {"A00": 0, "A01": 0, "D01": -50}
    assert offer.floor_h == 1850
    assert offer.tiebreaks == ["math", "wish_rank"]
    page = officer.get("/admissions/institution?saved=1").text
    assert "Đã lưu ngành xét tuyển" in page
    assert f"/admissions/institution/offers/{offer.id}/edit" in page
    with scoped_session(site.sessions, world.system()) as s:
        created = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "admission_offer", AuditEntry.action == "create"
            )
        ).all()
    entries = [e for e in created if (e.after or {}).get("id") == offer.id]
    assert len(entries) == 1
    assert entries[0].actor.startswith("user:")


def test_a_refused_offer_keeps_what_was_typed_and_names_each_field(site: Site) -> None:
    officer = site.clients["bk.officer"]
    typed = {
        "program_id": str(site.program),
        "code": "IT 2!",
        "quota": "-1",
        "combinations": "A00=0\nQ01=1",
        "floor": "95",
    }
    bad = post_form(officer, CREATE, NEW, typed)
    assert bad.status_code == 422
    # a combination that does not exist is refused before anything else
    assert field_error(bad.text, "combinations") == (
        "Tổ hợp môn và điểm cộng/trừ: không nhận ra Q01=1 (viết theo mẫu A00=0, D01=-0.5)"
    )
    assert "A00=0\nQ01=1</textarea>" in bad.text
    assert input_value(bad.text, "code") == "IT 2!"
    typed["combinations"] = "A00=0"
    bad = post_form(officer, CREATE, NEW, typed)
    assert bad.status_code == 422
    assert field_error(bad.text, "quota") == "Chỉ tiêu: phải lớn hơn hoặc bằng 0"
    assert field_error(bad.text, "methods") == ("Phương thức xét tuyển: cần ít nhất 1 lựa chọn")
    assert field_error(bad.text, "code") == (
        "Mã xét tuyển: chỉ gồm chữ cái không dấu, chữ số và . _ / -"
    )
    assert field_error(bad.text, "floor") == (
        # at most 90 on any scale; the offer's own scale is checked by the service (30 here)
        "Ngưỡng đảm bảo chất lượng đầu vào: phải nhỏ hơn hoặc bằng 90"
    )
    assert input_value(bad.text, "quota") == "-1"
    assert f'<option value="{site.program}" selected>' in bad.text
    # the service's own rules, next to their fields
    rules = post_form(
        officer,
        CREATE,
        NEW,
        {
            "program_id": str(site.program),
            "code": "IT2",
            "quota": "10",
            "methods": ["exam"],
            "method_quota_exam": "20",
            "combinations": "A00",
        },
    )
    assert rules.status_code == 422
    assert field_error(rules.text, "method_quotas") == (
        "Chỉ tiêu theo phương thức: Tổng chỉ tiêu theo phương thức vượt chỉ tiêu."
    )
    taken = post_form(
        officer,
        CREATE,
        NEW,
        {"program_id": str(site.program), "code": "EE1", "quota": "10", "methods": ["exam"],
         "combinations": "A00"},
    )  # fmt: skip
    assert taken.status_code == 409
    assert field_error(taken.text, "code") == (
        "Mã xét tuyển: đã được dùng cho một ngành khác trong năm tuyển sinh"
    )
    assert len(site.offers()) == 2


def test_an_officer_edits_only_their_own_offers(site: Site) -> None:
    officer = site.clients["bk.officer"]
    edit = f"/admissions/institution/offers/{site.offer}/edit"
    form = officer.get(edit).text
    assert input_value(form, "quota") == "50"
    assert "A00=0.00</textarea>" in form
    bad = post_form(
        officer,
        f"/admissions/institution/offers/{site.offer}",
        edit,
        {"quota": "lots", "methods": ["exam"], "combinations": "A00", "tiebreak_1": "maths"},
    )
    assert bad.status_code == 422
    assert field_error(bad.text, "quota") == "Chỉ tiêu: phải là số nguyên"
    assert input_value(bad.text, "quota") == "lots"
    saved = post_form(
        officer,
        f"/admissions/institution/offers/{site.offer}",
        edit,
        {
            "quota": "60",
            "methods": ["exam"],
            "combinations": "A00=0; A01=0.25",
            "floor": "20",
            "status": "closed",
        },
    )
    assert saved.status_code == 303
    offer = site.offer_row(site.offer)
    assert offer is not None
    assert (offer.quota, offer.floor_h, offer.status) == (60, 2000, "closed")
    assert offer.combinations == {"A00": 0, "A01": 25}
    # another institution's offer is not there for this officer, to read or to write
    theirs = site.other_offer
    assert officer.get(f"/admissions/institution/offers/{theirs}/edit").status_code == 404
    refused = post_form(
        officer,
        f"/admissions/institution/offers/{theirs}",
        edit,
        {"quota": "0", "methods": ["exam"], "combinations": "A00"},
    )
    assert refused.status_code == 404
    other = site.offer_row(theirs)
    assert other is not None
    assert other.quota == 80
    # nor may an officer file an offer under another institution's program
    foreign = post_form(
        officer,
        CREATE,
        NEW,
        {"program_id": str(site.other_program), "code": "QT9", "quota": "5", "methods": ["exam"],
         "combinations": "A00"},
    )  # fmt: skip
    assert foreign.status_code == 422
    assert field_error(foreign.text, "program_id") == (
        "Chương trình đào tạo: Không có chương trình đào tạo này."
    )
    assert not [o for o in site.offers() if o.code == "QT9"]


def test_the_offer_form_is_for_officers(site: Site) -> None:
    admin = site.clients["bo.admin"]
    assert admin.get(NEW).status_code == 403
    refused = post_form(admin, CREATE, "/admissions/ministry", {"quota": "1"})
    assert refused.status_code == 403
    assert len(site.offers()) == 2


def test_an_officer_weights_mathematics_and_the_offer_scores_on_40(site: Site) -> None:
    officer = site.clients["bk.officer"]
    values = {
        "program_id": str(site.program),
        "code": "IT-M2",
        "quota": "60",
        "methods": ["exam"],
        "combinations": "A00=0\nA01=0",
        "weight_1": "math",
        "weight_value_1": "2",
        "floor": "32",
        "status": "open",
    }
    done = post_form(officer, CREATE, NEW, values)
    assert done.status_code == 303
    (offer,) = [o for o in site.offers() if o.code == "IT-M2"]
    assert offer.weights == {"math": 2}
    assert offer.floor_h == 3200  # on 40: allowed
    # A combination without Mathematics would put the offer on two scales: refused, named.
    refused = post_form(
        officer, CREATE, NEW, values | {"code": "IT-M3", "combinations": "A00\nC00"}
    )
    assert refused.status_code == 422
    assert "cùng tổng hệ số" in field_error(refused.text, "weights")
    # A floor above the scale is refused too.
    high = post_form(officer, CREATE, NEW, values | {"code": "IT-M4", "floor": "41"})
    assert high.status_code == 422
    assert "thang điểm 40" in field_error(high.text, "floor")


def test_an_offer_weights_two_subjects_and_keeps_them_on_edit(site: Site) -> None:
    # Mathematics × 2 and Physics × 2 in A00 (math, physics, chemistry): 10 × 5 = the 50 scale.
    officer = site.clients["bk.officer"]
    values = {
        "program_id": str(site.program),
        "code": "IT-MP",
        "quota": "40",
        "methods": ["exam"],
        "combinations": "A00=0\nA01=0",
        "weight_1": "math",
        "weight_value_1": "2",
        "weight_2": "physics",
        "weight_value_2": "2",
        "floor": "45",
        "status": "open",
    }
    done = post_form(officer, CREATE, NEW, values)
    assert done.status_code == 303, field_error(done.text, "weights") or done.text[:500]
    (offer,) = [o for o in site.offers() if o.code == "IT-MP"]
    assert offer.weights == {"math": 2, "physics": 2}
    assert offer.floor_h == 4500  # above 40: only the 50 scale allows it
    form = officer.get(f"/admissions/institution/offers/{offer.id}/edit").text
    assert '<option value="math" selected>' in form
    assert '<option value="physics" selected>' in form
    # A subject chosen twice is refused, named, and nothing is written.
    twice = post_form(officer, CREATE, NEW, values | {"code": "IT-MM", "weight_2": "math"})
    assert twice.status_code == 422
    assert field_error(twice.text, "weights") == "Môn nhân hệ số: Toán được chọn hai lần"
    # The rule still holds: a combination without Physics (D01) would put the offer on two
    # scales.
    mixed = post_form(officer, CREATE, NEW, values | {"code": "IT-MX", "combinations": "A00\nD01"})
    assert mixed.status_code == 422
    assert "cùng tổng hệ số" in field_error(mixed.text, "weights")
    assert not [o for o in site.offers() if o.code in ("IT-MM", "IT-MX")]
