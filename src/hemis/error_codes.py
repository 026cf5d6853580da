"""Every error code the system answers with, once: its HTTP status and what it means.

A code is lowercase words joined by `_`, with at most one area in front and a dot
(`not_found`, `import.too_large`); the API, the pages and a job's stored outcome all carry it
as `code` (hemis.errors.HemisError). tests/unit/test_error_codes.py fails when a code is raised
that is not here, has another status than here, or is here but never raised; docs/errors.md is
generated from this list (`python -m hemis.docs`).

The items of a 422's `details` have one shape too: `hemis.errors.Problem`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHAPE = re.compile(r"^(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.)?[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int | None  # None: the status of the answer it stands for (http_error)
    vi: str
    en: str


def _c(code: str, status: int | None, vi: str, en: str) -> ErrorCode:
    return ErrorCode(code, status, vi, en)


CATALOGUE: tuple[ErrorCode, ...] = (
    # --- any request -------------------------------------------------------------------------
    _c("error", 400, "Lỗi không có mã riêng.", "A failure without a more specific code."),
    _c("bad_request", 400, "Yêu cầu không hợp lệ.", "The request is malformed."),
    _c(
        "validation_failed",
        422,
        "Dữ liệu gửi lên không hợp lệ; `details` liệt kê từng trường (Problem).",
        "The input is not valid; `details` lists each field (Problem).",
    ),
    _c(
        "unauthorized",
        401,
        "Chưa đăng nhập hoặc thẻ truy cập sai.",
        "Not logged in, or a bad token.",
    ),
    _c("forbidden", 403, "Không có quyền thực hiện thao tác.", "Not allowed to do this."),
    _c(
        "not_found", 404, "Không tìm thấy bản ghi hoặc trang.", "The record or page does not exist."
    ),
    _c("method_not_allowed", 405, "Phương thức không được hỗ trợ.", "The method is not supported."),
    _c("conflict", 409, "Thao tác mâu thuẫn với trạng thái hiện tại.", "Conflicts with the state."),
    _c(
        "record.changed",
        409,
        "Bản ghi vừa bị người khác sửa; chưa ghi gì.",
        "Someone else just changed the record; nothing was written.",
    ),
    _c(
        "precondition.failed",
        412,
        "If-Match không khớp phiên bản hiện tại của bản ghi.",
        "If-Match does not match the record's current version.",
    ),
    _c("too_large", 413, "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
    _c(
        "unsupported_media_type",
        415,
        "Kiểu dữ liệu không được hỗ trợ.",
        "The content type is not supported.",
    ),
    _c("precondition.required", 428, "Thiếu If-Match khi sửa.", "An update without If-Match."),
    _c(
        "rate_limited",
        429,
        "Quá nhiều lần thử; chờ theo Retry-After.",
        "Too many attempts; wait as Retry-After says.",
    ),
    _c("internal_error", 500, "Lỗi hệ thống (đã ghi nhật ký).", "A defect (logged for operators)."),
    _c(
        "unavailable",
        503,
        "Tạm thời không truy cập được cơ sở dữ liệu; thử lại theo Retry-After.",
        "The database cannot be reached for now; retry after Retry-After.",
    ),
    _c(
        "not_ready",
        503,
        "Máy chủ chưa sẵn sàng nhận yêu cầu (/readyz): cơ sở dữ liệu không trả lời hoặc lược đồ "
        "không khớp phiên bản mã.",
        "The server is not ready for requests (/readyz): the database does not answer or its "
        "schema does not match this code's version.",
    ),
    _c(
        "http_error",
        None,
        "Lỗi HTTP khác, với trạng thái của nó.",
        "Any other HTTP error, with its status.",
    ),
    # --- sign-in, sessions and access ----------------------------------------------------------
    _c(
        "csrf_failed",
        403,
        "Biểu mẫu hết hạn hoặc thiếu mã CSRF.",
        "A form without a valid CSRF token.",
    ),
    _c(
        "password_change_required",
        403,
        "Phải đổi mật khẩu dùng một lần trước khi làm việc khác.",
        "The one-time password must be changed first.",
    ),
    _c(
        "read_only",
        403,
        "Vai trò chỉ được xem, không được ghi.",
        "A read-only role may not write.",
    ),
    _c(
        "tenancy_violation",
        403,
        "Ghi vào dữ liệu của cơ sở đào tạo khác.",
        "A write to another institution's data.",
    ),
    _c(
        "tenancy",
        500,
        "Truy vấn không có phạm vi cơ sở (lỗi lập trình).",
        "A query without a tenancy scope (a defect).",
    ),
    _c(
        "ministry_field",
        403,
        "Trường chỉ Bộ được sửa.",
        "A field only the ministry may change.",
    ),
    # --- national e-ID login -------------------------------------------------------------------
    _c("eid_refused", 400, "Đăng nhập định danh điện tử bị từ chối.", "An e-ID login was refused."),
    _c("eid.no_login", 400, "Không có phiên đăng nhập định danh.", "No e-ID login in progress."),
    _c("eid.state", 400, "Tham số state không khớp.", "The state parameter does not match."),
    _c("eid.cancelled", 400, "Người dùng đã hủy đăng nhập.", "The user cancelled the login."),
    _c("eid.code", 400, "Mã ủy quyền không hợp lệ.", "The authorisation code is not valid."),
    _c(
        "eid.provider",
        503,
        "Không liên lạc được VNeID.",
        "The identity provider cannot be reached.",
    ),
    _c(
        "eid.signature",
        400,
        "Chữ ký thẻ định danh sai.",
        "The identity token's signature is wrong.",
    ),
    _c("eid.expired", 400, "Thẻ định danh đã hết hạn.", "The identity token has expired."),
    _c("eid.issuer", 400, "Nơi phát hành thẻ sai.", "The identity token's issuer is wrong."),
    _c("eid.audience", 400, "Thẻ không dành cho HEMIS.", "The identity token is not for HEMIS."),
    _c("eid.nonce", 400, "Nonce không khớp.", "The nonce does not match."),
    _c("eid.replayed", 400, "Thẻ định danh đã được dùng.", "The identity token was used already."),
    _c("eid.claims", 400, "Thiếu thông tin định danh.", "The identity token lacks claims."),
    _c("eid.token", 400, "Thẻ định danh không hợp lệ.", "The identity token is not valid."),
    _c(
        "eid.account",
        400,
        "Số định danh gắn với tài khoản không phải thí sinh hoặc bị khóa.",
        "The national ID belongs to a non-candidate or locked account.",
    ),
    # --- registry ------------------------------------------------------------------------------
    _c(
        "reporting_period.year_taken",
        409,
        "Năm đã có kỳ báo cáo.",
        "The year already has a reporting period.",
    ),
    _c(
        "review.settled",
        409,
        "Hồ sơ đối chiếu đã được quyết định.",
        "The review is already decided.",
    ),
    _c(
        "bulk_load",
        409,
        "Nạp dữ liệu hàng loạt bị từ chối.",
        "A bulk load was refused.",
    ),
    _c("synth", 409, "Không sinh được dữ liệu mô phỏng.", "The synthetic data cannot be made."),
    # --- imports and submissions ---------------------------------------------------------------
    _c("import.unknown_entity", 400, "Không có loại dữ liệu đó.", "No such entity."),
    _c("import.unreadable", 422, "Không đọc được tệp.", "The file cannot be read."),
    _c("import.too_large", 413, "Tệp quá lớn.", "The file is too large."),
    _c(
        "import.not_applicable",
        422,
        "Loại dữ liệu chỉ kiểm tra được, chưa ghi được.",
        "The entity can be checked, not applied.",
    ),
    _c(
        "import.unknown_institution",
        404,
        "Mã cơ sở trong tệp không có trong HEMIS.",
        "The file's institution code is unknown.",
    ),
    _c(
        "import.data_changed",
        409,
        "Dữ liệu đổi trong lúc nhập; chưa ghi gì.",
        "The data changed during the import; nothing was written.",
    ),
    _c(
        "import.interrupted",
        400,
        "Việc nhập bị gián đoạn; chưa ghi gì.",
        "The import was interrupted; nothing was written.",
    ),
    _c(
        "import.quarantined",
        400,
        "Tệp đã làm dừng một lần thử; không chạy lại.",
        "The file's earlier attempt never finished; it is not run again.",
    ),
    _c("import.internal_error", 400, "Lỗi hệ thống khi nhập.", "A defect stopped the import."),
    _c("import.not_finished", 409, "Việc nhập chưa xong.", "The import has not finished."),
    _c(
        "import.file_not_kept", 404, "Tệp gốc không còn được lưu.", "The original file is not kept."
    ),
    _c("import.report_format", 400, "Định dạng báo cáo không hỗ trợ.", "Unknown report format."),
    _c(
        "submission.no_period",
        404,
        "Không có kỳ báo cáo đang mở.",
        "No reporting period is open.",
    ),
    _c(
        "submission.transition",
        409,
        "Bước chuyển trạng thái không hợp lệ.",
        "The submission cannot move to that state.",
    ),
    _c("submission.empty", 409, "Lần nộp chưa có tệp nào.", "The submission has no file."),
    _c(
        "submission.unanswered_warnings",
        409,
        "Còn cảnh báo chưa giải trình.",
        "Warnings are not answered yet.",
    ),
    _c(
        "submission.open_overrides",
        409,
        "Còn đề nghị bỏ qua chưa được quyết định.",
        "Override requests are still open.",
    ),
    # --- admissions ----------------------------------------------------------------------------
    _c("window_closed", 403, "Ngoài thời gian đăng ký.", "The registration window is closed."),
    _c("window_open", 409, "Chưa hết hạn nguyện vọng.", "The wish window has not closed yet."),
    _c(
        "candidate_not_linked",
        403,
        "Tài khoản chưa gắn với thí sinh.",
        "The account is not linked to a candidate.",
    ),
    _c(
        "assurance_level",
        403,
        "Tài khoản định danh mức 1 chỉ được xem.",
        "A level-1 e-ID account may only read.",
    ),
    _c("wish.duplicate", 409, "Nguyện vọng trùng.", "The wish is already registered."),
    _c("offer.code_taken", 409, "Mã xét tuyển đã dùng.", "The offer code is taken."),
    _c("round_state", 409, "Đợt xét tuyển sai trạng thái.", "The round is in the wrong state."),
    _c("round_open", 409, "Đã có đợt xét tuyển đang mở.", "A round is already open."),
    _c("round_final", 409, "Đã có đợt xét tuyển cuối cùng.", "The year already has a final round."),
    _c("round_not_final", 409, "Đợt trước chưa phải đợt cuối.", "The previous round is not final."),
    _c(
        "round_in_progress",
        409,
        "Đang có đợt xét tuyển; không sửa được chỉ tiêu.",
        "A round is in progress; offers cannot change.",
    ),
    _c("no_final_round", 409, "Chưa công bố đợt cuối.", "The final round is not published."),
    _c(
        "path.duplicate",
        409,
        "Thí sinh đã có quyết định xét tuyển thẳng cho ngành này.",
        "The candidate already has a direct-admission decision for this offer.",
    ),
    _c(
        "read_model_exists",
        409,
        "Kết quả công bố của đợt này đã được ghi.",
        "The published results of this round are already written.",
    ),
    _c("not_admitted", 409, "Không có kết quả trúng tuyển.", "The candidate holds no admission."),
    _c(
        "deadline_passed", 403, "Đã hết hạn xác nhận nhập học.", "The confirmation deadline passed."
    ),
    _c("confirmed", 409, "Đã xác nhận nhập học.", "Enrolment is already confirmed."),
    _c(
        "bad_matching_input",
        422,
        "Tệp đầu vào xét tuyển sai.",
        "The matching input file is wrong.",
    ),
    _c(
        "invalid_matching_problem",
        422,
        "Bài toán xét tuyển không hợp lệ.",
        "The matching problem is not valid.",
    ),
    # --- payments ------------------------------------------------------------------------------
    _c(
        "idempotency_key_required",
        422,
        "Thiếu Idempotency-Key.",
        "The Idempotency-Key header is missing.",
    ),
    _c(
        "idempotency_key_reused",
        409,
        "Idempotency-Key đã dùng cho yêu cầu khác.",
        "The Idempotency-Key was used for another request.",
    ),
    _c("invoice_already_paid", 409, "Hóa đơn đã thanh toán.", "The invoice is already paid."),
    _c("payment_window_closed", 409, "Hết hạn nộp lệ phí.", "The payment window is closed."),
    _c(
        "wishes_still_open",
        422,
        "Chưa đóng đăng ký nguyện vọng.",
        "The wish window is still open.",
    ),
    _c("not_refundable", 409, "Giao dịch không hoàn được.", "The payment cannot be refunded."),
    _c(
        "refund_refused",
        502,
        "Cổng thanh toán từ chối hoàn tiền.",
        "The gateway refused the refund.",
    ),
    _c(
        "gateway_unavailable",
        503,
        "Không liên lạc được cổng thanh toán.",
        "The payment gateway cannot be reached.",
    ),
    # --- national databases and jobs -----------------------------------------------------------
    _c(
        "registry_unavailable",
        502,
        "Cơ sở dữ liệu quốc gia trả lời lỗi.",
        "A national database answered with an error.",
    ),
    _c("sync_running", 409, "Đang đồng bộ.", "A synchronisation is already running."),
    _c(
        "link_not_in_review",
        409,
        "Liên kết không còn chờ xem xét.",
        "The link is no longer under review.",
    ),
    _c("action_unknown", 404, "Không có loại tác vụ đó.", "No such kind of action."),
    _c("action_running", 409, "Tác vụ đang chạy.", "The action is already running."),
    _c(
        "action.interrupted",
        400,
        "Tác vụ bị gián đoạn.",
        "The action was interrupted.",
    ),
    _c(
        "action.internal_error",
        400,
        "Lỗi hệ thống khi chạy tác vụ.",
        "A defect stopped the action.",
    ),
    # --- digital competency ------------------------------------------------------------------
    _c(
        "learner_not_linked",
        403,
        "Tài khoản chưa được gắn với hồ sơ người học.",
        "The account is not linked to a learner yet.",
    ),
    _c(
        "credential.nothing_assessed",
        422,
        "Chưa có kết quả đánh giá nào để cấp chứng nhận.",
        "No assessment yet to issue a credential for.",
    ),
    _c(
        "credential.already_revoked",
        422,
        "Chứng nhận đã bị thu hồi trước đó.",
        "The credential was already revoked.",
    ),
    # --- operations ----------------------------------------------------------------------------
    _c(
        "backup.refused",
        400,
        "Sao lưu hoặc khôi phục bị từ chối (tệp hỏng, đích không trống, thiếu vai trò…).",
        "A backup or restore was refused (a corrupt file, a non-empty target, a missing role…).",
    ),
    # --- demo ----------------------------------------------------------------------------------
    _c("demo.exists", 409, "Dữ liệu mẫu đã có.", "The demo data exists already."),
    _c(
        "demo.rounds_immutable",
        409,
        "Đợt xét tuyển mẫu đã chạy; không làm lại.",
        "The demo rounds have run; they are not redone.",
    ),
    _c(
        "demo.refunds_immutable",
        409,
        "Hoàn tiền mẫu đã làm; không làm lại.",
        "The demo refunds are done; they are not redone.",
    ),
    _c("demo.payment", 500, "Thanh toán mô phỏng bị từ chối.", "A simulated payment was refused."),
)


def by_code() -> dict[str, ErrorCode]:
    return {c.code: c for c in CATALOGUE}


def errors_md() -> str:
    """docs/errors.md: the catalogue as a table, and the shape of a 422's details."""
    lines = [
        "# Error codes\n",
        "Every error answer is `{code, message, details}`: `message` in the request's language, "
        "`code` one of the codes below (`hemis.error_codes.CATALOGUE`). A 422 lists its "
        "problems in `details`, each `{field, code, message, message_en}` (`message` in "
        "Vietnamese, `message_en` in English; `row` too when it is about a file's row).\n",
        "| code | status | meaning | ý nghĩa |",
        "|---|---|---|---|",
    ]
    for c in CATALOGUE:
        status = "—" if c.status is None else str(c.status)
        lines.append(f"| `{c.code}` | {status} | {c.en} | {c.vi} |")
    return "\n".join(lines) + "\n"
