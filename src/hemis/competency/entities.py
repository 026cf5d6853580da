"""The competency entities of a submission: their columns (template headers, data dictionary,
casting, generic rules) declared once, as every entity of `hemis.imports.entities` is.

- `competency_targets`: the level each program targets per competency;
- `digital_competencies`: learners' assessed levels, one row per (learner, competency, date);
- `digital_competencies_wide`: the same facts one row per learner and date, a level column per
  competency (a national file of 3 M learners is 3 M rows, not 72 M).

Both assessment entities write the same table (competency_assessment) and follow one rule: the
rows of a learner on a date are that learner's whole assessment on that date, and replace what
HEMIS held for that learner and date (other dates are left as they are).
"""

from __future__ import annotations

from hemis.competency.codes import AssessmentMethod
from hemis.competency.framework import framework
from hemis.imports.entities import (
    CODE,
    DATE,
    INT,
    STR,
    CodeList,
    Column,
    Entity,
    col,
    enum_codes,
)
from hemis.imports.entities_people import STUDENT_CODE

COMPETENCY_CODES = CodeList(
    "competency: framework TT02-2025 (hemis/competency/data)", lambda: framework().codes
)
LEVEL_TEXT_VI = "1–8 (1 CB1, 2 CB2, 3 TC1, 4 TC2, 5 NC1, 6 NC2, 7 CS1, 8 CS2)"
LEVEL_TEXT_EN = "1–8 (1 CB1, 2 CB2, 3 TC1, 4 TC2, 5 NC1, 6 NC2, 7 CS1, 8 CS2)"


def competency_column(vi: str, en: str) -> Column:
    return col(
        "competency_code",
        CODE,
        "Mã năng lực",
        vi,
        en,
        required=True,
        codes=COMPETENCY_CODES,
    )


def level_column(name: str, label_vi: str, vi: str, en: str, *, required: bool) -> Column:
    return col(name, INT, label_vi, vi, en, required=required, minimum=1, maximum=8)


ASSESSED_ON = col(
    "assessed_on",
    DATE,
    "Ngày đánh giá",
    "Ngày có kết quả đánh giá; không trước ngày nhập học của người học.",
    "Date of the assessment's result; not before the learner's admission.",
    required=True,
    not_future=True,
)
METHOD = col(
    "method",
    CODE,
    "Hình thức đánh giá",
    "exam: bài thi, kiểm tra; coursework: học phần, bài tập; certificate: chứng chỉ; "
    "validated_self_assessment: tự đánh giá đã được cơ sở xác nhận.",
    "exam; coursework; certificate; validated_self_assessment (a self-assessment the "
    "institution checked).",
    required=True,
    codes=enum_codes(AssessmentMethod),
)
EVIDENCE_REF = col(
    "evidence_ref",
    STR,
    "Minh chứng",
    "Số hiệu minh chứng: mã bài thi, mã học phần, số hiệu chứng chỉ… (không ghi số định danh).",
    "Evidence reference: exam id, course code, certificate number… (no national ID).",
    max_length=200,
)

COMPETENCY_TARGETS = Entity(
    "competency_targets",
    "CTG",
    "Mục tiêu năng lực số của chương trình",
    "Program digital competency targets",
    "Mức năng lực số mỗi chương trình đặt mục tiêu cho người học khi tốt nghiệp, theo từng "
    "năng lực thành phần của Khung năng lực số (Thông tư 02/2025/TT-BGDĐT).",
    "The level each program targets for its graduates in each component competency of the "
    "digital competency framework (Circular 02/2025/TT-BGDĐT).",
    (
        col(
            "program_code",
            STR,
            "Mã chương trình",
            "Mã chương trình đào tạo, như trong tệp chương trình.",
            "Program code, as in the programs file.",
            required=True,
            max_length=30,
        ),
        competency_column(
            "Mã năng lực thành phần, 1.1–6.3.", "Component competency code, 1.1–6.3."
        ),
        level_column(
            "target_level",
            "Mức mục tiêu",
            f"Bậc năng lực chương trình đặt mục tiêu: {LEVEL_TEXT_VI}.",
            f"The level the program targets: {LEVEL_TEXT_EN}.",
            required=True,
        ),
    ),
    ("program_code", "competency_code"),
    notes_en=(
        "A competency a program does not list is one it does not target.",
        "Re-submitting a program's row replaces its target; rows absent from a file are kept.",
    ),
)

DIGITAL_COMPETENCIES = Entity(
    "digital_competencies",
    "DCP",
    "Năng lực số của người học",
    "Learners' digital competencies",
    "Mức năng lực số đã được đánh giá của người học: mỗi dòng là một năng lực của một người "
    "học trong một lần đánh giá. Các dòng của một người học trong một ngày là toàn bộ kết quả "
    "đánh giá ngày đó và thay thế kết quả đã có của ngày đó.",
    "Learners' assessed digital competency levels: one row per competency of a learner in one "
    "assessment. A learner's rows on a date are that date's whole assessment and replace what "
    "HEMIS held for that date.",
    (
        STUDENT_CODE,
        competency_column(
            "Mã năng lực thành phần, 1.1–6.3.", "Component competency code, 1.1–6.3."
        ),
        level_column(
            "level",
            "Mức đạt được",
            f"Bậc năng lực đạt được: {LEVEL_TEXT_VI}.",
            f"The level reached: {LEVEL_TEXT_EN}.",
            required=True,
        ),
        ASSESSED_ON,
        METHOD,
        EVIDENCE_REF,
    ),
    ("student_code", "competency_code", "assessed_on"),
    notes_en=(
        "The rows of a learner on a date replace that learner's assessment of that date.",
        "A learner's own questionnaire is never submitted here (it is never an assessed level).",
    ),
)


def _wide_level(code: str) -> Column:
    item = framework().competency(code)
    return level_column(
        "level_" + code.replace(".", "_"),
        f"Mức {code}",
        f"Mức đạt được ở năng lực {code} ({item.name_vi}): {LEVEL_TEXT_VI}; để trống nếu "
        "không đánh giá.",
        f"Level reached in competency {code} ({item.name_en}): {LEVEL_TEXT_EN}; empty when "
        "not assessed.",
        required=False,
    )


def wide_column(code: str) -> str:
    """The wide file's column of a competency code (1.1 → level_1_1)."""
    return "level_" + code.replace(".", "_")


DIGITAL_COMPETENCIES_WIDE = Entity(
    "digital_competencies_wide",
    "DCW",
    "Năng lực số của người học (mỗi dòng một lần đánh giá)",
    "Learners' digital competencies (one row per assessment)",
    "Như digital_competencies, nhưng mỗi dòng là một người học trong một ngày đánh giá, mỗi "
    "năng lực một cột (level_1_1 … level_6_3); cột để trống là năng lực không được đánh giá.",
    "As digital_competencies, one row per learner and assessment date, one column per "
    "competency (level_1_1 … level_6_3); an empty column is a competency not assessed.",
    (
        STUDENT_CODE,
        ASSESSED_ON,
        METHOD,
        EVIDENCE_REF,
        *(_wide_level(code) for code in framework().codes),
    ),
    ("student_code", "assessed_on"),
    notes_en=("The row of a learner on a date replaces that learner's assessment of that date.",),
)

COMPETENCY_ENTITIES = (COMPETENCY_TARGETS, DIGITAL_COMPETENCIES, DIGITAL_COMPETENCIES_WIDE)
ASSESSMENT_ENTITIES = (DIGITAL_COMPETENCIES.name, DIGITAL_COMPETENCIES_WIDE.name)
