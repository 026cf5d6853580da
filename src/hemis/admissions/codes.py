"""Code lists of admissions: exam subjects, priority areas and categories, methods, states.

Stored values are these codes; the (Vietnamese, English) labels are in LABELS.
"""

from __future__ import annotations

from enum import StrEnum


class Area(StrEnum):
    """Priority area (khu vực ưu tiên) of the grade-12 school."""

    kv1 = "KV1"
    kv2_nt = "KV2-NT"
    kv2 = "KV2"
    kv3 = "KV3"


class Category(StrEnum):
    """Priority category (đối tượng ưu tiên): 01–04 are group UT1, 05–07 group UT2."""

    c01 = "01"
    c02 = "02"
    c03 = "03"
    c04 = "04"
    c05 = "05"
    c06 = "06"
    c07 = "07"


class Elective(StrEnum):
    """The nine elective subjects of the national exam (2025 on); a candidate takes two."""

    foreign_language = "foreign_language"
    history = "history"
    physics = "physics"
    chemistry = "chemistry"
    biology = "biology"
    geography = "geography"
    economics_law = "economics_law"
    informatics = "informatics"
    technology = "technology"


class ForeignLanguage(StrEnum):
    """Exam codes of the foreign-language paper."""

    n1 = "N1"  # English
    n2 = "N2"  # Russian
    n3 = "N3"  # French
    n4 = "N4"  # Chinese
    n5 = "N5"  # German
    n6 = "N6"  # Japanese
    n7 = "N7"  # Korean


class TechnologyTrack(StrEnum):
    industry = "industry"
    agriculture = "agriculture"


class Subject(StrEnum):
    """A scored subject: what an exam or transcript result is recorded against."""

    math = "math"
    literature = "literature"
    physics = "physics"
    chemistry = "chemistry"
    biology = "biology"
    history = "history"
    geography = "geography"
    economics_law = "economics_law"
    informatics = "informatics"
    technology_industry = "technology_industry"
    technology_agriculture = "technology_agriculture"
    english = "english"
    russian = "russian"
    french = "french"
    chinese = "chinese"
    german = "german"
    japanese = "japanese"
    korean = "korean"


LANGUAGE_SUBJECT: dict[ForeignLanguage, Subject] = {
    ForeignLanguage.n1: Subject.english,
    ForeignLanguage.n2: Subject.russian,
    ForeignLanguage.n3: Subject.french,
    ForeignLanguage.n4: Subject.chinese,
    ForeignLanguage.n5: Subject.german,
    ForeignLanguage.n6: Subject.japanese,
    ForeignLanguage.n7: Subject.korean,
}
TECHNOLOGY_SUBJECT: dict[TechnologyTrack, Subject] = {
    TechnologyTrack.industry: Subject.technology_industry,
    TechnologyTrack.agriculture: Subject.technology_agriculture,
}
SUBJECT_INDEX: dict[str, int] = {s.value: i for i, s in enumerate(Subject)}


class Method(StrEnum):
    """Admission methods: exam combinations, grade-12 transcript combinations, competency tests."""

    exam = "exam"
    transcript = "transcript"
    hsa = "hsa"  # Hanoi National University competency test, /150
    vact = "vact"  # HCMC National University V-ACT, /1200
    tsa = "tsa"  # Hanoi University of Science and Technology thinking test, /100


# Methods scored by a subject combination (the rest have one total score).
COMBINATION_METHODS = frozenset({Method.exam, Method.transcript})
# Highest score of each method, in hundredths of a point.
METHOD_MAX_H: dict[Method, int] = {
    Method.exam: 1000,  # per subject
    Method.transcript: 1000,  # per subject (grade-12 average)
    Method.hsa: 15000,
    Method.vact: 120000,
    Method.tsa: 10000,
}
TOTAL = "total"  # the `subject` of a competency-test result


class RoundKind(StrEnum):
    regular = "regular"
    supplementary = "supplementary"


class RoundStatus(StrEnum):
    draft = "draft"
    snapshotted = "snapshotted"
    run = "run"
    published = "published"


