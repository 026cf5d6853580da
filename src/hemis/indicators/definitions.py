"""Every indicator, defined once: what it measures, how (numerator and denominator), against
which threshold from which date, and whether that threshold was checked against the text.

Circular 01/2024/TT-BGDĐT (effective 22 Mar 2024) sets 6 standards and 20 criteria for every
higher-education institution. The thresholds below are those of the project's domain notes,
which cite the Circular's text as published by dulieuphapluat.vn and summaries by
luatvietnam.vn, lawnet.vn and vnexpress.net. `threshold_verified=False` marks a threshold (or an
operational choice such as the conversion weights) that could not be checked against the text;
pages and exports show it. Each definition also names its `source` and the `rules` its count
follows, each rule with its own source (docs/indicators.md is generated from them). A change of
meaning is a new `version`: results are stored per definition version, so an old figure keeps
the definition it was computed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

CIRCULAR = "Thông tư 01/2024/TT-BGDĐT"
SOURCES = "dulieuphapluat.vn (văn bản Thông tư), luatvietnam.vn, lawnet.vn, vnexpress.net"


@dataclass(frozen=True)
class Threshold:
    """`value` applies from `from_year` (inclusive) for institutions of `applies_to`."""

    value: float
    from_year: int = 2024
    # all; doctoral (trains doctorates); specialised (chuyên sâu đặc thù); specialised_doctoral
    # (specialised and trains doctorates).
    applies_to: str = "all"


# The most specific kind of institution first: an institution takes the thresholds of the first
# of its kinds for which the definition has one in force.
KINDS: dict[tuple[bool, bool], tuple[str, ...]] = {
    (False, False): ("all",),
    (True, False): ("doctoral", "all"),
    (False, True): ("specialised", "all"),
    (True, True): ("specialised_doctoral", "specialised", "doctoral", "all"),
}


@dataclass(frozen=True)
class Rule:
    """One rule a computation follows, and where it comes from. `verified=False`: the source
    could not be checked against the text (an operational reading, said so)."""

    id: str
    text_vi: str
    text_en: str
    source: str
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class Part:
    """A numerator or a denominator: what it counts, in words, and where the engine reads it.

    `counted` names the aggregate of the criteria's inputs (criteria.py) that holds it, and
    `missing` its value for an institution that has none (0: nothing to count; None: unknown);
    `records` the record family and named set the drill-down lists (drill.py); `empty`, on a
    denominator, why the value is unknown when it is missing or zero ({year_before} and
    {three_years_before} are filled in).
    """

    vi: str
    en: str
    counted: str = ""
    missing: float | None = None
    records: tuple[str, str] | None = None
    empty: tuple[str, str] = ("", "")

    def empty_reason(self, year: int) -> tuple[str, str]:
        years = {"year_before": year - 1, "three_years_before": year - 3}
        return self.empty[0].format(**years), self.empty[1].format(**years)


@dataclass(frozen=True, kw_only=True)
class Definition:
    id: str
    version: int
    family: str  # criterion (Circular 01/2024) or quality
    standard: int  # 1–6 for criteria; 0 for data quality
    name_vi: str
    name_en: str
    formula: str
    numerator: Part
    denominator: Part
    unit: str  # ratio, percent, m2, score
    direction: str  # max: value must be ≤ threshold; min: ≥ threshold; none: no threshold
    thresholds: tuple[Threshold, ...] = ()
    threshold_verified: bool = True
    note_vi: str = ""
    note_en: str = ""
    source: str = ""  # where the criterion and its threshold are set
    rules: tuple[Rule, ...] = ()  # how it is counted, each rule with its source
    # The numerator is a part of the denominator (a share): the value cannot exceed 100 %.
    share: bool = False
    # Why it is always unknown: HEMIS does not collect what it counts.
    not_collected: tuple[str, str] | None = None

    @property
    def numerator_vi(self) -> str:
        return self.numerator.vi

    @property
    def numerator_en(self) -> str:
        return self.numerator.en

    @property
    def denominator_vi(self) -> str:
        return self.denominator.vi

    @property
    def denominator_en(self) -> str:
        return self.denominator.en

    def parts(self) -> dict[str, Part]:
        return {"numerator": self.numerator, "denominator": self.denominator}

    def threshold(
        self, year: int, doctoral: bool = False, specialised: bool = False
    ) -> float | None:
        """The threshold in force in `year` for such an institution (None: none in force)."""
        for kind in KINDS[(doctoral, specialised)]:
            chosen = [t for t in self.thresholds if t.applies_to == kind and t.from_year <= year]
            if chosen:
                return max(chosen, key=lambda t: t.from_year).value
        return None

    def first_year(self) -> int | None:
        return min((t.from_year for t in self.thresholds), default=None)

    def all_rules(self) -> tuple[Rule, ...]:
        """Its rules, with the cap of a share (SHARE_RULE) when it is one."""
        return self.rules + ((SHARE_RULE,) if self.share and SHARE_RULE not in self.rules else ())

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def short(self, lang: str) -> str:
        """A column header's few words (the full name goes with it on hover and focus)."""
        pair = SHORT_NAMES.get(self.id)
        if pair is None:
            return self.name(lang)
        return pair[1] if lang == "en" else pair[0]


