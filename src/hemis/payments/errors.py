"""Payment errors: stable codes, Vietnamese and English messages."""

from __future__ import annotations

from hemis.errors import Conflict, HemisError


class AlreadyPaid(Conflict):
    code = "invoice_already_paid"

    def __init__(self) -> None:
        super().__init__("Hóa đơn này đã được thanh toán.", "This invoice is already paid.")


class WindowClosed(HemisError):
    code = "payment_window_closed"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            "Ngoài thời gian nộp lệ phí của nhóm tỉnh của bạn.",
            "Outside the fee payment window of your province group.",
        )


class IdempotencyMismatch(Conflict):
    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__(
            "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.",
            "This Idempotency-Key was already used with a different request.",
        )


class GatewayDown(HemisError):
    code = "gateway_unavailable"
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "Cổng thanh toán tạm thời không phản hồi. Vui lòng thử lại sau.",
            "The payment gateway is not answering. Please try again later.",
        )


class NotRefundable(Conflict):
    code = "not_refundable"

    def __init__(self, status: str) -> None:
        super().__init__(
            "Chỉ hoàn tiền được giao dịch đã thanh toán.",
            "Only a paid transaction can be refunded.",
            details={"status": status},
        )


class RefundRefused(HemisError):
    code = "refund_refused"
    status = 502

    def __init__(self, response_code: str) -> None:
        super().__init__(
            "Cổng thanh toán từ chối hoàn tiền.",
            "The payment gateway refused the refund.",
            details={"response_code": response_code},
        )
