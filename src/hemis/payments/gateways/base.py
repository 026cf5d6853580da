"""The interface every gateway implements (VNPay, MoMo, the national public-service platform).

The service layer speaks only this interface: build a pay URL, read a signed notification into a
`GatewayResult`, ask for a transaction's status, refund. Protocol details stay in the adapters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class GatewayUnavailable(Exception):
    """The gateway timed out or answered 5xx: try again later, change nothing."""


@dataclass(frozen=True)
class Checkout:
    txn_ref: str
    amount: int  # đồng
    order_info: str
    return_url: str
    ip_addr: str
    created_at: dt.datetime


@dataclass(frozen=True)
class GatewayResult:
    """What a gateway says about one transaction (from an IPN, a return, or a query)."""

    txn_ref: str
    amount: int | None  # đồng; None when malformed
    paid: bool
    final: bool  # False: the gateway has not settled it yet (or does not know it)
    response_code: str
    transaction_no: str = ""
    bank_code: str = ""
    card_type: str = ""
    pay_date: dt.datetime | None = None
    found: bool = True


@dataclass(frozen=True)
class RefundResult:
    ok: bool
    response_code: str
    transaction_no: str = ""


class Gateway(Protocol):
    name: str

    def checkout_url(self, checkout: Checkout) -> str: ...

    def read_notification(self, params: Mapping[str, str]) -> GatewayResult | None:
        """The notification's content, or None when it is not authentic for us: a bad signature,
        or one addressed to another merchant terminal."""
        ...

    def ipn_reply(self, code: str) -> tuple[int, dict[str, str]]:
        """HTTP status and body answering a notification with one of the protocol's codes."""
        ...

    def query(self, txn_ref: str, created_at: dt.datetime) -> GatewayResult:
        """The gateway's view of a transaction; raises GatewayUnavailable."""
        ...

    def refund(
        self, txn_ref: str, amount: int, transaction_no: str, created_at: dt.datetime, actor: str
    ) -> RefundResult:
        """Refund a paid transaction in full; `created_at` is when the pay request was made
        (VNPay's vnp_TransactionDate: the payment URL's vnp_CreateDate, not the payment time).
        Raises GatewayUnavailable, also for an answer whose signature does not verify."""
        ...

    def settlement(self, day: dt.date) -> str:
        """The gateway's settlement file (CSV) of one day; raises GatewayUnavailable."""
        ...
