"""Every indicator, defined once: what it measures, how (numerator and denominator), against
which threshold from which date, and whether that threshold was checked against the text.

Circular 01/2024/TT-BGDĐT (effective 22 Mar 2024) sets 6 standards and 20 criteria for every
higher-education institution. The thresholds below are those of the project's domain notes,
which cite the Circular's text as published by dulieuphapluat.vn and summaries by
luatvietnam.vn, lawnet.vn and vnexpress.net. `threshold_verified=False` marks a threshold (or an
operational choice such as the conversion weights) that could not be checked against the text;
pages and exports show it. A change of meaning is a new `version`: results are stored per
definition version, so an old figure keeps the definition it was computed with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

CIRCULAR = "Thông tư 01/2024/TT-BGDĐT"
SOURCES = "dulieuphapluat.vn (văn bản Thông tư), luatvietnam.vn, lawnet.vn, vnexpress.net"


@dataclass(frozen=True)
class Threshold:
    """`value` applies from `from_year` (inclusive) for institutions of `applies_to`."""

    value: float
    from_year: int = 2024
    applies_to: str = "all"  # all, doctoral (trains doctorates), specialised


@dataclass(frozen=True)
class Definition:
    id: str
    version: int
    family: str  # criterion (Circular 01/2024) or quality
    standard: int  # 1–6 for criteria; 0 for data quality
    name_vi: str
    name_en: str
    formula: str
    numerator_vi: str
    numerator_en: str
    denominator_vi: str
    denominator_en: str
    unit: str  # ratio, percent, m2, score
    direction: str  # max: value must be ≤ threshold; min: ≥ threshold; none: no threshold
    thresholds: tuple[Threshold, ...] = ()
    threshold_verified: bool = True
    note_vi: str = ""
    note_en: str = ""
    drill: tuple[str, ...] = field(default=())  # parts with a record drill-down

    def threshold(
        self, year: int, doctoral: bool = False, specialised: bool = False
    ) -> float | None:
        """The threshold in force in `year` for such an institution (None: none in force)."""
        kind = "specialised" if specialised else "doctoral" if doctoral else "all"
        chosen = [t for t in self.thresholds if t.applies_to == kind and t.from_year <= year]
        if not chosen and kind != "all":
            chosen = [t for t in self.thresholds if t.applies_to == "all" and t.from_year <= year]
        return max(chosen, key=lambda t: t.from_year).value if chosen else None

    def first_year(self) -> int | None:
        return min((t.from_year for t in self.thresholds), default=None)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


# Weights of "converted students" (người học quy đổi, Circular 03/2022 on quotas): by level and by
# mode. The field weight is 1 everywhere here: the circular's per-field coefficients could not be
# checked, so the whole conversion is marked unverified on the criteria that use it.
LEVEL_WEIGHTS = {"college": 1.0, "bachelor": 1.0, "master": 1.5, "doctor": 2.0}
MODE_WEIGHTS = {"full_time": 1.0, "part_time": 0.8, "distance": 0.3}
FIELD_WEIGHTS: dict[str, float] = {}
WORKING_AGE_LIMIT = 65  # lecturers older than this at the cut-off are not "working age"
ON_TIME_GRACE_DAYS = 92  # a diploma decided within a term after the normal duration is on time

_CONV_NOTE_VI = "Hệ số quy đổi (trình độ, hình thức) theo Thông tư 03/2022; chưa đối chiếu văn bản."
_CONV_NOTE_EN = "Conversion weights (level, mode) after Circular 03/2022; not checked against it."

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "lecturer_ratio", 1, "criterion", 2,
        "Tỉ lệ người học quy đổi trên giảng viên toàn thời gian",
        "Converted students per full-time lecturer",
        "converted_students / full_time_lecturers",
        "Người học quy đổi đang học tại ngày chốt số liệu (trọng số theo trình độ, hình thức)",
        "Converted students studying at the cut-off (weighted by level and mode)",
        "Giảng viên toàn thời gian (số người)", "Full-time lecturers (headcount)",
        "ratio", "max", (Threshold(40),), False, _CONV_NOTE_VI, _CONV_NOTE_EN,
        ("numerator", "denominator"),
    ),
    Definition(
        "permanent_lecturers", 1, "criterion", 2,
        "Tỉ lệ giảng viên cơ hữu trong độ tuổi lao động",
        "Permanent working-age lecturers",
        "permanent_working_age / full_time_lecturers",
        f"Giảng viên toàn thời gian cơ hữu, dưới {WORKING_AGE_LIMIT} tuổi tại ngày chốt",
        f"Permanent full-time lecturers under {WORKING_AGE_LIMIT} at the cut-off",
        "Giảng viên toàn thời gian", "Full-time lecturers",
        "percent", "min", (Threshold(0.70),), True,
        f"Giới hạn tuổi lao động {WORKING_AGE_LIMIT} là lựa chọn vận hành, chưa đối chiếu.",
        f"The working-age limit of {WORKING_AGE_LIMIT} is an operational choice, not checked.",
        ("numerator", "denominator"),
    ),
    Definition(
        "doctorate_lecturers", 1, "criterion", 2,
        "Tỉ lệ giảng viên có trình độ tiến sĩ", "Lecturers with a doctorate",
        "doctorate_lecturers / full_time_lecturers",
        "Giảng viên toàn thời gian có bằng tiến sĩ", "Full-time lecturers holding a doctorate",
        "Giảng viên toàn thời gian", "Full-time lecturers",
        "percent", "min",
        (
            Threshold(0.20), Threshold(0.30, 2030),
            Threshold(0.40, 2024, "doctoral"), Threshold(0.50, 2030, "doctoral"),
            Threshold(0.05, 2024, "specialised"), Threshold(0.10, 2030, "specialised"),
        ),
        False,
        "Ngưỡng cho trường đặc thù (5%/10%, 10%/15%) chưa rõ áp dụng cho loại nào: chưa xác minh.",
        "Which specialised institutions get 5%/10% or 10%/15% is unclear: not verified.",
        ("numerator", "denominator"),
    ),
    Definition(
        "land_per_student", 1, "criterion", 3,
        "Diện tích đất trên người học chính quy quy đổi",
        "Land per converted full-time student",
        "land_area_m2 / converted_full_time_students",
        "Diện tích đất của các cơ sở (m²)", "Land area of the campuses (m²)",
        "Người học chính quy quy đổi", "Converted full-time students",
        "m2", "min", (Threshold(25, 2030),), False, _CONV_NOTE_VI, _CONV_NOTE_EN,
        ("denominator",),
    ),
    Definition(
        "floor_per_student", 1, "criterion", 3,
        "Diện tích sàn xây dựng trên người học", "Floor area per student",
        "floor_area_m2 / converted_full_time_students",
        "Diện tích sàn xây dựng của các cơ sở (m²)", "Floor area of the campuses (m²)",
        "Người học chính quy quy đổi", "Converted full-time students",
        "m2", "min", (Threshold(2.8),), False, _CONV_NOTE_VI, _CONV_NOTE_EN, ("denominator",),
    ),
    Definition(
        "lecturer_workspaces", 1, "criterion", 3,
        "Tỉ lệ giảng viên có chỗ làm việc riêng", "Lecturers with their own workspace",
        "lecturer_workspaces / full_time_lecturers",
        "Chỗ làm việc riêng của giảng viên (báo cáo tài nguyên năm)",
        "Lecturer workspaces (yearly resource summary)",
        "Giảng viên toàn thời gian", "Full-time lecturers",
        "percent", "min", (Threshold(0.70),), True, "", "", ("denominator",),
    ),
    Definition(
        "enrolment_quota", 1, "criterion", 5,
        "Tỉ lệ nhập học so với chỉ tiêu, trung bình 3 năm",
        "Enrolled against quota, 3-year average",
        "sum(intake, 3 years) / sum(quota, 3 years)",
        "Người học nhập học trong 3 năm gần nhất", "Learners admitted in the last 3 years",
        "Chỉ tiêu tuyển sinh 3 năm (chỉ tiêu năm hiện hành của các chương trình đã mở)",
        "Quota over 3 years (current annual quota of the programs open then)",
        "percent", "min", (Threshold(0.50),), True,
        "Chỉ tiêu từng năm chưa được lưu: dùng chỉ tiêu hiện hành.",
        "Past quotas are not stored: the current annual quota is used.",
        ("numerator",),
    ),
    Definition(
        "scale_change", 1, "criterion", 5,
        "Quy mô đào tạo so với 3 năm trước", "Enrolment compared with 3 years earlier",
        "students(Y) / students(Y-3)",
        "Người học đang học tại ngày chốt năm báo cáo", "Students at this year's cut-off",
        "Người học đang học tại ngày chốt 3 năm trước", "Students at the cut-off 3 years earlier",
        "percent", "min", (Threshold(0.70),), True,
        "Quy mô không giảm quá 30% so với 3 năm trước.", "Not down by more than 30%.",
        ("numerator",),
    ),
    Definition(
        "dropout", 1, "criterion", 5,
        "Tỉ lệ thôi học đại học trong năm", "Undergraduate dropout in the year",
        "withdrawn_in_year / undergraduates_at_start",
        "Người học đại học, cao đẳng thôi học trong năm", "Undergraduates who withdrew in the year",
        "Người học đại học, cao đẳng đang học đầu năm", "Undergraduates studying at the start",
        "percent", "max", (Threshold(0.10),), True,
        "Chuyển trường không tính là thôi học.", "Transfers are not counted as dropout.",
        ("numerator",),
    ),
    Definition(
        "first_year_dropout", 1, "criterion", 5,
        "Tỉ lệ thôi học năm thứ nhất", "First-year dropout",
        "withdrawn_within_12_months / admitted_previous_year",
        "Người học thôi học trong 12 tháng đầu", "Learners who withdrew within 12 months",
        "Người học đại học, cao đẳng nhập học năm trước", "Undergraduates admitted the year before",
        "percent", "max", (Threshold(0.15),), True, "", "", ("numerator",),
    ),
    Definition(
        "graduation_extended", 1, "criterion", 5,
        "Tỉ lệ tốt nghiệp trong thời gian chuẩn cộng 2 năm",
        "Graduation within normal duration + 2 years",
        "graduated_within_duration_plus_2 / cohort",
        "Người học của khóa tốt nghiệp trong thời gian chuẩn + 2 năm",
        "Learners of the cohort who graduated within normal duration + 2 years",
        "Khóa có thời gian chuẩn + 2 năm kết thúc trong năm báo cáo",
        "The cohort whose normal duration + 2 years ends in the reporting year",
        "percent", "min", (Threshold(0.60),), True, "", "", ("numerator", "denominator"),
    ),
    Definition(
        "graduation_on_time", 1, "criterion", 5,
        "Tỉ lệ tốt nghiệp đúng hạn", "On-time graduation",
        "graduated_within_duration / cohort",
        "Người học của khóa tốt nghiệp đúng thời gian chuẩn",
        "Learners of the cohort who graduated within the normal duration",
        "Khóa có thời gian chuẩn kết thúc trong năm báo cáo",
        "The cohort whose normal duration ends in the reporting year",
        "percent", "min", (Threshold(0.40),), True,
        f"Cho phép {ON_TIME_GRACE_DAYS} ngày để ra quyết định tốt nghiệp (lựa chọn vận hành).",
        f"{ON_TIME_GRACE_DAYS} days are allowed for the graduation decision (operational).",
        ("numerator", "denominator"),
    ),
    Definition(
        "employment", 1, "criterion", 5,
        "Tỉ lệ có việc làm trong 12 tháng sau tốt nghiệp",
        "Employed or studying within 12 months of graduating",
        "employed / graduates (social-insurance match)",
        "Người tốt nghiệp có việc làm, tự tạo việc làm hoặc học tiếp trong 12 tháng",
        "Graduates employed, self-employed or in further study within 12 months",
        "Người tốt nghiệp năm trước", "Graduates of the previous year",
        "percent", "min", (Threshold(0.70),), True,
        "Cần dữ liệu đối sánh bảo hiểm xã hội; luôn hiển thị kèm phễu đối sánh.",
        "Needs the social-insurance match; always shown with its funnel.",
    ),
    Definition(
        "finance_balance", 1, "criterion", 4,
        "Cân đối thu chi", "Revenue covers expenditure",
        "revenue / expenditure", "Tổng thu trong năm tài chính", "Total revenue of the fiscal year",
        "Tổng chi trong năm tài chính", "Total expenditure of the fiscal year",
        "ratio", "min", (Threshold(1.0),), False,
        "Tiêu chí tài chính: ngưỡng chưa được xác minh.",
        "Finance criterion: threshold unverified.",
    ),
    Definition(
        "learner_satisfaction", 1, "criterion", 5,
        "Mức độ hài lòng của người học với giảng viên", "Learners satisfied with lecturers",
        "satisfied / surveyed", "Người học hài lòng", "Satisfied learners",
        "Người học được khảo sát", "Learners surveyed",
        "percent", "min", (Threshold(0.70),), True,
        "HEMIS chưa thu thập dữ liệu khảo sát.", "HEMIS does not collect survey data yet.",
    ),
    Definition(
        "graduate_satisfaction", 1, "criterion", 5,
        "Mức độ hài lòng của người tốt nghiệp", "Graduates satisfied",
        "satisfied / surveyed", "Người tốt nghiệp hài lòng", "Satisfied graduates",
        "Người tốt nghiệp được khảo sát", "Graduates surveyed",
        "percent", "min", (Threshold(0.70),), True,
        "HEMIS chưa thu thập dữ liệu khảo sát.", "HEMIS does not collect survey data yet.",
    ),
    Definition(
        "research_output", 1, "criterion", 6,
        "Kết quả nghiên cứu khoa học", "Research output",
        "publications / lecturers", "Công bố khoa học", "Publications",
        "Giảng viên toàn thời gian", "Full-time lecturers",
        "ratio", "min", (), False,
        "Tiêu chí nghiên cứu: ngưỡng chưa xác minh; HEMIS chưa thu thập công bố.",
        "Research criterion: threshold unverified; HEMIS does not collect publications.",
    ),
    Definition(
        "dq_completeness", 1, "quality", 0,
        "Độ đầy đủ", "Completeness",
        "filled / expected", "Trường thông tin đã điền và báo cáo năm đã nộp",
        "Fields filled and yearly returns present",
        "Trường thông tin và báo cáo năm cần có", "Fields and yearly returns expected",
        "score", "none",
    ),
    Definition(
        "dq_validity", 1, "quality", 0,
        "Độ hợp lệ", "Validity", "1 - rows_with_errors / rows",
        "Dòng dữ liệu không có lỗi trong các tệp đã nộp của kỳ",
        "Rows without errors in the period's files",
        "Dòng dữ liệu đã nộp trong kỳ", "Rows submitted in the period",
        "score", "none",
    ),
    Definition(
        "dq_timeliness", 1, "quality", 0,
        "Tính kịp thời", "Timeliness", "1 - days_late / 30 (0 if not submitted after closing)",
        "Ngày nộp", "Submission date", "Hạn nộp của kỳ báo cáo", "The period's closing date",
        "score", "none",
    ),
    Definition(
        "dq_consistency", 1, "quality", 0,
        "Tính nhất quán", "Consistency", "1 - continuity_warnings / programs",
        "Chương trình không có cảnh báo liên tục (tầng f)",
        "Programs without a continuity warning (tier f)",
        "Chương trình của cơ sở", "The institution's programs",
        "score", "none",
    ),
    Definition(
        "dq_external_match", 1, "quality", 0,
        "Tỉ lệ khớp với cơ sở dữ liệu quốc gia", "External match rate",
        "matched / checked", "Bản ghi khớp với cơ sở dữ liệu quốc gia",
        "Records matched in the national databases", "Bản ghi đã đối chiếu", "Records checked",
        "score", "none",
    ),
    Definition(
        "dq_score", 1, "quality", 0,
        "Điểm chất lượng dữ liệu", "Data-quality score", "mean of the known components",
        "Tổng điểm các thành phần đã biết", "Sum of the known components",
        "Số thành phần đã biết", "Number of known components",
        "score", "none",
    ),
)  # fmt: skip


@cache
def by_id() -> dict[str, Definition]:
    return {d.id: d for d in DEFINITIONS}


def get_definition(indicator_id: str) -> Definition | None:
    return by_id().get(indicator_id)


def criteria() -> list[Definition]:
    return [d for d in DEFINITIONS if d.family == "criterion"]


def quality() -> list[Definition]:
    return [d for d in DEFINITIONS if d.family == "quality"]