# Short names for the narrow columns of the compliance matrix (vi, en).
SHORT_NAMES: dict[str, tuple[str, str]] = {
    "lecturer_ratio": ("Người học / GV", "Students / lecturer"),
    "permanent_lecturers": ("GV cơ hữu", "Permanent lecturers"),
    "doctorate_lecturers": ("GV tiến sĩ", "Doctorate lecturers"),
    "land_per_student": ("Đất / người học", "Land / student"),
    "floor_per_student": ("Sàn / người học", "Floor / student"),
    "lecturer_workspaces": ("Chỗ làm việc GV", "Lecturer workspaces"),
    "enrolment_quota": ("Nhập học / chỉ tiêu", "Intake / quota"),
    "scale_change": ("Quy mô / 3 năm trước", "Scale / 3 years ago"),
    "dropout": ("Thôi học", "Dropout"),
    "first_year_dropout": ("Thôi học năm 1", "First-year dropout"),
    "graduation_extended": ("Tốt nghiệp +2 năm", "Graduated +2 years"),
    "graduation_on_time": ("Tốt nghiệp đúng hạn", "Graduated on time"),
    "employment": ("Việc làm", "Employment"),
    "finance_balance": ("Cân đối thu chi", "Finance balance"),
    "learner_satisfaction": ("Hài lòng người học", "Learner satisfaction"),
    "graduate_satisfaction": ("Hài lòng người tốt nghiệp", "Graduate satisfaction"),
    "research_output": ("Nghiên cứu", "Research"),
    "dq_score": ("Chất lượng dữ liệu", "Data quality"),
}


# Weights of "converted students" (người học quy đổi, Circular 03/2022 on quotas): by level and by
# the program's form of training. The field weight is 1 everywhere here: the circular's per-field
# coefficients could not be checked, so the whole conversion is marked unverified on the criteria
# that use it.
LEVEL_WEIGHTS = {"college": 1.0, "bachelor": 1.0, "master": 1.5, "doctor": 2.0}
MODE_WEIGHTS = {"full_time": 1.0, "part_time": 0.8, "distance": 0.3}
FIELD_WEIGHTS: dict[str, float] = {}
WORKING_AGE_LIMIT = 65  # lecturers of this age or older at the cut-off are not "working age"
ON_TIME_GRACE_DAYS = 92  # a diploma decided within a term after the normal duration is on time
# Kinds of rooms (registry FacilityKind) whose floor area counts as "for training" (FLOOR_RULE);
# dormitories and other buildings do not count.
TRAINING_FLOOR_KINDS = (
    "lecture_hall",
    "classroom",
    "laboratory",
    "workshop",
    "library",
    "office",
    "sports",
)

_CONV_NOTE_VI = "Hệ số quy đổi (trình độ, hình thức) theo Thông tư 03/2022; chưa đối chiếu văn bản."
_CONV_NOTE_EN = "Conversion weights (level, mode) after Circular 03/2022; not checked against it."

# Criterion numbers as the Circular's published text numbers them (Standard 2: criteria 2.1–2.3,
# Standard 3: 3.1–3.2, …), after the sources in SOURCES; the article numbers were not checked.
_C = CIRCULAR

