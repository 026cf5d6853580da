"""The national year, lived in the product: `hemis demo` itself (its own process, with the
sandbox payment gateway, the registry simulators and the national e-ID simulator it starts),
walked through its pages in Debian's Chromium by a newcomer candidate, the ministry and an
institution's officer — no API or CLI call once the demo serves:

1. the ministry moves the demo calendar back to exam registration (Lịch demo);
2. a new candidate signs up with the e-ID simulator and registers for the exam;
3. the ministry moves to wishes: the candidate finds exam results, adds two wishes, moves one up;
4. the ministry moves to rounds: the candidate pays for the wishes through the sandbox gateway;
5. the ministry creates a final round and snapshots, runs and publishes it, each a background
   job with its progress page;
6. the candidate sees where they are admitted, with every wish explained, and confirms;
7. the officer finds the new learner under Tân sinh viên and writes the intake;
8. the officer fills the learners template (CSV, downloaded from the upload page) with three
   learners, uploads it, validates the submission and signs it off;
9. the ministry accepts it and recomputes the indicators (a background job): the national count
   of learners on the dashboard grows by those three.

Screenshots of each step's main content go to test-artifacts/year-walk/NN-step.png; with
HEMIS_GUIDE_IMAGES=1 they also replace the guide's pictures (docs/guide/img/). A console error,
a page error or an error response fails the test."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from hemis.registry.rules import make_national_id
from tests.browser.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    running_demo,
)

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "year-walk"
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"
CANDIDATE = "Hoàng Minh Châu"
NEW_LEARNERS = (  # the officer's file: three learners who joined in the reporting year
    ("Lê Thị Thu Hà", "female", "2007-03-02", 912_001),
    ("Phạm Quốc Bảo", "male", "2007-08-19", 912_002),
    ("Trần Gia Huy", "male", "2007-11-30", 912_003),
)
JOB_SECONDS = 120_000  # milliseconds a background job may take on a busy machine


def _count(text: str) -> int:
    return int(text.strip().replace(".", ""))


def test_a_newcomer_lives_the_national_year_through_the_pages(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import Page, expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    problems: list[str] = []

    with running_demo(tmp_path, eid=True) as base:
        logins = json.loads((tmp_path / "var" / "demo-logins.json").read_text(encoding="utf-8"))
        passwords = {x["username"]: x["password"] for x in logins}
        numbered = iter(range(1, 100))

        def shot(page: Page, name: str, height: int = 900) -> None:
            """The page's main content (the whole page where there is none), its top `height`
            pixels: pictures small enough for the guide."""
            path = SHOTS / f"{next(numbered):02d}-{name}.png"
            page.evaluate("window.scrollTo(0, 0)")
            main = page.locator("main")
            box = main.bounding_box() if main.count() else None
            if box is None:
                size = page.viewport_size or {"width": 1100, "height": height}
                box = {"x": 0, "y": 0, "width": size["width"], "height": height}
            clip = {**box, "height": min(box["height"], height)}
            page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[arg-type]

        def watch(page: Page) -> Page:
            def console(message: object) -> None:
                if getattr(message, "type", "") == "error":
                    url = getattr(message, "location", {}).get("url", "")
                    if not (url.endswith("/favicon.ico") and not url.startswith(base)):
                        problems.append(f"console: {getattr(message, 'text', '')} ({url})")

            def response(r: object) -> None:
                status, url = getattr(r, "status", 0), str(getattr(r, "url", ""))
                # the sandbox gateway and the e-ID simulator, stand-ins for others' sites, have
                # no icon
                if status >= 400 and not url.endswith("/favicon.ico"):
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
                        locale="vi-VN", viewport={"width": 1100, "height": 800}
                    )
                    return watch(context.new_page())

                def log_in(username: str) -> Page:
                    page = person()
                    page.goto(f"{base}/login")
                    page.get_by_label("Tên đăng nhập").fill(username)
                    page.get_by_label("Mật khẩu").fill(passwords[username])
                    page.get_by_role("button", name="Đăng nhập").click()
                    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
                    return page

                ministry = log_in("admin")
                officer = log_in("officer")
                candidate = person()

                # The national dashboard before the year.
                ministry.goto(f"{base}/indicators")
                stats = ministry.locator("#national-stats .stat-value").first
                learners_before = _count(stats.inner_text())
                shot(ministry, "dashboard-before", height=560)
                ministry.goto(f"{base}/")
                ministry.get_by_role("link", name="Lịch demo").click()

                def move_calendar(button: str, label: str, name: str) -> None:
                    ministry.goto(f"{base}/demo")
                    ministry.get_by_role("button", name=button).click()
                    expect(ministry.locator("#current-phase")).to_contain_text(label)
                    shot(ministry, name)

                # 1. Back to exam registration.
                move_calendar(
                    "Chuyển sang Đăng ký dự thi", "Đăng ký dự thi", "calendar-registration"
                )

                # 2. A new candidate signs up with the national e-ID and registers.
                candidate.goto(f"{base}/login")
                candidate.get_by_role(
                    "link", name="Đăng nhập bằng định danh điện tử (VNeID)"
                ).click()
                expect(
                    candidate.get_by_role("heading", name="Công dân mới / A new citizen")
                ).to_be_visible()
                candidate.get_by_label("Họ và tên").fill(CANDIDATE)
                candidate.locator("#new-level-2").check()
                shot(candidate, "eid-simulator")
                candidate.locator("form:has(#national_id)").get_by_role(
                    "button", name="Đăng nhập / Log in"
                ).click()
                expect(candidate.get_by_role("heading", level=1)).to_have_text(
                    f"Xin chào, {CANDIDATE}"
                )
                expect(candidate.locator("#next-step")).to_contain_text("Đăng ký dự thi")
                shot(candidate, "candidate-home")
                candidate.get_by_role("link", name="Thực hiện").click()
                candidate.get_by_label("Mã trường THPT (lớp 12)").fill("01012")
                candidate.get_by_label("Tên trường THPT").fill("THPT Chu Văn An")
                candidate.get_by_label("Khu vực ưu tiên").select_option("KV2")
                candidate.get_by_label("Môn tự chọn 1").select_option("physics")
                candidate.get_by_label("Môn tự chọn 2").select_option("foreign_language")
                candidate.get_by_label("Thứ tiếng (nếu thi Ngoại ngữ)").select_option("N1")
                candidate.get_by_label("Điểm thi (mã)").fill("01")
                candidate.get_by_role("button", name="Lưu đăng ký").click()
                expect(candidate.locator("main")).to_contain_text("Đã lưu đăng ký.")
                expect(candidate.locator("main")).to_contain_text("Số báo danh")
                shot(candidate, "exam-registration")

                # 3. Results are in; the wish window opens.
                move_calendar(
                    "Chuyển sang Đăng ký nguyện vọng", "Đăng ký nguyện vọng", "calendar-wishes"
                )
                candidate.goto(f"{base}/")
                expect(candidate.locator("#next-step")).to_contain_text("nguyện vọng")
                candidate.get_by_role("link", name="Tuyển sinh", exact=True).first.click()
                candidate.get_by_role("link", name="Điểm", exact=True).click()
                expect(candidate.locator("main table tbody tr").first).to_be_visible()
                expect(candidate.locator("main")).to_contain_text("Toán")
                shot(candidate, "exam-results")
                candidate.get_by_role("link", name="Nguyện vọng", exact=True).first.click()
                search = candidate.get_by_label("Tìm ngành, mã xét tuyển hoặc cơ sở đào tạo")
                wishes = candidate.locator("#wishes tbody tr")
                # a safe program, then a selective one (ten seats, the highest floor) moved up
                for query, code in (("Logistics", "7510605"), ("Sư phạm Kỹ thuật", "7140214")):
                    search.fill(query)
                    candidate.get_by_role("button", name="Tìm").click()
                    candidate.locator("main table tr", has_text=code).get_by_role(
                        "button", name="Thêm"
                    ).click()
                    expect(wishes.filter(has_text=code)).to_be_visible()
                expect(wishes).to_have_count(2)
                expect(wishes.first).to_contain_text("7510605")
                up = wishes.filter(has_text="7140214").get_by_role("button", name="Lên")
                # drawn to be seen on the white table (it once was white on white)
                assert up.evaluate("b => getComputedStyle(b).color") != "rgb(255, 255, 255)"
                up.click()
                expect(wishes.first).to_contain_text("7140214")  # moved up to wish 1
                candidate.wait_for_load_state("networkidle")  # htmx has swapped the list in
                shot(candidate, "wishes")

                # 4. Wishes close and are invoiced: the candidate pays at the sandbox gateway.
                move_calendar("Chuyển sang Lọc ảo", "Lọc ảo", "calendar-rounds")
                candidate.goto(f"{base}/")
                candidate.get_by_role("link", name="Lệ phí", exact=True).click()
                expect(candidate.locator("main")).to_contain_text("2 × 15.000 đ")
                expect(candidate.locator("main")).to_contain_text("30.000 đ")
                shot(candidate, "invoice")
                candidate.get_by_role("button", name="Thanh toán trực tuyến").click()
                expect(candidate.get_by_role("button", name="Thanh toán / Pay")).to_be_visible()
                shot(candidate, "sandbox-gateway", height=200)
                candidate.get_by_role("button", name="Thanh toán / Pay").click()
                candidate.wait_for_url(re.compile(re.escape(base) + r"/payments/return"))
                # the gateway's notification settles it, not the redirect: the return page
                # follows the intent by itself until it is final
                status = candidate.locator("#payment-status")
                expect(status).to_have_attribute("data-status", "paid", timeout=60_000)
                expect(status).to_contain_text("Đã thanh toán")
                candidate.goto(f"{base}/payments")
                expect(candidate.locator("main")).to_contain_text("Đã thanh toán.")
                shot(candidate, "paid")

                # 5. The ministry's round: created, then three background jobs.
                ministry.goto(f"{base}/")
                ministry.get_by_role("link", name="Tuyển sinh", exact=True).click()
                ministry.get_by_label("Đợt chính cuối cùng").check()
                ministry.get_by_role("button", name="Tạo đợt mới").click()
                rounds = ministry.locator("main table").first
                expect(rounds).to_contain_text("Nháp")
                shot(ministry, "round-created")
                for button, name in (
                    ("Chốt dữ liệu", "round-snapshot"),
                    ("Lọc ảo", "round-run"),
                    ("Công bố", "round-publish"),
                ):
                    rounds.get_by_role("button", name=button).click()
                    if button == "Công bố":  # cannot be undone: a confirmation page first
                        expect(ministry.locator("main")).to_contain_text("không thể hoàn tác")
                        ministry.get_by_role("button", name="Công bố đợt").click()
                    expect(ministry).to_have_url(re.compile(r"/actions/\d+$"))
                    expect(ministry.locator("#action-result")).to_be_visible(timeout=JOB_SECONDS)
                    expect(ministry.locator("#action-status")).to_have_attribute(
                        "data-status", "succeeded"
                    )
                    expect(ministry.locator("#action-percent")).to_have_text("100%")
                    shot(ministry, name)
                    ministry.get_by_role("link", name="Quay lại").click()
                expect(rounds).to_contain_text("Đã công bố")

                # 6. The candidate's result, explained, and the confirmation.
                candidate.goto(f"{base}/")
                expect(candidate.locator("#next-step")).to_contain_text("Xác nhận nhập học")
                candidate.get_by_role("link", name="Kết quả", exact=True).first.click()
                expect(candidate.locator(".outcome-admitted")).to_be_visible()
                expect(candidate.locator("main")).to_contain_text("Vì sao")
                shot(candidate, "result-explained")
                candidate.get_by_role("button", name="Xác nhận nhập học").click()
                candidate.get_by_role("button", name="Tôi xác nhận nhập học").click()
                expect(candidate.locator("main")).to_contain_text("Bạn đã xác nhận nhập học lúc")
                shot(candidate, "confirmed")

                # 7. The officer's intake: the new learner, written into the registry.
                officer.goto(f"{base}/")
                officer.get_by_role("link", name="Tuyển sinh", exact=True).click()
                officer.get_by_role("link", name=re.compile("Tân sinh viên")).first.click()
                newcomer = officer.locator("main table tr", has_text=CANDIDATE)
                expect(newcomer).to_contain_text("chưa ghi")
                program_code = newcomer.locator("td").first.inner_text().strip()
                shot(officer, "intake")
                officer.get_by_role("button", name=re.compile("Ghi tân sinh viên vào CSDL")).click()
                expect(officer.locator("main")).to_contain_text("1 người học mới")
                expect(newcomer).not_to_contain_text("chưa ghi")  # a student code now
                shot(officer, "intake-written")

                # 8. The officer's learners file: the template, three rows, upload, sign-off.
                officer.get_by_role("link", name="Báo cáo dữ liệu", exact=True).click()
                with officer.expect_download() as download:
                    officer.locator("a[href='/submissions/templates/learners.csv']").click()
                template = Path(download.value.path()).read_text(encoding="utf-8-sig")
                upload = tmp_path / "nguoi-hoc-2025.csv"
                upload.write_text(learners_file(template, program_code), encoding="utf-8")
                officer.get_by_label("Loại dữ liệu").select_option("learners")
                officer.get_by_label(re.compile(r"^Tệp \(")).set_input_files(str(upload))
                officer.get_by_role("button", name="Tải lên và kiểm tra").click()
                expect(officer.locator("main")).to_contain_text(
                    "Đã ghi vào cơ sở dữ liệu", timeout=JOB_SECONDS
                )
                expect(officer.locator(".result-count")).to_have_text("0 vấn đề")
                shot(officer, "upload")
                officer.get_by_role("link", name="Bản nộp", exact=True).click()
                officer.get_by_role("button", name="Kiểm tra bản nộp").click()
                expect(officer.locator("#sub-status")).to_have_text("Đã kiểm tra")
                officer.get_by_label("Họ tên người đứng đầu").fill("Nguyễn Văn Hiệu")
                officer.get_by_label("Chức vụ").fill("Hiệu trưởng")
                officer.get_by_label("Tôi xác nhận số liệu đầy đủ và chính xác.").check()
                officer.get_by_role("button", name="Ký xác nhận và nộp").click()
                expect(officer.locator("#sub-status")).to_have_text("Đã nộp, chờ Bộ duyệt")
                expect(officer.locator("#snapshot-hash")).to_be_visible()
                shot(officer, "signed-off")

                # 9. The ministry accepts, recomputes, and the dashboard follows.
                ministry.get_by_role("link", name="Báo cáo dữ liệu", exact=True).click()
                ministry.locator("main table tr", has_text="Đã nộp, chờ Bộ duyệt").get_by_role(
                    "link"
                ).first.click()
                ministry.get_by_role("button", name="Chấp nhận").click()
                expect(ministry.locator("main")).to_contain_text("Chấp nhận bản nộp?")
                ministry.get_by_role("button", name="Chấp nhận").click()
                expect(ministry.locator("#sub-status")).to_have_text("Đã được chấp nhận")
                shot(ministry, "accepted")
                ministry.get_by_role("link", name="Chỉ số", exact=True).click()
                ministry.get_by_role("button", name="Tính lại chỉ số").click()
                expect(ministry.locator("#action-result")).to_be_visible(timeout=JOB_SECONDS)
                expect(ministry.locator("#action-status")).to_have_attribute(
                    "data-status", "succeeded"
                )
                shot(ministry, "indicators-recomputed")
                ministry.get_by_role("link", name="Quay lại").click()
                expect(stats).to_have_text(
                    f"{learners_before + len(NEW_LEARNERS):,}".replace(",", ".")
                )
                shot(ministry, "dashboard-after", height=560)
            finally:
                browser.close()
    assert problems == [], problems
    copy_to_guide(sorted(SHOTS.glob("*.png")))


def learners_file(template: str, program_code: str) -> str:
    """The downloaded template with three learners who joined the program in the reporting
    year (the template's header, as the officer's spreadsheet would keep it)."""
    header = next(csv.reader(io.StringIO(template)))
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    for n, (name, sex, born, serial) in enumerate(NEW_LEARNERS, start=1):
        writer.writerow(
            {
                "student_code": f"SV2025{n:04d}",
                "national_id": make_national_id("079", sex, int(born[:4]), serial),
                "full_name": name,
                "date_of_birth": born,
                "sex": sex,
                "nationality": "VN",
                "ethnicity": "01",
                "program_code": program_code,
                "cohort_year": "2025",
                "admitted_on": "2025-09-05",
                "study_mode": "full_time",
                "funding_source": "self_funded",
                "status": "enrolled",
                "status_date": "2025-09-05",
            }
        )
    return out.getvalue()


def copy_to_guide(shots: list[Path]) -> None:
    """With HEMIS_GUIDE_IMAGES=1, the screenshots become the guide's pictures."""
    if os.environ.get("HEMIS_GUIDE_IMAGES") != "1":
        return
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    for old in GUIDE_IMAGES.glob("*.png"):
        old.unlink()
    for path in shots:
        shutil.copyfile(path, GUIDE_IMAGES / path.name)