class TiePolicy(StrEnum):
    group = "group"
    strict = "strict"


class OfferStatus(StrEnum):
    open = "open"
    closed = "closed"


# Tie-break criteria of an offer besides subjects: the candidate's wish order.
WISH_RANK = "wish_rank"


class AchievementKind(StrEnum):
    """What earns bonus points (điểm cộng): a language certificate, or an excellence award."""

    language = "language"
    award = "award"


class Certificate(StrEnum):
    """International language certificates an institution's table may convert (scores as the
    certificate states them: IELTS 0–9, TOEFL iBT 0–120, …)."""

    ielts = "ielts"
    toefl_ibt = "toefl_ibt"
    toeic = "toeic"
    cambridge = "cambridge"  # Cambridge English Scale 80–230
    delf = "delf"  # DELF/DALF, points 0–100
    hsk = "hsk"  # HSK level 1–9
    jlpt = "jlpt"  # JLPT level as 1 (N5) … 5 (N1)
    topik = "topik"  # TOPIK level 1–6


CERTIFICATE_MAX_H: dict[str, int] = {
    Certificate.ielts.value: 900,
    Certificate.toefl_ibt.value: 12000,
    Certificate.toeic.value: 99000,
    Certificate.cambridge.value: 23000,
    Certificate.delf.value: 10000,
    Certificate.hsk.value: 900,
    Certificate.jlpt.value: 500,
    Certificate.topik.value: 600,
}


class Award(StrEnum):
    """Excellence awards (national and provincial competitions for excellent students, science
    and engineering fairs): prize 1–3 and encouragement."""

    national_1 = "national_1"
    national_2 = "national_2"
    national_3 = "national_3"
    national_encouragement = "national_encouragement"
    provincial_1 = "provincial_1"
    provincial_2 = "provincial_2"
    provincial_3 = "provincial_3"


class AdmissionPath(StrEnum):
    """Admission outside the matching (Art. 8): direct admission (xét tuyển thẳng) and priority
    admission (ưu tiên xét tuyển: admitted if the score reaches the offer's floor)."""

    direct = "direct"
    priority = "priority"


class PathStatus(StrEnum):
    offered = "offered"  # the institution's decision, not yet answered
    accepted = "accepted"  # the candidate takes it: a seat out of the quota before matching
    declined = "declined"


LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "area": {
        "KV1": ("Khu vực 1", "Area 1"),
        "KV2-NT": ("Khu vực 2 nông thôn", "Area 2 rural"),
        "KV2": ("Khu vực 2", "Area 2"),
        "KV3": ("Khu vực 3", "Area 3"),
    },
    "subject": {
        "math": ("Toán", "Mathematics"),
        "literature": ("Ngữ văn", "Literature"),
        "physics": ("Vật lí", "Physics"),
        "chemistry": ("Hóa học", "Chemistry"),
        "biology": ("Sinh học", "Biology"),
        "history": ("Lịch sử", "History"),
        "geography": ("Địa lí", "Geography"),
        "economics_law": ("Giáo dục kinh tế và pháp luật", "Economics and law"),
        "informatics": ("Tin học", "Informatics"),
        "technology_industry": ("Công nghệ công nghiệp", "Technology (industry)"),
        "technology_agriculture": ("Công nghệ nông nghiệp", "Technology (agriculture)"),
        "english": ("Tiếng Anh", "English"),
        "russian": ("Tiếng Nga", "Russian"),
        "french": ("Tiếng Pháp", "French"),
        "chinese": ("Tiếng Trung", "Chinese"),
        "german": ("Tiếng Đức", "German"),
        "japanese": ("Tiếng Nhật", "Japanese"),
        "korean": ("Tiếng Hàn", "Korean"),
        "total": ("Tổng điểm", "Total"),
    },
    "elective": {
        "foreign_language": ("Ngoại ngữ", "Foreign language"),
        "history": ("Lịch sử", "History"),
        "physics": ("Vật lí", "Physics"),
        "chemistry": ("Hóa học", "Chemistry"),
        "biology": ("Sinh học", "Biology"),
        "geography": ("Địa lí", "Geography"),
        "economics_law": ("Giáo dục kinh tế và pháp luật", "Economics and law"),
        "informatics": ("Tin học", "Informatics"),
        "technology": ("Công nghệ", "Technology"),
    },
    "method": {
        "exam": ("Điểm thi tốt nghiệp THPT", "National exam"),
        "transcript": ("Học bạ THPT", "Grade-12 transcript"),
        "hsa": ("Đánh giá năng lực ĐHQG Hà Nội (HSA)", "HSA competency test"),
        "vact": ("Đánh giá năng lực ĐHQG TP.HCM (V-ACT)", "V-ACT competency test"),
        "tsa": ("Đánh giá tư duy (TSA)", "TSA thinking test"),
    },
    "round_status": {
        "draft": ("Nháp", "Draft"),
        "snapshotted": ("Đã chốt dữ liệu", "Snapshot taken"),
        "run": ("Đã lọc ảo", "Matched"),
        "published": ("Đã công bố", "Published"),
    },
    "round_kind": {
        "regular": ("Đợt chính", "Main round"),
        "supplementary": ("Đợt bổ sung", "Supplementary round"),
    },
    "outcome": {
        "admitted": ("Trúng tuyển", "Admitted"),
        "admitted_direct": ("Trúng tuyển thẳng", "Admitted directly"),
        "admitted_priority": ("Trúng tuyển (ưu tiên xét tuyển)", "Admitted (priority admission)"),
        "below_cutoff": ("Thấp hơn điểm chuẩn", "Below the cutoff"),
        "tie_lost": (
            "Bằng điểm chuẩn, thua ở tiêu chí phụ",
            "Equal to the cutoff, lost on a tie-break criterion",
        ),
        "not_eligible": ("Không đủ điều kiện xét", "Not eligible"),
        "no_seats": ("Không còn chỉ tiêu", "No seats"),
        "not_considered": ("Không được xét (nguyện vọng thấp hơn)", "Not considered (lower wish)"),
        "unpaid": ("Không được xét: chưa nộp lệ phí", "Not considered: fee not paid"),
    },
    "achievement_kind": {
        "language": ("Chứng chỉ ngoại ngữ", "Language certificate"),
        "award": ("Giải thưởng", "Award"),
    },
    "certificate": {
        "ielts": ("IELTS", "IELTS"),
        "toefl_ibt": ("TOEFL iBT", "TOEFL iBT"),
        "toeic": ("TOEIC", "TOEIC"),
        "cambridge": ("Cambridge English", "Cambridge English"),
        "delf": ("DELF/DALF", "DELF/DALF"),
        "hsk": ("HSK", "HSK"),
        "jlpt": ("JLPT", "JLPT"),
        "topik": ("TOPIK", "TOPIK"),
    },
    "award": {
        "national_1": ("Giải Nhất quốc gia", "National first prize"),
        "national_2": ("Giải Nhì quốc gia", "National second prize"),
        "national_3": ("Giải Ba quốc gia", "National third prize"),
        "national_encouragement": ("Giải Khuyến khích quốc gia", "National encouragement prize"),
        "provincial_1": ("Giải Nhất cấp tỉnh", "Provincial first prize"),
        "provincial_2": ("Giải Nhì cấp tỉnh", "Provincial second prize"),
        "provincial_3": ("Giải Ba cấp tỉnh", "Provincial third prize"),
    },
    "path": {
        "direct": ("Xét tuyển thẳng", "Direct admission"),
        "priority": ("Ưu tiên xét tuyển", "Priority admission"),
    },
    "path_status": {
        "offered": ("Chờ thí sinh trả lời", "Awaiting the candidate"),
        "accepted": ("Thí sinh đã nhận", "Accepted"),
        "declined": ("Thí sinh từ chối", "Declined"),
    },
    "tie_policy": {
        "group": ("Xét cả nhóm đồng điểm", "Admit the whole tied group"),
        "strict": ("Theo tiêu chí phụ, không vượt chỉ tiêu", "Tie-breaks, never over quota"),
    },
    "technology_track": {
        "industry": ("Công nghệ công nghiệp", "Industrial technology"),
        "agriculture": ("Công nghệ nông nghiệp", "Agricultural technology"),
    },
    "foreign_language": {
        "N1": ("Tiếng Anh (N1)", "English (N1)"),
        "N2": ("Tiếng Nga (N2)", "Russian (N2)"),
        "N3": ("Tiếng Pháp (N3)", "French (N3)"),
        "N4": ("Tiếng Trung (N4)", "Chinese (N4)"),
        "N5": ("Tiếng Đức (N5)", "German (N5)"),
        "N6": ("Tiếng Nhật (N6)", "Japanese (N6)"),
        "N7": ("Tiếng Hàn (N7)", "Korean (N7)"),
    },
    "category": {
        "01": ("Đối tượng 01 (nhóm UT1)", "Category 01 (group UT1)"),
        "02": ("Đối tượng 02 (nhóm UT1)", "Category 02 (group UT1)"),
        "03": ("Đối tượng 03 (nhóm UT1)", "Category 03 (group UT1)"),
        "04": ("Đối tượng 04 (nhóm UT1)", "Category 04 (group UT1)"),
        "05": ("Đối tượng 05 (nhóm UT2)", "Category 05 (group UT2)"),
        "06": ("Đối tượng 06 (nhóm UT2)", "Category 06 (group UT2)"),
        "07": ("Đối tượng 07 (nhóm UT2)", "Category 07 (group UT2)"),
    },
    "offer_status": {
        "open": ("Đang tuyển", "Open"),
        "closed": ("Đã đóng", "Closed"),
    },
    # why a way of scoring a wish does not count (admissions/explain.py)
    "note": {
        "not_scorable": ("Không tính được theo tổ hợp này", "Not scorable with this combination"),
        "missing_result": ("Thiếu điểm của môn cần thiết", "A needed result is missing"),
        "below_minimum": ("Dưới mức tối thiểu", "Below the minimum"),
        "no_table": ("Chưa có bảng quy đổi", "No conversion table"),
    },
    "chance": {
        "high": ("Cao", "High"),
        "medium": ("Trung bình (sát điểm chuẩn)", "Medium (near the cutoff)"),
        "low": ("Thấp (dưới điểm chuẩn một chút)", "Low (just under the cutoff)"),
        "very_low": ("Rất thấp", "Very low"),
        "unknown": ("Chưa đủ dữ liệu", "Not enough data"),
    },
    "risk": {
        "safe": ("Khả năng cao", "Likely"),
        "close": ("Cân nhắc", "Borderline"),
        "risky": ("Rủi ro", "Risky"),
        "unknown": ("Chưa có dữ liệu", "No data"),
    },
}


# What decided a tie at the cutoff besides exam subjects (round_results.decided_by).
CRITERION_LABELS: dict[str, tuple[str, str]] = {
    WISH_RANK: ("Thứ tự nguyện vọng", "Wish order"),
    "candidate_order": (
        "Thứ tự cuối cùng theo mã thí sinh (đợt xét chọn chính sách không đồng hạng)",
        "Final order by candidate id (the round's strict tie policy)",
    ),
}


def criterion_label(name: str | None, lang: str = "vi") -> str:
    """The name of a tie-break criterion: an exam subject ("Điểm thi Toán"), the wish order, or
    the strict policy's candidate order."""
    if name is None:
        return ""
    if name in CRITERION_LABELS:
        pair = CRITERION_LABELS[name]
        return pair[1] if lang == "en" else pair[0]
    subject = label("subject", name, lang)
    return f"{subject} exam score" if lang == "en" else f"Điểm thi {subject}"


def label(kind: str, code: str | None, lang: str = "vi") -> str:
    """The name of a code in `lang`, or the code itself."""
    if code is None:
        return ""
    pair = LABELS.get(kind, {}).get(code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]
