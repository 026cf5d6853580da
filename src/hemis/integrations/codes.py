"""Code lists of the integrations (the same strings in the database, the API and the pages)."""

from __future__ import annotations

from enum import StrEnum


class Registry(StrEnum):
    population = "population"
    insurance = "insurance"
    civil_service = "civil_service"


class SyncStatus(StrEnum):
    """Uzbekistan's HEMIS statuses: every record says where it stands with the registry."""

    not_checked = "not_checked"
    actual = "actual"
    different = "different"
    error = "error"
    not_found = "not_found"


# Statuses that are a registry's answer; a record in one of them is not re-sent unless it changed.
ANSWERED = (SyncStatus.actual, SyncStatus.different, SyncStatus.not_found)


class RunStatus(StrEnum):
    running = "running"
    finished = "finished"
    interrupted = "interrupted"
    failed = "failed"


class LinkMethod(StrEnum):
    deterministic = "deterministic"
    probabilistic = "probabilistic"
    clerical = "clerical"


class LinkStatus(StrEnum):
    linked = "linked"
    review = "review"
    rejected = "rejected"


STATUS_LABELS: dict[str, tuple[str, str]] = {
    "not_checked": ("Chưa đối chiếu", "Not checked"),
    "actual": ("Khớp", "Actual"),
    "different": ("Khác biệt", "Different"),
    "error": ("Lỗi", "Error"),
    "not_found": ("Không tìm thấy", "Not found"),
}

REGISTRY_LABELS: dict[str, tuple[str, str]] = {
    "population": ("CSDL quốc gia về dân cư", "Population database"),
    "insurance": ("CSDL bảo hiểm xã hội", "Social-insurance database"),
    "civil_service": ("CSDL cán bộ, công chức, viên chức", "Civil-servant database"),
}

RUN_LABELS: dict[str, tuple[str, str]] = {
    "running": ("Đang chạy", "Running"),
    "finished": ("Đã xong", "Finished"),
    "interrupted": ("Bị gián đoạn", "Interrupted"),
    "failed": ("Thất bại", "Failed"),
}

LINK_METHOD_LABELS: dict[str, tuple[str, str]] = {
    "deterministic": ("Theo số định danh", "By national ID"),
    "probabilistic": ("Theo xác suất", "Probabilistic"),
    "clerical": ("Do người xem xét", "By a clerk"),
}

LINK_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "linked": ("Đã liên kết", "Linked"),
    "review": ("Chờ xem xét", "Awaiting review"),
    "rejected": ("Đã từ chối", "Rejected"),
}

# The person fields a registry's answer may differ on (the mismatch list names them).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "full_name": ("Họ tên", "Full name"),
    "date_of_birth": ("Ngày sinh", "Date of birth"),
    "sex": ("Giới tính", "Sex"),
    "province_code": ("Tỉnh", "Province"),
    "national_id": ("Số định danh", "National ID"),
    "position": ("Chức danh", "Position"),
    "employer": ("Nơi làm việc", "Employer"),
    "insured": ("Tham gia bảo hiểm", "Insured"),
}
