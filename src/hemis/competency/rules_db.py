"""Tier d rules of the competency entities (against the institution's registry): the program
or the learner is the institution's own, and an assessment is not dated before the learner's
admission. What is published about them (ID, tier, severity, messages) is here; the checks run
in `CompetencyRegistryRules`, a rule set of `hemis.submissions.rules_registry`."""

from __future__ import annotations

from hemis.imports.catalogue import Rule, Severity

E = Severity.error
NOT_HERE_VI = "Không có người học mã này của trường."
NOT_HERE_EN = "No learner with this student code at the institution."
BEFORE_VI = "Ngày đánh giá trước ngày nhập học của người học ({detail})."
BEFORE_EN = "Assessed before the learner was admitted ({detail})."

COMPETENCY_DB_RULES: tuple[Rule, ...] = (
    Rule(
        "CTG.program_code.exists",
        "competency_targets",
        "d",
        E,
        "program_code",
        "Không có chương trình đào tạo mã này của trường; hãy nộp tệp chương trình trước.",
        "No program with this code at the institution; submit the programs first.",
    ),
    Rule(
        "DCP.student_code.exists", "digital_competencies", "d", E, "student_code",
        NOT_HERE_VI, NOT_HERE_EN,
    ),
    Rule(
        "DCP.assessed_on.enrolment", "digital_competencies", "d", E, "assessed_on",
        BEFORE_VI, BEFORE_EN,
    ),
    Rule(
        "DCW.student_code.exists", "digital_competencies_wide", "d", E, "student_code",
        NOT_HERE_VI, NOT_HERE_EN,
    ),
    Rule(
        "DCW.assessed_on.enrolment", "digital_competencies_wide", "d", E, "assessed_on",
        BEFORE_VI, BEFORE_EN,
    ),
)  # fmt: skip
