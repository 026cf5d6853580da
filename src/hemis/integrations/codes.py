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
