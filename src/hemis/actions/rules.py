"""Pure rules of action jobs: their states, and the labels of their phases and result fields."""

from __future__ import annotations

from enum import StrEnum


class ActionStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


ACTIVE = frozenset({ActionStatus.queued.value, ActionStatus.running.value})
FINISHED = frozenset({ActionStatus.succeeded.value, ActionStatus.failed.value})

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "queued": ("Đang chờ", "Queued"),
    "running": ("Đang chạy", "Running"),
    "succeeded": ("Hoàn tất", "Done"),
    "failed": ("Thất bại", "Failed"),
}

# What a phase is called on the progress page (phases are reported by the handlers).
PHASE_LABELS: dict[str, tuple[str, str]] = {
    "queued": ("Đang chờ đến lượt", "Waiting for its turn"),
    "starting": ("Đang bắt đầu", "Starting"),
    "scoring": ("Tính điểm xét tuyển của mọi nguyện vọng", "Scoring every wish"),
    "packing": ("Đóng gói và băm dữ liệu chốt", "Packing and hashing the snapshot"),
    "loading": ("Đọc dữ liệu đã chốt", "Reading the snapshot"),
    "matching": ("Lọc ảo (so khớp)", "Matching"),
    "writing": ("Ghi kết quả", "Writing the results"),
    "checking": ("Đối chiếu với kết quả đã lưu", "Comparing with the stored results"),
    "publishing": ("Công bố kết quả", "Publishing"),
    "sending": ("Gửi và nhận hồ sơ", "Sending records"),
    "querying": ("Hỏi cổng thanh toán", "Querying the gateway"),
    "refunding": ("Hoàn tiền thu trùng", "Refunding double charges"),
    "counting": ("Đếm nguyện vọng", "Counting wishes"),
    "computing": (
        "Tính tiêu chí, chất lượng dữ liệu và số liệu quốc gia",
        "Computing the criteria, data quality and national figures",
    ),
    "done": ("Xong", "Finished"),
}

# Labels of result fields shown on the progress page (anything else shows its key).
RESULT_LABELS: dict[str, tuple[str, str]] = {
    "round": ("Đợt", "Round"),
    "status": ("Trạng thái", "Status"),
    "candidates": ("Thí sinh", "Candidates"),
    "wishes": ("Nguyện vọng", "Wishes"),
    "counted_wishes": ("Nguyện vọng được xét", "Wishes considered"),
    "programs": ("Ngành / phương thức", "Offers and buckets"),
    "seats": ("Chỉ tiêu", "Seats"),
    "admitted": ("Trúng tuyển", "Admitted"),
    "over_quota": ("Vượt chỉ tiêu (đồng điểm)", "Over quota (ties)"),
    "sha256": ("SHA-256", "SHA-256"),
    "identical": ("Trùng khớp", "Identical"),
    "differences": ("Khác biệt", "Differences"),
    "run_id": ("Lượt đồng bộ", "Sync run"),
    "total": ("Tổng số bản ghi", "Records"),
    "sent": ("Đã gửi", "Sent"),
    "skipped": ("Bỏ qua (không đổi)", "Skipped (unchanged)"),
    "batches": ("Số lô", "Batches"),
    "failed_batches": ("Lô lỗi", "Failed batches"),
    "statuses": ("Kết quả đối chiếu", "Statuses"),
    "seconds": ("Thời gian (giây)", "Seconds"),
    "checked": ("Giao dịch đã kiểm tra", "Payments checked"),
    "paid": ("Xác nhận đã trả", "Confirmed paid"),
    "failed": ("Xác nhận thất bại", "Confirmed failed"),
    "expired": ("Hết hạn", "Expired"),
    "still_pending": ("Vẫn đang chờ", "Still pending"),
    "unavailable": ("Cổng không trả lời", "Gateway unavailable"),
    "refunded": ("Đã hoàn tiền (thu trùng)", "Refunded (double charges)"),
    "year": ("Năm", "Year"),
    "issued": ("Hóa đơn mới", "Invoices issued"),
    "existing": ("Hóa đơn đã có", "Invoices already there"),
    "institutions": ("Cơ sở đào tạo", "Institutions"),
    "confirmed": ("Đã xác nhận nhập học", "Confirmed"),
    "created": ("Người học mới ghi vào CSDL", "Learners written"),
    "linked": ("Đã có trong CSDL (liên kết)", "Already learners (linked)"),
    "results": ("Kết quả tiêu chí đã tính", "Criterion results computed"),
    "cube_rows": ("Dòng số liệu quốc gia", "National figure rows"),
}

# Codes that appear as values in results (a round's state).
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "draft": ("Nháp", "Draft"),
    "snapshotted": ("Đã chốt dữ liệu", "Snapshot taken"),
    "run": ("Đã lọc ảo", "Matched"),
    "published": ("Đã công bố", "Published"),
}


def label(table: dict[str, tuple[str, str]], key: str | None, lang: str) -> str:
    vi, en = table.get(key or "", (key or "", key or ""))
    return en if lang == "en" else vi
