"""Digital competency (Circular 02/2025), lived in the product: `hemis demo` itself, walked in
Debian's Chromium, in Vietnamese, by an institution's officer, a learner, a stranger who checks
a credential, and the ministry — no API or CLI call once the demo serves:

1. the learner logs in and finds their competency profile against their program's targets;
2. the officer opens the framework, declares two targets of a program through the targets page
   (upload, checked, written), and submits a new assessed level of that learner, then a file
   with the issue's bad inputs, which is refused with rule IDs and writes nothing;
3. the learner sees the new level, self-assesses one competency (marked "tự đánh giá"), has a
   credential issued and downloads it;
4. a stranger verifies the file on the public page (valid), then a copy with one level changed
   (not valid);
5. the officer revokes the credential; the stranger's check now says revoked;
6. the ministry reads the coverage view, recomputes the year's competency indicators (a
   background job) and reads the dashboard's charts.

Screenshots of each step's main content go to test-artifacts/competency-walk/NN-step.png. A
console error, a page error or an unexpected error response fails the test."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.browser.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    running_demo,
)

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "competency-walk"
JOB_MS = 120_000  # a background job may take this long on a busy machine
# The refusals the walk asks for on purpose (a form sent incomplete answers 422 and keeps what
# was typed); any other error response is a failure.
REFUSED_ON_PURPOSE = (("/me/competency/self/", 422), ("/revoke", 422))


def test_digital_competency_through_the_pages(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import Page, expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    problems: list[str] = []

    with running_demo(tmp_path) as base:
        logins = json.loads((tmp_path / "var" / "demo-logins.json").read_text(encoding="utf-8"))
        passwords = {x["username"]: x["password"] for x in logins}
        numbered = iter(range(1, 100))

        def shot(page: Page, name: str, height: int = 900) -> None:
            path = SHOTS / f"{next(numbered):02d}-{name}.png"
            page.evaluate("window.scrollTo(0, 0)")
            box = page.locator("main").bounding_box()
            assert box is not None
            clip = {**box, "height": min(box["height"], height)}
            page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[arg-type]

        def watch(page: Page) -> Page:
            def console(message: object) -> None:
                text = str(getattr(message, "text", ""))
                # (the browser reports the refusals above as failed loads too)
                if getattr(message, "type", "") == "error" and "422" not in text:
                    problems.append(f"console: {text}")

            def response(r: object) -> None:
                status, url = getattr(r, "status", 0), str(getattr(r, "url", ""))
                expected = any(part in url and status == code for part, code in REFUSED_ON_PURPOSE)
                if status >= 400 and not expected and not url.endswith("/favicon.ico"):
                    problems.append(f"{status} {url}")

            page.on("console", console)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("response", response)
            return page

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:

                def person() -> Page:
                    context = browser.new_context(
                        locale="vi-VN", viewport={"width": 1200, "height": 900},
                        accept_downloads=True,
                    )  # fmt: skip
                    return watch(context.new_page())

                def log_in(username: str) -> Page:
                    page = person()
                    page.goto(f"{base}/login")
                    page.get_by_label("Tên đăng nhập").fill(username)
                    page.get_by_label("Mật khẩu").fill(passwords[username])
                    page.get_by_role("button", name="Đăng nhập").click()
                    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
                    return page

                # 1. The learner's profile against the program's targets.
                learner = log_in("learner")
                expect(learner.locator("h1")).to_have_text("Năng lực số của tôi")
                enrolment = learner.locator("section.enrolment").first
                student_code = enrolment.locator("p.muted .code").first.inner_text().strip()
                expect(learner.locator("#profile-stats")).to_contain_text("Đạt hoặc vượt mục tiêu")
                shot(learner, "learner-profile")
                learner.get_by_role("link", name="Hồ sơ học tập của tôi trong HEMIS").click()
                expect(learner.locator("main")).to_contain_text(student_code)
                shot(learner, "learner-records", height=600)

                # 2. The officer: the framework, two targets, a new level, a refused file.
                officer = log_in("officer")
                officer.get_by_role("link", name="Năng lực số", exact=True).click()
                officer.get_by_role("link", name=re.compile("^Khung năng lực số")).click()
                expect(officer.locator("#competency-6\\.1")).to_contain_text("Hiểu biết về AI")
                shot(officer, "framework", height=700)
                officer.go_back()
                officer.get_by_role(
                    "link", name="Mục tiêu năng lực số của các chương trình"
                ).click()
                first_program = officer.locator("table#targets tbody tr").first
                program_code = first_program.locator(".code").inner_text().strip()
                targets = tmp_path / "muc-tieu.csv"
                targets.write_text(
                    "program_code,competency_code,target_level\n"
                    f"{program_code},3.4,6\n{program_code},6.1,5\n",
                    encoding="utf-8",
                )
                officer.get_by_label(re.compile(r"^Tệp \(")).set_input_files(str(targets))
                officer.get_by_role("button", name="Tải lên và kiểm tra").click()
                expect(officer.locator("main")).to_contain_text(
                    "Đã ghi vào cơ sở dữ liệu", timeout=JOB_MS
                )
                shot(officer, "targets-uploaded")
                officer.goto(f"{base}/competency/targets")
                row = officer.locator(f"tr#program-{program_code}")
                expect(row).to_contain_text("NC2")  # 3.4 at level 6
                shot(officer, "targets")

                yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
                officer.goto(f"{base}/competency")
                officer.get_by_role(
                    "link", name="Kết quả đánh giá năng lực số của người học"
                ).click()
                levels = tmp_path / "nang-luc-so.csv"
                levels.write_text(
                    "student_code,competency_code,level,assessed_on,method,evidence_ref\n"
                    f"{student_code},3.4,7,{yesterday},exam,KT-DEMO-01\n",
                    encoding="utf-8",
                )
                officer.get_by_label("Loại dữ liệu").select_option("digital_competencies")
                officer.get_by_label(re.compile(r"^Tệp \(")).set_input_files(str(levels))
                officer.get_by_role("button", name="Tải lên và kiểm tra").click()
                expect(officer.locator("main")).to_contain_text(
                    "Đã ghi vào cơ sở dữ liệu", timeout=JOB_MS
                )
                shot(officer, "levels-uploaded")
                bad = tmp_path / "nang-luc-so-loi.csv"
                bad.write_text(
                    "student_code,competency_code,level,assessed_on,method,evidence_ref\n"
                    f"{student_code},7.1,4,{yesterday},exam,\n"
                    f"{student_code},1.1,9,{yesterday},exam,\n"
                    f"{student_code},1.2,4,2099-01-01,exam,\n"
                    f"{student_code},1.3,4,1990-01-01,exam,\n"
                    f"KHONG-CO,1.1,4,{yesterday},exam,\n"
                    f"{student_code},3.4,5,{yesterday},exam,KT-DEMO-01\n"
                    f"{student_code},3.4,6,{yesterday},coursework,HP-1\n",
                    encoding="utf-8",
                )
                officer.goto(f"{base}/competency/learners")
                officer.get_by_label("Loại dữ liệu").select_option("digital_competencies")
                officer.get_by_label(re.compile(r"^Tệp \(")).set_input_files(str(bad))
                officer.get_by_role("button", name="Tải lên và kiểm tra").click()
                expect(officer.locator("main")).to_contain_text(
                    "Tệp có lỗi nên chưa ghi gì vào cơ sở dữ liệu", timeout=JOB_MS
                )
                issues = officer.locator("#issue-table")
                for rule in (
                    "DCP.competency_code.code",
                    "DCP.level.range",
                    "DCP.assessed_on.future",
                    "DCP.assessed_on.enrolment",
                    "DCP.student_code.exists",
                    "DCP.key.duplicate",
                ):
                    expect(issues).to_contain_text(rule)
                shot(officer, "levels-refused")

                # 3. The learner: the new level, a self-assessment, a credential.
                learner.goto(f"{base}/me/competency")
                state = learner.locator("section.enrolment").first.locator("#state-3\\.4")
                expect(state.locator(".latest")).to_have_text("CS1")
                learner.locator("#self-6\\.2").get_by_role("link").click()
                expect(learner.locator("h1")).to_contain_text("6.2")
                learner.get_by_role("button", name="Lưu kết quả tự đánh giá").click()
                expect(learner.locator("#form-errors")).to_contain_text("Câu 1: hãy chọn")
                for n, answer in enumerate(("Có, thường xuyên",) * 2 + ("Chưa",) * 2, 1):
                    learner.locator(f"#q{n}").get_by_label(answer).check()
                learner.get_by_role("button", name="Lưu kết quả tự đánh giá").click()
                expect(learner.locator("#self-6\\.2")).to_contain_text("tự đánh giá")
                shot(learner, "self-assessed")
                learner.get_by_role("button", name="Cấp chứng nhận năng lực số").first.click()
                with learner.expect_download() as download:
                    learner.locator("#my-credentials a").first.click()
                credential = tmp_path / "chung-nhan.json"
                download.value.save_as(str(credential))
                document = json.loads(credential.read_text(encoding="utf-8"))
                assert "OpenBadgeCredential" in document["type"]
                shot(learner, "credential-issued")

                # 4. A stranger verifies the file, then a copy with one level changed.
                stranger = person()

                def check(path: Path, verdict: str, name: str) -> None:
                    stranger.goto(f"{base}/competency/verify")
                    stranger.get_by_label("Tệp chứng nhận (.json)").set_input_files(str(path))
                    stranger.get_by_role("button", name="Kiểm tra").click()
                    expect(stranger.locator("#verdict-text")).to_contain_text(verdict)
                    shot(stranger, name, height=700)

                check(credential, "Hợp lệ", "verified")
                changed = json.loads(json.dumps(document))
                changed["credentialSubject"]["result"][0]["value"] = "CS2"
                forged = tmp_path / "chung-nhan-sua.json"
                forged.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
                check(forged, "nội dung đã bị thay đổi", "tampered")

                # 5. The officer revokes it; the stranger's check says so.
                officer.goto(f"{base}/competency/credentials")
                officer.get_by_role("button", name="Thu hồi").first.click()
                expect(officer.locator("#form-errors")).to_contain_text("Lý do thu hồi")
                officer.get_by_label("Lý do thu hồi").first.fill("Kết quả 3.4 được chấm lại")
                officer.get_by_role("button", name="Thu hồi").first.click()
                expect(officer.locator("table#credentials")).to_contain_text("Đã thu hồi")
                shot(officer, "revoked")
                check(credential, "Đã bị thu hồi", "verified-revoked")

                # 6. The ministry: coverage, the year's indicators recomputed, the dashboard.
                ministry = log_in("admin")
                ministry.get_by_role("link", name="Năng lực số", exact=True).click()
                ministry.get_by_role("link", name=re.compile("^Độ bao phủ mục tiêu")).click()
                expect(ministry.locator("table#coverage")).to_be_visible()
                shot(ministry, "coverage")
                ministry.goto(f"{base}/competency/indicators")
                expect(ministry.locator("#chart-competencies")).to_be_visible()
                ministry.get_by_label("Năm cần tính lại").fill("2025")
                ministry.get_by_role("button", name="Tính lại chỉ số năng lực số").click()
                expect(ministry.locator("#action-result")).to_be_visible(timeout=JOB_MS)
                expect(ministry.locator("#action-status")).to_have_attribute(
                    "data-status", "succeeded"
                )
                ministry.get_by_role("link", name="Quay lại").click()
                expect(ministry.locator("h1")).to_contain_text("2025")
                expect(ministry.locator("#gap-table")).to_contain_text("Lập trình")
                shot(ministry, "dashboard")
            finally:
                browser.close()
    assert problems == [], problems
