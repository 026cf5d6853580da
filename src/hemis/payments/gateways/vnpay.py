"""The VNPay 2.1.0 protocol, pure: canonical query strings, HMAC-SHA512 signatures, the pay URL,
IPN answers and the querydr/refund request signatures. No I/O here.

The canonical string is every non-empty `vnp_*` parameter except the hash itself, sorted by name,
each `name=value` URL-encoded with `quote_plus` (as VNPay's reference code does), joined by `&`.
Signatures are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote_plus

VERSION = "2.1.0"
HASH_FIELD = "vnp_SecureHash"
HASH_TYPE_FIELD = "vnp_SecureHashType"
DATE_FORMAT = "%Y%m%d%H%M%S"  # VNPay times are GMT+7 wall-clock in this format


class RspCode(StrEnum):
    """Our answer to an IPN, as the protocol defines it."""

    ok = "00"
    order_not_found = "01"
    already_confirmed = "02"
    wrong_amount = "04"
    bad_checksum = "97"
    other = "99"


RSP_MESSAGES: dict[RspCode, str] = {
    RspCode.ok: "Confirm Success",
    RspCode.order_not_found: "Order not found",
    RspCode.already_confirmed: "Order already confirmed",
    RspCode.wrong_amount: "Invalid amount",
    RspCode.bad_checksum: "Invalid signature",
    RspCode.other: "Unknown error",
}


class ResponseCode(StrEnum):
    """The gateway's outcome of a transaction (`vnp_ResponseCode`), the ones we act on."""

    success = "00"
    suspicious = "07"  # debited, but flagged: counts as paid, listed as an anomaly
    timed_out = "11"
    cancelled = "24"


PAID_CODES = frozenset({ResponseCode.success.value, ResponseCode.suspicious.value})


def canonical(params: Mapping[str, str]) -> str:
    """The signed string: sorted, URL-encoded `vnp_*` parameters, hash fields excluded."""
    items = sorted(
        (k, v)
        for k, v in params.items()
        if k.startswith("vnp_") and k not in (HASH_FIELD, HASH_TYPE_FIELD) and v != ""
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in items)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac_sha512(secret, canonical(params))


def verify(params: Mapping[str, str], secret: str) -> bool:
    """True when `vnp_SecureHash` is the signature of the other parameters (constant time)."""
    given = params.get(HASH_FIELD, "")
    if not given:
        return False
    expected = sign(params, secret)
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def signed(params: Mapping[str, str], secret: str) -> dict[str, str]:
    """The parameters with their `vnp_SecureHash` added."""
    out = {k: str(v) for k, v in params.items() if k not in (HASH_FIELD, HASH_TYPE_FIELD)}
    out[HASH_FIELD] = sign(out, secret)
    return out


def query_string(params: Mapping[str, str], secret: str) -> str:
    """A signed query string (canonical order, hash last)."""
    return f"{canonical(params)}&{HASH_FIELD}={sign(params, secret)}"


def to_vnp_amount(dong: int) -> str:
    """VNPay amounts are đồng × 100 (no decimal point)."""
    if dong < 0:
        raise ValueError("amount must not be negative")
    return str(dong * 100)


def from_vnp_amount(value: str) -> int | None:
    """Đồng from a `vnp_Amount`, or None when it is not a whole number of đồng."""
    if not value.isdigit():
        return None
    raw = int(value)
    return raw // 100 if raw % 100 == 0 else None


@dataclass(frozen=True)
class PayRequest:
    tmn_code: str
    txn_ref: str
    amount: int  # đồng
    order_info: str
    return_url: str
    ip_addr: str
    create_date: str  # yyyyMMddHHmmss, GMT+7
    expire_date: str
    locale: str = "vn"
    order_type: str = "other"
    bank_code: str = ""


def pay_params(req: PayRequest) -> dict[str, str]:
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": req.tmn_code,
        "vnp_Amount": to_vnp_amount(req.amount),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": req.txn_ref,
        "vnp_OrderInfo": req.order_info,
        "vnp_OrderType": req.order_type,
        "vnp_Locale": req.locale,
        "vnp_ReturnUrl": req.return_url,
        "vnp_IpAddr": req.ip_addr,
        "vnp_CreateDate": req.create_date,
        "vnp_ExpireDate": req.expire_date,
    }
    if req.bank_code:
        params["vnp_BankCode"] = req.bank_code
    return params


def pay_url(base_url: str, req: PayRequest, secret: str) -> str:
    return f"{base_url}?{query_string(pay_params(req), secret)}"


def ipn_answer(code: RspCode) -> dict[str, str]:
    return {"RspCode": code.value, "Message": RSP_MESSAGES[code]}


# --- merchant API (querydr, refund): JSON bodies signed over a pipe-joined field list ----------

QUERY_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)


# The refund answer is signed like querydr's without the promotion fields (VNPay merchant API
# 2.1.0 documentation as published for the sandbox; not checked against a live terminal here).
REFUND_RESPONSE_FIELDS = QUERY_RESPONSE_FIELDS[:-2]


def response_fields(command: str) -> tuple[str, ...]:
    """The fields an answer to `command` is signed over."""
    return QUERY_RESPONSE_FIELDS if command == "querydr" else REFUND_RESPONSE_FIELDS


def pipe_data(body: Mapping[str, str], fields: tuple[str, ...]) -> str:
    return "|".join(str(body.get(name, "")) for name in fields)


def sign_pipe(body: Mapping[str, str], fields: tuple[str, ...], secret: str) -> str:
    return hmac_sha512(secret, pipe_data(body, fields))


def verify_pipe(body: Mapping[str, str], fields: tuple[str, ...], secret: str) -> bool:
    given = str(body.get(HASH_FIELD, ""))
    if not given:
        return False
    expected = sign_pipe(body, fields, secret)
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def command_fields(command: str) -> tuple[str, ...]:
    return QUERY_FIELDS if command == "querydr" else REFUND_FIELDS
