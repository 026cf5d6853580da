"""The sandbox gateway's state: transactions, the IPN delivery queue, faults, settlement files.

In memory behind one lock (the sandbox is a test double; the merchant's app is what must survive
crashes). IPN delivery runs on a thread: each notification is retried until the merchant answers
definitively (00, 01, 02, 04, 97) or the attempts run out; per the fault profile a notification is
delivered several times, batches are shuffled, delivery is delayed or dropped, and querydr answers
5xx or times out.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from hemis.common.spreadsheet import csv_text
from hemis.payments.gateways import vnpay
from hemis.payments.gateways.client import VN_TZ

DEFINITIVE = {"00", "01", "02", "04", "97"}


@dataclass
class Faults:
    duplicates: int = 0  # extra deliveries of every IPN
    reorder: bool = False  # shuffle IPNs waiting in the queue
    delay: float = 0.0  # seconds before an IPN's first delivery
    drop: float = 0.0  # probability that an IPN is never sent (the reconciler must settle)
    query_5xx: float = 0.0  # probability that querydr answers 503
    query_timeout: float = 0.0  # probability that querydr hangs past the client's timeout
    return_lies: bool = False  # the return redirect says "failed" even when the card was debited
    retry_interval: float = 0.5
    max_attempts: int = 200
    hang_seconds: float = 15.0

    @classmethod
    def profile(cls, name: str) -> Faults:
        presets: dict[str, dict[str, Any]] = {
            "none": {},
            "flaky": {"duplicates": 2, "reorder": True, "delay": 0.2, "query_5xx": 0.3},
            "lossy": {"drop": 1.0},
            "hostile": {
                "duplicates": 3,
                "reorder": True,
                "delay": 0.3,
                "drop": 0.3,
                "query_5xx": 0.3,
                "query_timeout": 0.1,
                "return_lies": True,
            },
        }
        if name not in presets:
            raise ValueError(f"unknown fault profile {name!r}; one of {', '.join(presets)}")
        return cls(**presets[name])


@dataclass
class Txn:
    txn_ref: str
    amount: int  # đồng
    order_info: str
    return_url: str
    create_date: str
    status: str = "pending"  # pending, paid, failed, refunded
    response_code: str = ""
    transaction_no: str = ""
    bank_code: str = ""
    card_type: str = ""
    pay_date: str = ""


@dataclass
class Delivery:
    params: dict[str, str]
    due: float
    attempts: int = 0


@dataclass
class Sandbox:
    tmn_code: str
    secret: str
    ipn_url: str
    faults: Faults = field(default_factory=Faults)
    seed: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.rng = random.Random(self.seed)
        self.txns: dict[str, Txn] = {}
        self.queue: list[Delivery] = []
        self.log: list[dict[str, Any]] = []
        self.in_flight = 0
        self.next_no = 14_000_000
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._deliver_forever, daemon=True)

    # --- payments ---------------------------------------------------------------------------

    def register(self, params: dict[str, str]) -> Txn:
        ref = params["vnp_TxnRef"]
        amount = vnpay.from_vnp_amount(params.get("vnp_Amount", ""))
        if amount is None or amount <= 0:
            raise ValueError("bad amount")
        with self.lock:
            txn = self.txns.get(ref)
            if txn is None:
                txn = Txn(
                    ref,
                    amount,
                    params.get("vnp_OrderInfo", ""),
                    params.get("vnp_ReturnUrl", ""),
                    params.get("vnp_CreateDate", ""),
                )
                self.txns[ref] = txn
            elif txn.amount != amount:
                raise ValueError("txn_ref reused with another amount")
            return txn

    def complete(self, ref: str, pay: bool, bank_code: str = "NCB") -> dict[str, str]:
        """The candidate paid (or cancelled): settle, queue the IPN, return the signed result."""
        with self.lock:
            txn = self.txns[ref]
            if txn.status == "pending":
                self.next_no += 1
                txn.transaction_no = str(self.next_no)
                txn.bank_code = bank_code[:20] or "NCB"
                txn.card_type = "QRCODE" if bank_code in ("VNPAYQR", "MOMO") else "ATM"
                txn.pay_date = dt.datetime.now(VN_TZ).strftime(vnpay.DATE_FORMAT)
                txn.status = "paid" if pay else "failed"
                txn.response_code = "00" if pay else "24"
                params = self._result_params(txn)
                self._enqueue(params)
            else:
                params = self._result_params(txn)
        return params

    def _result_params(self, txn: Txn) -> dict[str, str]:
        code = "00" if txn.status in ("paid", "refunded") else txn.response_code or "24"
        params = {
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": vnpay.to_vnp_amount(txn.amount),
            "vnp_BankCode": txn.bank_code,
            "vnp_CardType": txn.card_type,
            "vnp_OrderInfo": txn.order_info,
            "vnp_PayDate": txn.pay_date,
            "vnp_ResponseCode": code,
            "vnp_TransactionNo": txn.transaction_no,
            "vnp_TransactionStatus": code,
            "vnp_TxnRef": txn.txn_ref,
        }
        return vnpay.signed(params, self.secret)

    def return_params(self, params: dict[str, str]) -> dict[str, str]:
        if self.faults.return_lies:
            lied = dict(params, vnp_ResponseCode="99", vnp_TransactionStatus="02")
            return vnpay.signed(lied, self.secret)
        return params

    # --- IPN delivery -----------------------------------------------------------------------

    def _enqueue(self, params: dict[str, str]) -> None:
        """Caller holds the lock."""
        if self.faults.drop and self.rng.random() < self.faults.drop:
            self.log.append({"txn_ref": params["vnp_TxnRef"], "event": "dropped"})
            return
        due = time.monotonic() + self.faults.delay
        for _ in range(1 + self.faults.duplicates):
            self.queue.append(Delivery(dict(params), due))

    def redeliver(self, times: int = 1, shuffle: bool = True) -> int:
        """Queue every settled transaction's IPN again (a late replay)."""
        with self.lock:
            items = [
                self._result_params(t) for t in self.txns.values() if t.status in ("paid", "failed")
            ]
            batch = [Delivery(dict(p), time.monotonic()) for p in items for _ in range(times)]
            if shuffle:
                self.rng.shuffle(batch)
            self.queue.extend(batch)
            return len(batch)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _take_due(self) -> list[Delivery]:
        now = time.monotonic()
        with self.lock:
            due = [d for d in self.queue if d.due <= now]
            self.queue = [d for d in self.queue if d.due > now]
            if self.faults.reorder:
                self.rng.shuffle(due)
            self.in_flight = len(due)
            return due

    def _deliver_forever(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while not self._stop.is_set():
                batch = self._take_due()
                for delivery in batch:
                    self._deliver(client, delivery)
                with self.lock:
                    self.in_flight = 0
                if not batch:
                    time.sleep(0.02)

    def _deliver(self, client: httpx.Client, delivery: Delivery) -> None:
        delivery.attempts += 1
        ref = delivery.params["vnp_TxnRef"]
        try:
            response = client.get(self.ipn_url, params=delivery.params)
            code = str(response.json().get("RspCode", "")) if response.status_code == 200 else ""
        except (httpx.HTTPError, ValueError, AttributeError):
            code = ""
        with self.lock:
            self.log.append(
                {"txn_ref": ref, "event": "ipn", "attempt": delivery.attempts, "rsp": code}
            )
            if code not in DEFINITIVE and delivery.attempts < self.faults.max_attempts:
                delivery.due = time.monotonic() + self.faults.retry_interval
                self.queue.append(delivery)

    def pending_deliveries(self) -> int:
        with self.lock:
            return len(self.queue) + self.in_flight

    # --- merchant API -----------------------------------------------------------------------

    def query_fault(self) -> str | None:
        with self.lock:
            roll = self.rng.random()
            if roll < self.faults.query_5xx:
                return "5xx"
            if roll < self.faults.query_5xx + self.faults.query_timeout:
                return "timeout"
        return None

    def query(self, ref: str) -> dict[str, str]:
        with self.lock:
            txn = self.txns.get(ref)
            if txn is None:
                body = {"vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
            else:
                status = {"pending": "01", "paid": "00", "refunded": "00"}.get(
                    txn.status, txn.response_code or "02"
                )
                body = {
                    "vnp_ResponseCode": "00",
                    "vnp_Message": "QueryDR Success",
                    "vnp_TxnRef": ref,
                    "vnp_Amount": vnpay.to_vnp_amount(txn.amount),
                    "vnp_BankCode": txn.bank_code,
                    "vnp_PayDate": txn.pay_date,
                    "vnp_TransactionNo": txn.transaction_no,
                    "vnp_TransactionType": "01",
                    "vnp_TransactionStatus": status,
                    "vnp_OrderInfo": txn.order_info,
                    "vnp_CardType": txn.card_type,
                }
        return self._sign_response(body, "querydr")

    def refund(self, ref: str, amount: int | None, transaction_date: str = "") -> dict[str, str]:
        """A full refund. The transaction is found by its reference and the pay request's
        create date (vnp_TransactionDate), as VNPay does: another date finds nothing."""
        with self.lock:
            txn = self.txns.get(ref)
            if txn is None or transaction_date != txn.create_date:
                body = {"vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
            elif txn.status == "refunded":
                body = {"vnp_ResponseCode": "94", "vnp_Message": "Already refunded"}
            elif txn.status != "paid" or amount != txn.amount:
                body = {"vnp_ResponseCode": "02", "vnp_Message": "Not refundable"}
            else:
                txn.status = "refunded"
                self.next_no += 1
                body = {
                    "vnp_ResponseCode": "00",
                    "vnp_Message": "Refund success",
                    "vnp_TxnRef": ref,
                    "vnp_TransactionNo": str(self.next_no),
                }
        return self._sign_response(body, "refund")

    def _sign_response(self, body: dict[str, str], command: str) -> dict[str, str]:
        body = {
            "vnp_ResponseId": f"{time.time_ns()}",
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            **body,
        }
        body[vnpay.HASH_FIELD] = vnpay.sign_pipe(body, vnpay.response_fields(command), self.secret)
        return body

    # --- settlement and inspection ----------------------------------------------------------

    def settlement_csv(self, day: str) -> str:
        header = ["txn_ref", "transaction_no", "amount", "pay_date", "bank_code", "card_type"]
        with self.lock:
            rows = [
                [
                    txn.txn_ref,
                    txn.transaction_no,
                    txn.amount,
                    txn.pay_date,
                    txn.bank_code,
                    txn.card_type,
                    txn.status,
                ]
                for txn in self.txns.values()
                if txn.status in ("paid", "refunded") and txn.pay_date.startswith(day)
            ]
        return csv_text([*header, "status"], rows)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "transactions": [asdict(t) for t in self.txns.values()],
                "log": list(self.log),
                "queued": len(self.queue) + self.in_flight,
                "faults": asdict(self.faults),
            }

    def configure(self, values: dict[str, Any]) -> None:
        with self.lock:
            for name, value in values.items():
                if not hasattr(self.faults, name):
                    raise ValueError(f"unknown fault {name!r}")
                setattr(self.faults, name, type(getattr(self.faults, name))(value))