STATUS_RULE = Rule(
    "status_on_date",
    "Mọi số đếm “tại ngày D” đọc tình trạng của người học có hiệu lực vào ngày D theo lịch sử "
    "biến động: biến động cuối cùng có hiệu lực đến hết ngày D (nhiều biến động cùng ngày: biến "
    "động ghi sau cùng). Người học chưa có biến động nào: đang học từ ngày nhập học, rồi tình "
    "trạng trên hồ sơ từ ngày của tình trạng đó — cũng là cách đọc người học chỉ có một hoặc hai "
    "biến động (nhập học, rồi tình trạng hiện tại), vì hồ sơ luôn khớp biến động cuối. Chỉ “đang "
    "học” (không bảo lưu, thôi học, chuyển trường, tốt nghiệp) mới được tính là đang học.",
    "Every count “on date D” reads each learner's status in force on D from the status history: "
    "the last event effective on or before D (several on one day: the one recorded last). A "
    "learner without any event: enrolled from admission, then its record's status from that "
    "status's date — which is also what one or two events (admission, then the current status) "
    "say, the record being kept equal to the last event. Only “enrolled” counts as studying (not "
    "suspended, withdrawn, transferred or graduated).",
    f"{_C}: số liệu tính đến ngày chốt 31/12 (tài chính 31/3 năm sau); lịch sử biến động người "
    "học của HEMIS (learner_status_event)",
)
SAME_DAY_RULE = Rule(
    "same_day_earlier",
    "“3 năm trước” và “đầu năm” là cùng ngày tháng của ngày chốt, 3 năm và 1 năm trước: "
    "31/12/2025 → 31/12/2022 và 31/12/2024; ngày 29/02 thành 28/02 của năm không nhuận "
    "(không phải trừ 365 ngày, cũng không phải ngày 28 của tháng).",
    "“Three years earlier” and “the start of the year” are the cut-off's day and month 3 years "
    "and 1 year before: 31 Dec 2025 → 31 Dec 2022 and 31 Dec 2024; 29 February becomes "
    "28 February in a common year (not 365 days back, nor the 28th of the month).",
    f"{_C}, tiêu chuẩn 5: quy mô so với 3 năm trước, tỉ lệ thôi học trong năm; cách đọc lịch là "
    "lựa chọn vận hành",
    False,
)
MODE_RULE = Rule(
    "program_mode",
    "Hình thức đào tạo (chính quy, vừa làm vừa học, từ xa) là hình thức của chương trình người "
    "học theo học, không phải trường hình thức trên hồ sơ người học: hệ số quy đổi theo hình "
    "thức và “người học chính quy” đều theo chương trình.",
    "The form of training (full-time, part-time, distance) is that of the program the learner is "
    "enrolled in, not the learner record's own field: the mode weight of converted students and "
    "“full-time students” both follow the program.",
    f"{_C}, tiêu chí 2.1 (người học quy đổi theo trình độ, lĩnh vực và hình thức đào tạo), 3.1 "
    "và 3.2 (người học chính quy quy đổi); các hình thức đào tạo: Luật Giáo dục đại học, Điều 6 "
    "(chưa đối chiếu khoản)",
    False,
)
SHARE_RULE = Rule(
    "share_cap",
    "Một tỉ lệ mà tử số là một phần của mẫu số không vượt 100%: số khai báo lớn hơn mẫu số được "
    "tính bằng mẫu số, và lý do ghi lại số đã khai báo.",
    "A share whose numerator is a part of its denominator cannot exceed 100 %: a reported "
    "number above the denominator counts as the denominator, and the reason keeps the number "
    "reported.",
    "Nghĩa của tiêu chí: tỉ lệ trên số giảng viên (người tốt nghiệp, người học) — không ai được "
    "tính hai lần",
)
FLOOR_RULE = Rule(
    "floor_for_training",
    "Diện tích sàn xây dựng phục vụ đào tạo chỉ gồm các hạng mục: hội trường, giảng đường, phòng "
    "học các loại (lecture_hall, classroom); phòng làm việc (office); thư viện (library); phòng "
    "thí nghiệm, xưởng và cơ sở thực hành (laboratory, workshop); công trình luyện tập thể thao "
    "(sports). Không tính ký túc xá (dormitory) và công trình khác (other). Loại “phòng làm việc” "
    "của HEMIS không tách phòng làm việc của giảng viên khỏi phòng hành chính: tính cả. Cơ sở chưa "
    "khai báo diện tích theo loại công trình: chưa xác định.",
    "Floor area for training counts only: halls, lecture theatres and classrooms of every kind "
    "(lecture_hall, classroom); offices (office); the library (library); laboratories, workshops "
    "and practice facilities (laboratory, workshop); sports training facilities (sports). "
    "Dormitories (dormitory) and other buildings (other) do not count. The registry's “office” "
    "does not separate lecturers' offices from administrative ones: all count. An institution "
    "without floor areas by kind of room is unknown.",
    f"{_C}, tiêu chí 3.2 (diện tích sàn xây dựng phục vụ đào tạo); danh mục hạng mục theo mẫu báo "
    "cáo điều kiện bảo đảm chất lượng khi xác định chỉ tiêu (Thông tư 03/2022/TT-BGDĐT): hội "
    "trường, giảng đường, phòng học các loại, phòng đa năng, phòng làm việc của giáo sư, phó giáo "
    "sư, giảng viên; thư viện, trung tâm học liệu; trung tâm nghiên cứu, phòng thí nghiệm, thực "
    "nghiệm, cơ sở thực hành, thực tập, luyện tập — chưa đối chiếu nguyên văn",
    False,
)
DROPOUT_RULE = Rule(
    "dropout_in_year",
    "Thôi học trong năm: người học đại học, cao đẳng đang học tại ngày chốt năm trước và có tình "
    "trạng thôi học tại ngày chốt năm nay. Chuyển trường không tính là thôi học.",
    "Dropout in the year: undergraduates studying at the previous year's cut-off whose status at "
    "this year's cut-off is withdrawn. Transfers are not dropout.",
    f"{_C}, tiêu chuẩn 5 (tỉ lệ thôi học)",
)
FIRST_YEAR_RULE = Rule(
    "first_year_dropout",
    "Thôi học năm thứ nhất: người học nhập học năm trước có tình trạng thôi học vào ngày tròn một "
    "năm sau ngày nhập học (ngày 29/02 → 28/02), hoặc tại ngày chốt nếu ngày đó đến sau.",
    "First-year dropout: learners admitted the year before whose status is withdrawn one year "
    "after admission (29 February → 28 February), or at the cut-off if that comes first.",
    f"{_C}, tiêu chuẩn 5 (tỉ lệ thôi học năm thứ nhất); “12 tháng đầu” đọc theo lịch",
    False,
)
WORKING_AGE_RULE = Rule(
    "working_age",
    f"Trong độ tuổi lao động: chưa đủ {WORKING_AGE_LIMIT} tuổi tại ngày chốt, tức sinh sau cùng "
    f"ngày đó {WORKING_AGE_LIMIT} năm trước (sinh 31/12/1960: đủ 65 tuổi ngày 31/12/2025).",
    f"Working age: under {WORKING_AGE_LIMIT} at the cut-off, i.e. born after the same day "
    f"{WORKING_AGE_LIMIT} years earlier (born 31 Dec 1960: 65 on 31 Dec 2025).",
    f"{_C}, tiêu chí 2.2; giới hạn {WORKING_AGE_LIMIT} tuổi là lựa chọn vận hành",
    False,
)
NOT_APPLICABLE_RULE = Rule(
    "not_applicable_is_not_missing",
    "Trường thông tin không áp dụng thì không tính là thiếu: nước và năm cấp bằng chỉ được chờ "
    "đợi ở cán bộ có bằng (trình độ cao nhất khác “không có”); ngày tuyển dụng được chờ đợi ở "
    "mọi cán bộ.",
    "A field that does not apply is not missing: the degree's country and year are expected only "
    "of staff holding a degree (highest degree other than “none”); the hiring date of every "
    "staff member.",
    "Định nghĩa độ đầy đủ của HEMIS (ADR 0012): tỉ lệ trường đã điền trên trường phải có",
)

