"""The ministry settles a person claim from its home page, in Debian's Chromium against the real
server: an institution enrolled a learner with a national ID registered to another
institution's learner with other details; the ministry compares the two records and decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.config import Environment, Settings
from hemis.db import migrate
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry import service_learners
from hemis.registry.codes import FundingSource, Sex, StudyMode
from hemis.registry.models import Program
from hemis.registry.schemas_people import LearnerCreate
from tests.browser.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.web.page_factories import PASSWORD, make_user, seed_registry

pytestmark = pytest.mark.browser


def _seed(url: str) -> None:
    migrate.upgrade(url)
    settings = Settings(env=Environment.test, database_url=url)
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    registry = seed_registry(sessions, cipher)
    make_user(sessions, "bo.admin", Role.ministry_admin, display_name="Quản trị viên Bộ")
    # Bách khoa enrols the ID of Kinh tế quốc dân's learner "Ngô Thị Khác", with other details.
    officer = Scope("user:officer", registry.bk_id, role="institution_officer")
    with scoped_session(sessions, officer) as s:
        [program] = s.query(Program).filter(Program.code == "CNTT1").all()
        service_learners.create_learner(
            s,
            cipher,
            LearnerCreate(
                national_id="001099999999",
                full_name="Ngô Văn Khác",
                date_of_birth=dt.date(1999, 5, 5),
                sex=Sex.male,
                program_id=program.id,
                student_code="BK999",
                cohort_year=2022,
                study_mode=StudyMode.full_time,
                funding_source=FundingSource.self_funded,
                admitted_on=dt.date(2022, 9, 5),
            ),
        )
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    require_chromium()
    url = f"sqlite:///{tmp_path / 'hemis.db'}"
    _seed(url)
    with served(url, tmp_path) as base:
        yield base


def test_the_ministry_reviews_a_claim_from_its_home_page(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=server,
            locale="vi-VN",
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto("/login")
            page.get_by_label("Tên đăng nhập").fill("bo.admin")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.get_by_role("link", name="Hồ sơ người cần xem xét (1)").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ người cần xem xét")
            review = page.locator("section.card").first
            expect(review).to_contain_text("Ngô Văn Khác")  # as the institution sent it
            expect(review).to_contain_text("Ngô Thị Khác")  # as registered
            expect(review).to_contain_text("Đại học Bách khoa Hà Nội")
            expect(review).to_contain_text("*********999")  # the ID, masked
            page.screenshot(path=str(ARTIFACTS / "person-review-01.png"), full_page=True)
            review.get_by_role("button", name="Cùng một người — giữ hồ sơ đã đăng ký").click()
            expect(page.get_by_text("Không có hồ sơ nào chờ xem xét.")).to_be_visible()
            expect(page.locator("#review-total")).to_contain_text("0")
            page.screenshot(path=str(ARTIFACTS / "person-review-02.png"), full_page=True)
        finally:
            context.close()
    assert problems == [], problems
