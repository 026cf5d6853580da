"""MoMo's signature (HMAC-SHA256 over a fixed `key=value&...` field order), pure.

A MoMo adapter implementing gateways.base.Gateway plugs in beside VNPay with these functions; its
IPN is answered with HTTP 204 within 15 s (the reply differs, the service layer does not).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

# The order MoMo signs a payment notification's fields in (alphabetical, as MoMo documents it).
IPN_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
)


def raw_signature(params: Mapping[str, str], fields: tuple[str, ...] = IPN_FIELDS) -> str:
    return "&".join(f"{name}={params.get(name, '')}" for name in fields)


def sign(params: Mapping[str, str], secret: str, fields: tuple[str, ...] = IPN_FIELDS) -> str:
    data = raw_signature(params, fields).encode()
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def verify(params: Mapping[str, str], secret: str, fields: tuple[str, ...] = IPN_FIELDS) -> bool:
    given = params.get("signature", "")
    if not given:
        return False
    return hmac.compare_digest(given.encode(), sign(params, secret, fields).encode())


def ipn_reply() -> tuple[int, dict[str, str]]:
    return 204, {}