# Why a value is unknown, shared by several denominators.
NO_LECTURERS = (
    "Chưa có giảng viên toàn thời gian nào được khai báo.",
    "No full-time lecturers recorded.",
)
NO_STUDENTS = (
    "Chưa có người học nào đang học tại ngày chốt.",
    "No students studying at the cut-off.",
)
NO_COHORT = (
    "Chưa có người tốt nghiệp: chưa khóa nào đến hạn.",
    "No graduates yet: no cohort has reached the deadline.",
)
SURVEY = (
    "HEMIS chưa thu thập dữ liệu khảo sát.",
    "No survey data: HEMIS does not collect it yet.",
)
NO_RESEARCH = (
    "HEMIS chưa thu thập dữ liệu công bố khoa học; ngưỡng chưa xác minh.",
    "No research data in HEMIS; threshold unverified.",
)

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        id="lecturer_ratio",
        version=2,
        family="criterion",
        standard=2,
        name_vi="Tỉ lệ người học quy đổi trên giảng viên toàn thời gian",
        name_en="Converted students per full-time lecturer",
        formula="converted_students / full_time_lecturers",
        numerator=Part(
            vi="Người học quy đổi đang học tại ngày chốt số liệu (trọng số theo trình độ và hình "
            "thức đào tạo của chương trình)",
            en="Converted students studying at the cut-off (weighted by the program's level and "
            "form of training)",
            counted="converted",
            missing=0.0,
            records=("learners", "students"),
        ),
        denominator=Part(
            vi="Giảng viên toàn thời gian (số người)",
            en="Full-time lecturers (headcount)",
            counted="lecturers",
            missing=0.0,
            empty=NO_LECTURERS,
            records=("staff", "lecturers"),
        ),
        unit="ratio",
        direction="max",
        thresholds=(Threshold(40),),
        threshold_verified=False,
        note_vi=_CONV_NOTE_VI,
        note_en=_CONV_NOTE_EN,
        source=f"{_C}, tiêu chí 2.1: không quá 40",
        rules=(STATUS_RULE, MODE_RULE),
    ),
    Definition(
        id="permanent_lecturers",
        version=2,
        family="criterion",
        standard=2,
        name_vi="Tỉ lệ giảng viên cơ hữu trong độ tuổi lao động",
        name_en="Permanent working-age lecturers",
        formula="permanent_working_age / full_time_lecturers",
        numerator=Part(
            vi=f"Giảng viên toàn thời gian cơ hữu, dưới {WORKING_AGE_LIMIT} tuổi tại ngày chốt",
            en=f"Permanent full-time lecturers under {WORKING_AGE_LIMIT} at the cut-off",
            counted="permanent_working_age",
            records=("staff", "permanent_working_age"),
        ),
        denominator=Part(
            vi="Giảng viên toàn thời gian",
            en="Full-time lecturers",
            counted="lecturers",
            missing=0.0,
            empty=NO_LECTURERS,
            records=("staff", "lecturers"),
        ),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.70),),
        threshold_verified=True,
        note_vi=f"Giới hạn tuổi lao động {WORKING_AGE_LIMIT} là lựa chọn vận hành, chưa đối chiếu.",
        note_en=(
            f"The working-age limit of {WORKING_AGE_LIMIT} is an operational choice, not checked."
        ),
        source=f"{_C}, tiêu chí 2.2: không thấp hơn 70%",
        rules=(WORKING_AGE_RULE,),
        share=True,
    ),
    Definition(
        id="doctorate_lecturers",
        version=2,
        family="criterion",
        standard=2,
        name_vi="Tỉ lệ giảng viên có trình độ tiến sĩ",
        name_en="Lecturers with a doctorate",
        formula="doctorate_lecturers / full_time_lecturers",
        numerator=Part(
            vi="Giảng viên toàn thời gian có bằng tiến sĩ",
            en="Full-time lecturers holding a doctorate",
            counted="doctorates",
            records=("staff", "doctorates"),
        ),
        denominator=Part(
            vi="Giảng viên toàn thời gian",
            en="Full-time lecturers",
            counted="lecturers",
            missing=0.0,
            empty=NO_LECTURERS,
            records=("staff", "lecturers"),
        ),
        unit="percent",
        direction="min",
        thresholds=(
            Threshold(0.20),
            Threshold(0.30, 2030),
            Threshold(0.40, 2024, "doctoral"),
            Threshold(0.50, 2030, "doctoral"),
            Threshold(0.05, 2024, "specialised"),
            Threshold(0.10, 2030, "specialised"),
            Threshold(0.10, 2024, "specialised_doctoral"),
            Threshold(0.15, 2030, "specialised_doctoral"),
        ),
        threshold_verified=False,
        note_vi="Cơ sở đào tạo chuyên sâu đặc thù: 5% (10% từ 2030); nếu có đào tạo tiến sĩ: 10% "
        "(15% từ 2030). Ngưỡng cho cơ sở chuyên sâu đặc thù theo ghi chú nghiệp vụ, chưa đối chiếu "
        "nguyên văn.",
        note_en="Specialised institutions: 5 % (10 % from 2030); those that train doctorates: 10 % "
        "(15 % from 2030). The specialised thresholds follow the domain notes, not checked "
        "against the text.",
        source=f"{_C}, tiêu chí 2.3: không thấp hơn 20% (30% từ 2030); cơ sở đào tạo tiến sĩ 40% "
        "(50%); cơ sở đào tạo chuyên sâu đặc thù 5% (10%), có đào tạo tiến sĩ 10% (15%)",
        share=True,
    ),
    Definition(
        id="land_per_student",
        version=2,
        family="criterion",
        standard=3,
        name_vi="Diện tích đất trên người học chính quy quy đổi",
        name_en="Land per converted full-time student",
        formula="land_area_m2 / converted_full_time_students",
        numerator=Part(
            vi="Diện tích đất của các cơ sở (m²)",
            en="Land area of the campuses (m²)",
            counted="land",
        ),
        denominator=Part(
            vi="Người học chính quy quy đổi",
            en="Converted full-time students",
            counted="converted_full_time",
            empty=NO_STUDENTS,
            records=("learners", "full_time_students"),
        ),
        unit="m2",
        direction="min",
        thresholds=(Threshold(25, 2030),),
        threshold_verified=False,
        note_vi=_CONV_NOTE_VI,
        note_en=_CONV_NOTE_EN,
        source=f"{_C}, tiêu chí 3.1: không nhỏ hơn 25 m² (từ 2030)",
        rules=(STATUS_RULE, MODE_RULE),
    ),
    Definition(
        id="floor_per_student",
        version=2,
        family="criterion",
        standard=3,
        name_vi="Diện tích sàn xây dựng phục vụ đào tạo trên người học",
        name_en="Floor area for training per student",
        formula="training_floor_area_m2 / converted_full_time_students",
        numerator=Part(
            vi="Diện tích sàn xây dựng phục vụ đào tạo (m²): giảng đường, phòng học, phòng làm "
            "việc, thư viện, phòng thí nghiệm, xưởng thực hành, công trình thể thao; không tính ký "
            "túc xá",
            en="Floor area for training (m²): lecture halls, classrooms, offices, library, "
            "laboratories, workshops, sports facilities; dormitories excluded",
            counted="training_floor",
        ),
        denominator=Part(
            vi="Người học chính quy quy đổi",
            en="Converted full-time students",
            counted="converted_full_time",
            empty=NO_STUDENTS,
            records=("learners", "full_time_students"),
        ),
        unit="m2",
        direction="min",
        thresholds=(Threshold(2.8),),
        threshold_verified=False,
        note_vi=_CONV_NOTE_VI,
        note_en=_CONV_NOTE_EN,
        source=f"{_C}, tiêu chí 3.2: không nhỏ hơn 2,8 m²",
        rules=(FLOOR_RULE, STATUS_RULE, MODE_RULE),
    ),
    Definition(
        id="lecturer_workspaces",
        version=2,
        family="criterion",
        standard=3,
        name_vi="Tỉ lệ giảng viên có chỗ làm việc riêng",
        name_en="Lecturers with their own workspace",
        formula="lecturer_workspaces / full_time_lecturers",
        numerator=Part(
            vi="Chỗ làm việc riêng của giảng viên (báo cáo tài nguyên năm)",
            en="Lecturer workspaces (yearly resource summary)",
            counted="workspaces",
        ),
        denominator=Part(
            vi="Giảng viên toàn thời gian",
            en="Full-time lecturers",
            counted="lecturers",
            missing=0.0,
            empty=NO_LECTURERS,
            records=("staff", "lecturers"),
        ),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.70),),
        threshold_verified=True,
        note_vi="",
        note_en="",
        source=f"{_C}, tiêu chí 3.2: giảng viên toàn thời gian có chỗ làm việc riêng ≥ 70%",
        share=True,
    ),
    Definition(
        id="enrolment_quota",
        version=1,
        family="criterion",
        standard=5,
        name_vi="Tỉ lệ nhập học so với chỉ tiêu, trung bình 3 năm",
        name_en="Enrolled against quota, 3-year average",
        formula="sum(intake, 3 years) / sum(quota, 3 years)",
        numerator=Part(
            vi="Người học nhập học trong 3 năm gần nhất",
            en="Learners admitted in the last 3 years",
            counted="intake_3y",
            missing=0.0,
            records=("learners", "intake_3y"),
        ),
        denominator=Part(
            vi="Chỉ tiêu tuyển sinh 3 năm (chỉ tiêu năm hiện hành của các chương trình đã mở)",
            en="Quota over 3 years (current annual quota of the programs open then)",
            counted="quota_3y",
            empty=("Chưa có chỉ tiêu tuyển sinh nào.", "No admission quota recorded."),
        ),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.50),),
        threshold_verified=True,
        note_vi="Chỉ tiêu từng năm chưa được lưu: dùng chỉ tiêu hiện hành.",
        note_en="Past quotas are not stored: the current annual quota is used.",
        source=f"{_C}, tiêu chuẩn 5: trung bình 3 năm không thấp hơn 50% chỉ tiêu",
    ),
    Definition(
        id="scale_change",
        version=2,
        family="criterion",
        standard=5,
        name_vi="Quy mô đào tạo so với 3 năm trước",
        name_en="Enrolment compared with 3 years earlier",
        formula="students(Y) / students(Y-3)",
        numerator=Part(
            vi="Người học đang học tại ngày chốt năm báo cáo",
            en="Students at this year's cut-off",
            counted="students",
            missing=0.0,
            records=("learners", "students"),
        ),
        denominator=Part(
            vi="Người học đang học tại ngày chốt 3 năm trước",
            en="Students at the cut-off 3 years earlier",
            counted="students_3y_ago",
            empty=(
                "Chưa có người học nào tại ngày chốt năm {three_years_before}.",
                "No students recorded at the {three_years_before} cut-off.",
            ),
            records=("learners", "students_3y_ago"),
        ),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.70),),
        threshold_verified=True,
        note_vi="Quy mô không giảm quá 30% so với 3 năm trước.",
        note_en="Not down by more than 30%.",
        source=f"{_C}, tiêu chuẩn 5: quy mô không giảm quá 30% so với 3 năm trước",
        rules=(STATUS_RULE, SAME_DAY_RULE),
    ),
    Definition(
        id="dropout",
        version=2,
        family="criterion",
        standard=5,
        name_vi="Tỉ lệ thôi học đại học trong năm",
        name_en="Undergraduate dropout in the year",
        formula="withdrawn_in_year / undergraduates_at_start",
        numerator=Part(
            vi="Người học đại học, cao đẳng thôi học trong năm",
            en="Undergraduates who withdrew in the year",
            counted="withdrawn",
            missing=0.0,
            records=("learners", "withdrawn"),
        ),
        denominator=Part(
            vi="Người học đại học, cao đẳng đang học đầu năm",
            en="Undergraduates studying at the start",
            counted="under_at_start",
            empty=(
                "Không có người học đại học, cao đẳng đầu năm.",
                "No undergraduates at the start of the year.",
            ),
            records=("learners", "under_at_start"),
        ),
        unit="percent",
        direction="max",
        thresholds=(Threshold(0.10),),
        threshold_verified=True,
        note_vi="Chuyển trường không tính là thôi học.",
        note_en="Transfers are not counted as dropout.",
        source=f"{_C}, tiêu chuẩn 5: tỉ lệ thôi học không quá 10% mỗi năm",
        rules=(DROPOUT_RULE, STATUS_RULE, SAME_DAY_RULE),
        share=True,
    ),
    Definition(
        id="first_year_dropout",
        version=2,
        family="criterion",
        standard=5,
        name_vi="Tỉ lệ thôi học năm thứ nhất",
        name_en="First-year dropout",
        formula="withdrawn_within_12_months / admitted_previous_year",
        numerator=Part(
            vi="Người học thôi học trong 12 tháng đầu",
            en="Learners who withdrew within 12 months",
            counted="first_year_withdrawn",
            missing=0.0,
            records=("learners", "first_year_withdrawn"),
        ),
        denominator=Part(
            vi="Người học đại học, cao đẳng nhập học năm trước",
            en="Undergraduates admitted the year before",
            counted="first_year",
            empty=(
                "Không có người học nhập học năm {year_before}.",
                "No undergraduates admitted in {year_before}.",
            ),
            records=("learners", "first_year"),
        ),
        unit="percent",
        direction="max",
        thresholds=(Threshold(0.15),),
        threshold_verified=True,
        note_vi="",
        note_en="",
        source=f"{_C}, tiêu chuẩn 5: tỉ lệ thôi học năm thứ nhất không quá 15%",
        rules=(FIRST_YEAR_RULE, STATUS_RULE),
        share=True,
    ),
    Definition(
        id="graduation_extended",
        version=1,
        family="criterion",
        standard=5,
        name_vi="Tỉ lệ tốt nghiệp trong thời gian chuẩn cộng 2 năm",
        name_en="Graduation within normal duration + 2 years",
        formula="graduated_within_duration_plus_2 / cohort",
        numerator=Part(
            vi="Người học của khóa tốt nghiệp trong thời gian chuẩn + 2 năm",
            en="Learners of the cohort who graduated within normal duration + 2 years",
            counted="ext_graduated",
            missing=0.0,
            records=("learners", "ext_graduated"),
        ),
        denominator=Part(
            vi="Khóa có thời gian chuẩn + 2 năm kết thúc trong năm báo cáo",
            en="The cohort whose normal duration + 2 years ends in the reporting year",
            counted="ext_cohort",
            empty=NO_COHORT,
            records=("learners", "ext_cohort"),
        ),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.60),),
        threshold_verified=True,
        note_vi="",
        note_en="",
        source=f"{_C}, tiêu chuẩn 5: tốt nghiệp trong thời gian chuẩn cộng 2 năm ≥ 60%",
        share=True,
    ),
    Definition(
        id="graduation_on_time",
        version=1,
        family="criterion",
        standard=5,
        name_vi="Tỉ lệ tốt nghiệp đúng hạn",
        name_en="On-time graduation",
        formula="graduated_within_duration / cohort",
        numerator=Part(
            vi="Người học của khóa tốt nghiệp đúng thời gian chuẩn",
            en="Learners of the cohort who graduated within the normal duration",
            counted="on_graduated",
            missing=0.0,
            records=("learners", "on_graduated"),
        ),
        denominator=Part(
            vi="Khóa có thời gian chuẩn kết thúc trong năm báo cáo",
            en="The cohort whose normal duration ends in the reporting year",
            counted="on_cohort",
            empty=NO_COHORT,
            records=("learners", "on_cohort"),
        ),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.40),),
        threshold_verified=True,
        note_vi=(
            f"Cho phép {ON_TIME_GRACE_DAYS} ngày để ra quyết định tốt nghiệp (lựa chọn vận hành)."
        ),
        note_en=f"{ON_TIME_GRACE_DAYS} days are allowed for the graduation decision (operational).",
        source=f"{_C}, tiêu chuẩn 5: tốt nghiệp đúng hạn ≥ 40%",
        share=True,
    ),
    Definition(
        id="employment",
        version=1,
        family="criterion",
        standard=5,
        name_vi="Tỉ lệ có việc làm trong 12 tháng sau tốt nghiệp",
        name_en="Employed or studying within 12 months of graduating",
        formula="employed / graduates (social-insurance match)",
        numerator=Part(
            vi="Người tốt nghiệp có việc làm, tự tạo việc làm hoặc học tiếp trong 12 tháng",
            en="Graduates employed, self-employed or in further study within 12 months",
            counted="employed",
        ),
        denominator=Part(
            vi="Người tốt nghiệp năm trước",
            en="Graduates of the previous year",
            counted="matched",
            empty=("Không đối sánh được ai.", "Nobody matched."),
        ),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.70),),
        threshold_verified=True,
        note_vi="Cần dữ liệu đối sánh bảo hiểm xã hội; luôn hiển thị kèm phễu đối sánh.",
        note_en="Needs the social-insurance match; always shown with its funnel.",
        source=f"{_C}, tiêu chuẩn 5: có việc làm, tự tạo việc làm, học tiếp trong 12 tháng ≥ 70%",
        share=True,
    ),
    Definition(
        id="finance_balance",
        version=1,
        family="criterion",
        standard=4,
        name_vi="Cân đối thu chi",
        name_en="Revenue covers expenditure",
        formula="revenue / expenditure",
        numerator=Part(
            vi="Tổng thu trong năm tài chính",
            en="Total revenue of the fiscal year",
            counted="revenue",
        ),
        denominator=Part(
            vi="Tổng chi trong năm tài chính",
            en="Total expenditure of the fiscal year",
            counted="expenditure",
            empty=("Tổng chi bằng 0.", "No expenditure recorded."),
        ),
        unit="ratio",
        direction="min",
        thresholds=(Threshold(1.0),),
        threshold_verified=False,
        note_vi="Tiêu chí tài chính: ngưỡng chưa được xác minh.",
        note_en="Finance criterion: threshold unverified.",
        source=f"{_C}, tiêu chuẩn 4 (ngưỡng chưa xác minh)",
    ),
    Definition(
        id="learner_satisfaction",
        version=1,
        family="criterion",
        standard=5,
        name_vi="Mức độ hài lòng của người học với giảng viên",
        name_en="Learners satisfied with lecturers",
        formula="satisfied / surveyed",
        numerator=Part(vi="Người học hài lòng", en="Satisfied learners"),
        denominator=Part(vi="Người học được khảo sát", en="Learners surveyed"),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.70),),
        threshold_verified=True,
        note_vi="HEMIS chưa thu thập dữ liệu khảo sát.",
        note_en="HEMIS does not collect survey data yet.",
        source=f"{_C}, tiêu chuẩn 5: hài lòng ≥ 70%",
        share=True,
        not_collected=SURVEY,
    ),
    Definition(
        id="graduate_satisfaction",
        version=1,
        family="criterion",
        standard=5,
        name_vi="Mức độ hài lòng của người tốt nghiệp",
        name_en="Graduates satisfied",
        formula="satisfied / surveyed",
        numerator=Part(vi="Người tốt nghiệp hài lòng", en="Satisfied graduates"),
        denominator=Part(vi="Người tốt nghiệp được khảo sát", en="Graduates surveyed"),
        unit="percent",
        direction="min",
        thresholds=(Threshold(0.70),),
        threshold_verified=True,
        note_vi="HEMIS chưa thu thập dữ liệu khảo sát.",
        note_en="HEMIS does not collect survey data yet.",
        source=f"{_C}, tiêu chuẩn 5: hài lòng ≥ 70%",
        share=True,
        not_collected=SURVEY,
    ),
    Definition(
        id="research_output",
        version=1,
        family="criterion",
        standard=6,
        name_vi="Kết quả nghiên cứu khoa học",
        name_en="Research output",
        formula="publications / lecturers",
        numerator=Part(vi="Công bố khoa học", en="Publications"),
        denominator=Part(vi="Giảng viên toàn thời gian", en="Full-time lecturers"),
        unit="ratio",
        direction="min",
        thresholds=(),
        threshold_verified=False,
        note_vi="Tiêu chí nghiên cứu: ngưỡng chưa xác minh; HEMIS chưa thu thập công bố.",
        note_en="Research criterion: threshold unverified; HEMIS does not collect publications.",
        source=f"{_C}, tiêu chuẩn 6 (ngưỡng chưa xác minh)",
        not_collected=NO_RESEARCH,
    ),
    Definition(
        id="dq_completeness",
        version=2,
        family="quality",
        standard=0,
        name_vi="Độ đầy đủ",
        name_en="Completeness",
        formula="filled / expected",
        numerator=Part(
            vi="Trường thông tin đã điền và báo cáo năm đã nộp",
            en="Fields filled and yearly returns present",
        ),
        denominator=Part(
            vi="Trường thông tin và báo cáo năm phải có (trường không áp dụng không tính)",
            en="Fields and yearly returns expected (a field that does not apply is not expected)",
        ),
        unit="score",
        direction="none",
        rules=(NOT_APPLICABLE_RULE,),
    ),
    Definition(
        id="dq_validity",
        version=1,
        family="quality",
        standard=0,
        name_vi="Độ hợp lệ",
        name_en="Validity",
        formula="1 - rows_with_errors / rows",
        numerator=Part(
            vi="Dòng dữ liệu không có lỗi trong các tệp đã nộp của kỳ",
            en="Rows without errors in the period's files",
        ),
        denominator=Part(vi="Dòng dữ liệu đã nộp trong kỳ", en="Rows submitted in the period"),
        unit="score",
        direction="none",
    ),
    Definition(
        id="dq_timeliness",
        version=1,
        family="quality",
        standard=0,
        name_vi="Tính kịp thời",
        name_en="Timeliness",
        formula="1 - days_late / 30 (0 if not submitted after closing)",
        numerator=Part(vi="Ngày nộp", en="Submission date"),
        denominator=Part(vi="Hạn nộp của kỳ báo cáo", en="The period's closing date"),
        unit="score",
        direction="none",
    ),
    Definition(
        id="dq_consistency",
        version=1,
        family="quality",
        standard=0,
        name_vi="Tính nhất quán",
        name_en="Consistency",
        formula="1 - continuity_warnings / programs",
        numerator=Part(
            vi="Chương trình không có cảnh báo liên tục (tầng f)",
            en="Programs without a continuity warning (tier f)",
        ),
        denominator=Part(vi="Chương trình của cơ sở", en="The institution's programs"),
        unit="score",
        direction="none",
    ),
    Definition(
        id="dq_external_match",
        version=1,
        family="quality",
        standard=0,
        name_vi="Tỉ lệ khớp với cơ sở dữ liệu quốc gia",
        name_en="External match rate",
        formula="matched / checked",
        numerator=Part(
            vi="Bản ghi khớp với cơ sở dữ liệu quốc gia",
            en="Records matched in the national databases",
        ),
        denominator=Part(vi="Bản ghi đã đối chiếu", en="Records checked"),
        unit="score",
        direction="none",
    ),
    Definition(
        id="dq_score",
        version=2,
        family="quality",
        standard=0,
        name_vi="Điểm chất lượng dữ liệu",
        name_en="Data-quality score",
        formula="mean of the known components",
        numerator=Part(vi="Tổng điểm các thành phần đã biết", en="Sum of the known components"),
        denominator=Part(vi="Số thành phần đã biết", en="Number of known components"),
        unit="score",
        direction="none",
    ),
)


@cache
def by_id() -> dict[str, Definition]:
    return {d.id: d for d in DEFINITIONS}


def get_definition(indicator_id: str) -> Definition | None:
    return by_id().get(indicator_id)


def criteria() -> list[Definition]:
    return [d for d in DEFINITIONS if d.family == "criterion"]


def quality() -> list[Definition]:
    return [d for d in DEFINITIONS if d.family == "quality"]
