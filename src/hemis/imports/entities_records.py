"""Entities recording what happens to learners: status events and awards."""

from __future__ import annotations

from hemis.imports.entities import CODE, DATE, STR, Entity, col, enum_codes
from hemis.imports.entities_people import STUDENT_CODE
from hemis.registry.codes import Classification, LearnerStatus

LEARNER_STATUS_EVENTS = Entity(
    "learner_status_events",
    "EVT",
    "Biến động người học",
    "Learner status events",
    "Lịch sử trạng thái của người học: nhập học, bảo lưu, thôi học, chuyển trường, tốt nghiệp.",
    "Status history of learners: enrolled, suspended, withdrawn, transferred, graduated.",
    (
        STUDENT_CODE,
        col(
            "status",
            CODE,
            "Trạng thái",
            "Trạng thái mới.",
            "New status.",
            required=True,
            codes=enum_codes(LearnerStatus),
        ),
        col(
            "effective_on",
            DATE,
            "Ngày hiệu lực",
            "Ngày trạng thái có hiệu lực.",
            "Date the status took effect.",
            required=True,
            not_future=True,
        ),
        col(
            "reason",
            STR,
            "Lý do",
            "Lý do, số quyết định.",
            "Reason, decision number.",
            max_length=500,
        ),
    ),
    ("student_code", "effective_on", "status"),
)

AWARDS = Entity(
    "awards",
    "AWD",
    "Văn bằng",
    "Awards",
    "Văn bằng tốt nghiệp đã cấp.",
    "Diplomas awarded.",
    (
        STUDENT_CODE,
        col(
            "diploma_number",
            STR,
            "Số hiệu văn bằng",
            "Số hiệu văn bằng, không trùng trong trường.",
            "Diploma number, unique within the institution.",
            required=True,
            max_length=40,
        ),
        col(
            "awarded_on",
            DATE,
            "Ngày cấp",
            "Ngày cấp văn bằng.",
            "Date awarded.",
            required=True,
            not_future=True,
        ),
        col(
            "classification",
            CODE,
            "Xếp loại",
            "Xếp loại tốt nghiệp.",
            "Degree classification.",
            required=True,
            codes=enum_codes(Classification),
        ),
    ),
    ("diploma_number",),
)

RECORD_ENTITIES = (LEARNER_STATUS_EVENTS, AWARDS)
