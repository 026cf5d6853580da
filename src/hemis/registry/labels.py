"""Vietnamese and English labels of the code lists in hemis.registry.codes.

    label(Level.master)                       -> "Thạc sĩ"
    label(Level.master, "en")                 -> "Master's"
    label("master", "vi", enum=Level)         -> "Thạc sĩ"
    label("graduated")                        -> "Đã tốt nghiệp"  (a value found in one list only)

A bare value that several lists share with different labels ("suspended", "none") needs `enum`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from hemis.registry import codes as c

Lang = Literal["vi", "en"]

LABELS: dict[type[StrEnum], dict[str, tuple[str, str]]] = {
    c.InstitutionType: {
        c.InstitutionType.university: ("Trường đại học", "University"),
        c.InstitutionType.academy: ("Học viện", "Academy"),
        c.InstitutionType.college: ("Trường cao đẳng", "College"),
        c.InstitutionType.institute: ("Viện", "Institute"),
    },
    c.Ownership: {
        c.Ownership.public: ("Công lập", "Public"),
        c.Ownership.private: ("Tư thục", "Private"),
        c.Ownership.foreign_invested: ("Có vốn đầu tư nước ngoài", "Foreign-invested"),
    },
    c.InstitutionStatus: {
        c.InstitutionStatus.active: ("Đang hoạt động", "Active"),
        c.InstitutionStatus.suspended: ("Tạm dừng hoạt động", "Suspended"),
        c.InstitutionStatus.merged: ("Đã sáp nhập", "Merged"),
        c.InstitutionStatus.dissolved: ("Đã giải thể", "Dissolved"),
    },
    c.Level: {
        c.Level.college: ("Cao đẳng", "College"),
        c.Level.bachelor: ("Đại học", "Bachelor's"),
        c.Level.master: ("Thạc sĩ", "Master's"),
        c.Level.doctor: ("Tiến sĩ", "Doctoral"),
    },
    c.StudyMode: {
        c.StudyMode.full_time: ("Chính quy", "Full-time"),
        c.StudyMode.part_time: ("Vừa làm vừa học", "Part-time"),
        c.StudyMode.distance: ("Đào tạo từ xa", "Distance"),
    },
    c.AccreditationStatus: {
        c.AccreditationStatus.none: ("Chưa kiểm định", "Not accredited"),
        c.AccreditationStatus.in_progress: ("Đang kiểm định", "Accreditation in progress"),
        c.AccreditationStatus.accredited: ("Đạt kiểm định", "Accredited"),
        c.AccreditationStatus.expired: ("Hết hạn kiểm định", "Accreditation expired"),
    },
    c.ProgramStatus: {
        c.ProgramStatus.open: ("Đang đào tạo", "Open"),
        c.ProgramStatus.suspended: ("Tạm dừng tuyển sinh", "Admission suspended"),
        c.ProgramStatus.closed: ("Đã dừng đào tạo", "Closed"),
    },
    c.Sex: {
        c.Sex.male: ("Nam", "Male"),
        c.Sex.female: ("Nữ", "Female"),
    },
    c.ReviewStatus: {
        c.ReviewStatus.pending: ("Chờ xem xét", "Pending review"),
        c.ReviewStatus.merged: ("Đã gộp vào hồ sơ đã đăng ký", "Merged into the registered person"),
        c.ReviewStatus.rejected: ("Không phải cùng một người", "Not the same person"),
    },
    c.FundingSource: {
        c.FundingSource.state_budget: ("Ngân sách nhà nước", "State budget"),
        c.FundingSource.self_funded: ("Tự túc", "Self-funded"),
        c.FundingSource.scholarship: ("Học bổng", "Scholarship"),
        c.FundingSource.employer: ("Cơ quan cử đi học", "Employer-sponsored"),
        c.FundingSource.other: ("Khác", "Other"),
    },
    c.LearnerStatus: {
        c.LearnerStatus.enrolled: ("Đang học", "Enrolled"),
        c.LearnerStatus.suspended: ("Tạm dừng học", "Studies suspended"),
        c.LearnerStatus.withdrawn: ("Thôi học", "Withdrawn"),
        c.LearnerStatus.transferred: ("Chuyển trường", "Transferred"),
        c.LearnerStatus.graduated: ("Đã tốt nghiệp", "Graduated"),
    },
    c.Classification: {
        c.Classification.excellent: ("Xuất sắc", "Excellent"),
        c.Classification.very_good: ("Giỏi", "Very good"),
        c.Classification.good: ("Khá", "Good"),
        c.Classification.average: ("Trung bình", "Average"),
    },
    c.ContractType: {
        c.ContractType.civil_servant: ("Viên chức", "Public employee (civil servant)"),
        c.ContractType.indefinite: ("Hợp đồng không xác định thời hạn", "Indefinite-term contract"),
        c.ContractType.fixed_term: ("Hợp đồng xác định thời hạn", "Fixed-term contract"),
        c.ContractType.visiting: ("Thỉnh giảng", "Visiting"),
    },
    c.Position: {
        c.Position.lecturer: ("Giảng viên", "Lecturer"),
        c.Position.researcher: ("Nghiên cứu viên", "Researcher"),
        c.Position.manager: ("Cán bộ quản lý", "Manager"),
        c.Position.administrative: ("Nhân viên hành chính", "Administrative staff"),
        c.Position.technical: ("Nhân viên kỹ thuật", "Technical staff"),
    },
    c.Degree: {
        c.Degree.none: ("Không có", "None"),
        c.Degree.bachelor: ("Cử nhân", "Bachelor's"),
        c.Degree.master: ("Thạc sĩ", "Master's"),
        c.Degree.doctor: ("Tiến sĩ", "Doctorate"),
    },
    c.AcademicTitle: {
        c.AcademicTitle.none: ("Không có", "None"),
        c.AcademicTitle.associate_professor: ("Phó Giáo sư", "Associate Professor"),
        c.AcademicTitle.professor: ("Giáo sư", "Professor"),
    },
    c.FacilityKind: {
        c.FacilityKind.lecture_hall: ("Hội trường, giảng đường", "Lecture hall"),
        c.FacilityKind.classroom: ("Phòng học", "Classroom"),
        c.FacilityKind.laboratory: ("Phòng thí nghiệm", "Laboratory"),
        c.FacilityKind.workshop: ("Xưởng thực hành", "Workshop"),
        c.FacilityKind.library: ("Thư viện", "Library"),
        c.FacilityKind.office: ("Phòng làm việc", "Office"),
        c.FacilityKind.dormitory: ("Ký túc xá", "Dormitory"),
        c.FacilityKind.sports: ("Công trình thể dục thể thao", "Sports facility"),
        c.FacilityKind.other: ("Khác", "Other"),
    },
    c.RevenueSource: {
        c.RevenueSource.state_budget: ("Ngân sách nhà nước", "State budget"),
        c.RevenueSource.tuition_fees: ("Học phí, lệ phí", "Tuition and fees"),
        c.RevenueSource.sponsorship_contracts: ("Tài trợ, hợp đồng", "Sponsorship and contracts"),
        c.RevenueSource.other: ("Khác", "Other"),
    },
    c.Activity: {
        c.Activity.training: ("Đào tạo", "Training"),
        c.Activity.science_technology: ("Khoa học và công nghệ", "Science and technology"),
        c.Activity.other: ("Khác", "Other"),
    },
    c.ExpenditureCategory: {
        c.ExpenditureCategory.salaries: ("Tiền lương, tiền công", "Salaries and wages"),
        c.ExpenditureCategory.facilities_services: (
            "Cơ sở vật chất và dịch vụ",
            "Facilities and services",
        ),
        c.ExpenditureCategory.student_support: ("Hỗ trợ người học", "Student support"),
        c.ExpenditureCategory.other: ("Khác", "Other"),
    },
    c.AssetCategory: {
        c.AssetCategory.land: ("Đất đai", "Land"),
        c.AssetCategory.building: ("Nhà, công trình", "Buildings"),
        c.AssetCategory.equipment: ("Máy móc, thiết bị", "Equipment"),
        c.AssetCategory.vehicle: ("Phương tiện vận tải", "Vehicles"),
        c.AssetCategory.intangible: ("Tài sản vô hình", "Intangible assets"),
        c.AssetCategory.other: ("Khác", "Other"),
    },
}


def label(value: StrEnum | str, lang: Lang = "vi", *, enum: type[StrEnum] | None = None) -> str:
    """The label of a code in `lang` ("vi" or "en").

    `value` is an enum member, or a stored value with its `enum`; a bare value is accepted when
    every list that holds it gives it the same label. Raises KeyError for an unknown code and
    ValueError for an ambiguous bare value or an unknown language."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}")
    index = 0 if lang == "vi" else 1
    if enum is None and isinstance(value, StrEnum):
        enum = type(value)
    if enum is not None:
        try:
            return LABELS[enum][enum(value)][index]
        except (KeyError, ValueError):
            raise KeyError(f"no label for {value!r} in {enum.__name__}") from None
    found = {pairs[value][index] for pairs in LABELS.values() if value in pairs}
    if not found:
        raise KeyError(f"no label for {value!r}")
    if len(found) > 1:
        raise ValueError(f"{value!r} is in several code lists with different labels: pass enum=")
    return found.pop()


def choices(enum: type[StrEnum], lang: Lang = "vi") -> list[tuple[str, str]]:
    """(value, label) pairs of a code list, in declaration order (for select boxes)."""
    return [(member.value, label(member, lang)) for member in enum]
