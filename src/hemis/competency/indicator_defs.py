"""The competency indicators, each defined once: what it measures, its numerator and
denominator, and the rules its count follows, each with its source. Circular 02/2025 sets the
framework and says programs' targets and learners' assessments are based on it; no text was
found on how to count shares or gaps nationally, so every rule here is HEMIS's operational
reading, marked unverified (`verified=False`) and shown so on the pages and in the docs."""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = (
    "Thông tư 02/2025/TT-BGDĐT (khung năng lực số cho người học); cách đếm là lựa chọn vận "
    "hành của HEMIS, chưa có văn bản hướng dẫn"
)


@dataclass(frozen=True)
class CountRule:
    id: str
    text_vi: str
    text_en: str
    verified: bool = False


@dataclass(frozen=True)
class Measure:
    id: str
    name_vi: str
    name_en: str
    numerator_vi: str
    numerator_en: str
    denominator_vi: str
    denominator_en: str
    unit: str  # percent or levels
    rules: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


RULES: tuple[CountRule, ...] = (
    CountRule(
        "population",
        "Người học: hồ sơ có trạng thái “đang học” và ngày nhập học không sau ngày chốt (31/12 "
        "của năm). Người tốt nghiệp: ngày tốt nghiệp (hoặc ngày của trạng thái “đã tốt nghiệp”) "
        "trong năm, đến ngày chốt. Trạng thái đọc trên hồ sơ, không dựng lại từ lịch sử biến "
        "động như các tiêu chí của Thông tư 01/2024.",
        "Learners: records with status “enrolled” admitted on or before the cut-off (31 December "
        "of the year). Graduates: graduation date (or the date of the status “graduated”) within "
        "the year, up to the cut-off. The record's status is read as it is, not replayed from "
        "the status history as the Circular 01/2024 criteria do.",
    ),
    CountRule(
        "latest_level",
        "Mức của một năng lực là mức gần nhất do cơ sở đào tạo đánh giá, đến ngày chốt; kết quả "
        "tự đánh giá của người học không bao giờ được tính.",
        "A competency's level is the latest one the institution assessed, up to the cut-off; "
        "learners' self-assessments are never counted.",
    ),
    CountRule(
        "target",
        "Chỉ tính người học mà chương trình đặt mục tiêu cho năng lực đó; năng lực không có mục "
        "tiêu không được tính (kể cả khi đã được đánh giá).",
        "Only learners whose program targets the competency count; a competency without a target "
        "does not (even if assessed).",
    ),
    CountRule(
        "domain",
        "Một miền: người học có ít nhất một năng lực của miền được đặt mục tiêu; “đã đánh giá” khi "
        "mọi năng lực có mục tiêu của miền đã được đánh giá; “đạt” khi mọi năng lực đó đạt mục "
        "tiêu; khoảng cách là tổng số bậc còn thiếu trên các năng lực của miền.",
        "A domain: learners with a target in at least one of its competencies; “assessed” when "
        "every targeted competency of the domain is assessed; “met” when every one is at or "
        "above its target; the gap is the levels missing summed over the domain.",
    ),
    CountRule(
        "places",
        "Lĩnh vực là chữ số 2–3 của mã ngành của chương trình; vùng là vùng của tỉnh (34 tỉnh) "
        "nơi cơ sở đào tạo đặt trụ sở; giới tính theo hồ sơ cá nhân.",
        "The field is digits 2–3 of the program's discipline code; the region is that of the "
        "institution's province (34-province map); sex as in the person's record.",
    ),
    CountRule(
        "suppression",
        "Dữ liệu mở: không ô nào (kể cả tổng) dưới 5 người; ô bị ẩn không suy ra được từ các tổng "
        "(ẩn bổ sung, kiểm tra hạng) — cùng phương pháp với dữ liệu mở của các chỉ số khác.",
        "Open data: no published cell (or total) counts fewer than 5 persons; no hidden cell can "
        "be worked out from the totals (complementary suppression, rank test) — the method of "
        "the other open data.",
        verified=True,
    ),
)

MEASURES: tuple[Measure, ...] = (
    Measure(
        "competency_met",
        "Tỉ lệ đạt mục tiêu năng lực số",
        "Share at or above target",
        "Người học đã được đánh giá có mức gần nhất bằng hoặc cao hơn mục tiêu của chương trình",
        "Assessed learners whose latest level is at or above the program's target",
        "Người học đã được đánh giá ở năng lực chương trình đặt mục tiêu",
        "Learners assessed in a competency their program targets",
        "percent",
        ("population", "latest_level", "target", "domain", "places"),
    ),
    Measure(
        "competency_assessed",
        "Tỉ lệ được đánh giá",
        "Share assessed",
        "Người học đã có mức được đánh giá",
        "Learners with an assessed level",
        "Người học mà chương trình đặt mục tiêu cho năng lực",
        "Learners whose program targets the competency",
        "percent",
        ("population", "latest_level", "target", "places"),
    ),
    Measure(
        "competency_gap",
        "Khoảng cách trung bình so với mục tiêu",
        "Mean gap below target",
        "Tổng số bậc còn thiếu của những người học dưới mục tiêu",
        "Levels missing, summed over the learners below target",
        "Người học đã được đánh giá và dưới mục tiêu",
        "Assessed learners below target",
        "levels",
        ("population", "latest_level", "target", "domain", "places"),
    ),
)


def rule(rule_id: str) -> CountRule:
    return next(r for r in RULES if r.id == rule_id)
