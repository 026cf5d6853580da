"""Pure payment rules: the intent state machine, invoice amounts, province groups and the
idempotency contract. No Session, no HTTP."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any


class IntentStatus(StrEnum):
    created = "created"  # intent made, candidate not yet sent to the gateway
    pending = "pending"  # sent to the gateway; the gateway may still settle it
    paid = "paid"
    failed = "failed"
    expired = "expired"  # the gateway never settled it and says it does not know it
    refunded = "refunded"


class InvoiceStatus(StrEnum):
    open = "open"
    paid = "paid"


class IpnOutcome(StrEnum):
    """Our IPN verdicts (the protocol's RspCode is derived from them by the adapter)."""

    ok = "00"
    order_not_found = "01"
    already_confirmed = "02"
    wrong_amount = "04"
    bad_checksum = "97"
    other = "99"


INTENT_LABELS: dict[str, tuple[str, str]] = {
    "created": ("Mới tạo", "Created"),
    "pending": ("Đang chờ xác nhận", "Pending"),
    "paid": ("Đã thanh toán", "Paid"),
    "failed": ("Không thành công", "Failed"),
    "expired": ("Hết hạn", "Expired"),
    "refunded": ("Đã hoàn tiền", "Refunded"),
}

FINAL = frozenset({IntentStatus.paid, IntentStatus.failed, IntentStatus.refunded})
OPEN = frozenset({IntentStatus.created, IntentStatus.pending})

# Allowed transitions. expired → paid: the gateway settled late and the money is real, so it is
# recorded (and refunded if the invoice was paid another way); a failed or paid intent never moves
# back. paid → refunded only through a refund.
TRANSITIONS: dict[IntentStatus, frozenset[IntentStatus]] = {
    IntentStatus.created: frozenset(
        {IntentStatus.pending, IntentStatus.paid, IntentStatus.failed, IntentStatus.expired}
    ),
    IntentStatus.pending: frozenset({IntentStatus.paid, IntentStatus.failed, IntentStatus.expired}),
    IntentStatus.expired: frozenset({IntentStatus.paid}),
    IntentStatus.paid: frozenset({IntentStatus.refunded}),
    IntentStatus.failed: frozenset(),
    IntentStatus.refunded: frozenset(),
}


def can_move(current: IntentStatus, target: IntentStatus) -> bool:
    return target in TRANSITIONS[current]


def settle_outcome(
    status: IntentStatus, expected_amount: int, amount: int | None, paid: bool
) -> tuple[IpnOutcome, IntentStatus | None]:
    """The verdict on a gateway's (signature-checked) notification for a known intent, and the
    status to move to (None: change nothing). Amount before state, as VNPay's reference does."""
    if amount is None or amount != expected_amount:
        return IpnOutcome.wrong_amount, None
    target = IntentStatus.paid if paid else IntentStatus.failed
    if not can_move(status, target):
        return IpnOutcome.already_confirmed, None
    return IpnOutcome.ok, target


def invoice_amount(wish_count: int, wish_fee: int, exam_fee: int, registered: bool) -> int:
    """An admission invoice in đồng: every wish at the year's fee, plus the exam fee if one applies
    to this candidate."""
    if wish_count < 0 or wish_fee < 0 or exam_fee < 0:
        raise ValueError("counts and fees must not be negative")
    return wish_count * wish_fee + (exam_fee if registered else 0)


PROVINCE_GROUPS = 7


def province_group(province_code: str) -> int:
    """The payment group (1..7) of a province code when the year configures no explicit list:
    provinces dealt round-robin by code, so groups are of even size."""
    digits = "".join(ch for ch in province_code if ch.isdigit())
    if not digits:
        return 1
    return (int(digits) - 1) % PROVINCE_GROUPS + 1


def body_hash(body: Any) -> str:
    """A request body's digest for the idempotency contract (key order does not matter)."""
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def payload_digest(gateway: str, params: dict[str, str]) -> str:
    """A notification's identity: the same payload delivered twice has the same digest."""
    data = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{gateway}\n{data}".encode()).hexdigest()
