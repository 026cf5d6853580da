"""Code lists of the competency domain, with their Vietnamese and English labels."""

from __future__ import annotations

from enum import StrEnum


class AssessmentMethod(StrEnum):
    """How an institution assessed a level. A validated self-assessment is one the institution
    checked and stands behind; a learner's own questionnaire (selfcheck.py) is never one."""

    exam = "exam"
    coursework = "coursework"
    certificate = "certificate"
    validated_self_assessment = "validated_self_assessment"


METHOD_LABELS: dict[str, tuple[str, str]] = {
    AssessmentMethod.exam: ("Bài thi, kiểm tra", "Exam"),
    AssessmentMethod.coursework: ("Học phần, bài tập", "Coursework"),
    AssessmentMethod.certificate: ("Chứng chỉ", "Certificate"),
    AssessmentMethod.validated_self_assessment: (
        "Tự đánh giá đã được cơ sở xác nhận",
        "Validated self-assessment",
    ),
}


def method_label(code: str, lang: str) -> str:
    vi, en = METHOD_LABELS.get(code, (code, code))
    return en if lang == "en" else vi
