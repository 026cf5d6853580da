"""The VNPay adapter: the pure protocol (vnpay.py) plus HTTP for querydr, refund and the
settlement file. Timeouts, connection errors and 5xx become GatewayUnavailable."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from hemis.payments.gateways import vnpay
from hemis.payments.gateways.base import Checkout, GatewayResult, GatewayUnavailable, RefundResult

VN_TZ = dt.timezone(dt.timedelta(hours=7))
PAY_PATH = "/paymentv2/vpcpay.html"
API_PATH = "/merchant_webapi/api/transaction"
SETTLEMENT_PATH = "/sandbox/settlement"  # VNPay delivers it by SFTP; the sandbox serves it


def vn_time(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime(vnpay.DATE_FORMAT)


def parse_vn_time(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, vnpay.DATE_FORMAT).replace(tzinfo=VN_TZ)
    except ValueError:
        return None


def result_of(params: Mapping[str, str]) -> GatewayResult:
    """A transaction's outcome from IPN/return/querydr fields (signature already checked)."""
    code = params.get("vnp_ResponseCode", "")
    status = params.get("vnp_TransactionStatus", code)
    paid = code in vnpay.PAID_CODES and status in vnpay.PAID_CODES
    return GatewayResult(
        txn_ref=params.get("vnp_TxnRef", ""),
        amount=vnpay.from_vnp_amount(params.get("vnp_Amount", "")),
        paid=paid,
        final=True,
        response_code=code if code != "00" else status,
        transaction_no=params.get("vnp_TransactionNo", ""),
        bank_code=params.get("vnp_BankCode", ""),
        card_type=params.get("vnp_CardType", ""),
        pay_date=parse_vn_time(params.get("vnp_PayDate", "")),
    )


class VnpayGateway:
    name = "vnpay"

    def __init__(
        self, base_url: str, tmn_code: str, secret: str, timeout: float = 10.0, ip_addr: str = ""
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tmn_code = tmn_code
        self._secret = secret
        self.timeout = timeout
        self.ip_addr = ip_addr or "127.0.0.1"

    def checkout_url(self, checkout: Checkout) -> str:
        req = vnpay.PayRequest(
            tmn_code=self.tmn_code,
            txn_ref=checkout.txn_ref,
            amount=checkout.amount,
            order_info=checkout.order_info,
            return_url=checkout.return_url,
            ip_addr=checkout.ip_addr,
            create_date=vn_time(checkout.created_at),
            expire_date=vn_time(checkout.created_at + dt.timedelta(minutes=15)),
        )
        return vnpay.pay_url(self.base_url + PAY_PATH, req, self._secret)

    def read_notification(self, params: Mapping[str, str]) -> GatewayResult | None:
        if not vnpay.verify(params, self._secret):
            return None
        # Signed, but for another of the merchant's terminals (they may share a secret): not a
        # payment to us, whatever its order reference says.
        if params.get("vnp_TmnCode") != self.tmn_code:
            return None
        return result_of(params)

    def ipn_reply(self, code: str) -> tuple[int, dict[str, str]]:
        return 200, vnpay.ipn_answer(vnpay.RspCode(code))

    def _call(self, command: str, fields: dict[str, str]) -> dict[str, Any]:
        body = {
            "vnp_RequestId": uuid.uuid4().hex[:32],
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            "vnp_CreateDate": vn_time(dt.datetime.now(dt.UTC)),
            "vnp_IpAddr": self.ip_addr,
            **fields,
        }
        body[vnpay.HASH_FIELD] = vnpay.sign_pipe(body, vnpay.command_fields(command), self._secret)
        try:
            response = httpx.post(self.base_url + API_PATH, json=body, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise GatewayUnavailable(f"{command}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise GatewayUnavailable(f"{command}: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise GatewayUnavailable(f"{command}: not JSON") from exc
        if not isinstance(data, dict):
            raise GatewayUnavailable(f"{command}: unexpected answer")
        return {str(k): str(v) for k, v in data.items()}

    def query(self, txn_ref: str, created_at: dt.datetime) -> GatewayResult:
        data = self._call(
            "querydr",
            {
                "vnp_TxnRef": txn_ref,
                "vnp_TransactionDate": vn_time(created_at),
                "vnp_OrderInfo": f"querydr {txn_ref}",
            },
        )
        if not vnpay.verify_pipe(data, vnpay.QUERY_RESPONSE_FIELDS, self._secret):
            raise GatewayUnavailable("querydr: bad signature on the answer")
        if data.get("vnp_TmnCode") != self.tmn_code:
            raise GatewayUnavailable("querydr: the answer is about another terminal")
        code = data.get("vnp_ResponseCode", "")
        if code == "91":  # transaction not found
            return GatewayResult(txn_ref, None, False, True, code, found=False)
        if code != "00":
            raise GatewayUnavailable(f"querydr: response code {code}")
        status = data.get("vnp_TransactionStatus", "")
        if status == "01":  # not yet completed
            return GatewayResult(txn_ref, None, False, False, status)
        fields = dict(data)
        fields["vnp_ResponseCode"] = status
        return result_of(fields)

    def refund(
        self, txn_ref: str, amount: int, transaction_no: str, created_at: dt.datetime, actor: str
    ) -> RefundResult:
        data = self._call(
            "refund",
            {
                "vnp_TransactionType": "02",  # full refund
                "vnp_TxnRef": txn_ref,
                "vnp_Amount": vnpay.to_vnp_amount(amount),
                "vnp_TransactionNo": transaction_no,
                # the pay request's vnp_CreateDate: VNPay finds the transaction by it
                "vnp_TransactionDate": vn_time(created_at),
                "vnp_CreateBy": actor[:250],
                "vnp_OrderInfo": f"refund {txn_ref}",
            },
        )
        # an answer is trusted only when signed, as querydr's (a forged "00" refunds nothing)
        if not vnpay.verify_pipe(data, vnpay.REFUND_RESPONSE_FIELDS, self._secret):
            raise GatewayUnavailable("refund: bad signature on the answer")
        if data.get("vnp_TmnCode") != self.tmn_code:
            raise GatewayUnavailable("refund: the answer is about another terminal")
        code = data.get("vnp_ResponseCode", "")
        return RefundResult(code == "00", code, data.get("vnp_TransactionNo", ""))

    def settlement(self, day: dt.date) -> str:
        try:
            response = httpx.get(
                self.base_url + SETTLEMENT_PATH,
                params={"date": day.strftime("%Y%m%d"), "tmn_code": self.tmn_code},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise GatewayUnavailable(f"settlement: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise GatewayUnavailable(f"settlement: HTTP {response.status_code}")
        return response.text
