"""Builders of payment scenes: candidates with wishes, a closed wish window, the 2025 fee
schedule and issued invoices; signed notifications as the gateway would send them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from hemis.admissions.models import AdmissionYear
from hemis.common.crypto import IdCipher
from hemis.config import DEV_VNPAY_HASH_SECRET
from hemis.db.session import HemisSession, scoped_session
from hemis.db.types import utcnow
from hemis.payments import service
from hemis.payments.gateways import vnpay
from hemis.payments.gateways.client import vn_time
from hemis.payments.models import Invoice
from tests import factories
from tests.admissions import world

WISH_FEE = 15_000  # 2025
SECRET = DEV_VNPAY_HASH_SECRET


@dataclass(frozen=True)
class Billed:
    person_id: int
    invoice_id: int
    amount: int


def build(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, candidates: int, max_wishes: int = 4
) -> list[Billed]:
    """`candidates` candidates, candidate i with 1 + i % max_wishes wishes, invoiced."""
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)
        inst = factories.institution(s, "PAY01")
        offers = [world.offer(s, world.program(s, inst, f"P{k}"), 100) for k in range(max_wishes)]
        people = []
        for i in range(candidates):
            c = world.candidate(s, cipher, 100 + i, exam_site=f"{1 + i % 9:02d}")
            for k in range(1 + i % max_wishes):
                world.wish(s, c, inst.id, offers[k])
            people.append(c.person_id)
        year = s.get(AdmissionYear, world.YEAR)
        assert year is not None
        year.wishes_close_at = utcnow() - dt.timedelta(minutes=1)
        s.commit()
        service.set_fees(s, world.YEAR, WISH_FEE)
        service.issue_invoices(s, world.YEAR)
        s.commit()
        billed = []
        for person in people:
            inv = service.find_invoice(s, world.YEAR, person)
            assert isinstance(inv, Invoice)
            billed.append(Billed(person, inv.id, inv.amount))
        return billed


def ipn_params(
    txn_ref: str,
    amount: int,
    *,
    code: str = "00",
    transaction_no: str = "9000001",
    bank: str = "NCB",
    secret: str = SECRET,
) -> dict[str, str]:
    """A notification as the gateway signs it."""
    return vnpay.signed(
        {
            "vnp_TmnCode": "HEMISDEV",
            "vnp_Amount": vnpay.to_vnp_amount(amount),
            "vnp_BankCode": bank,
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": "Le phi",
            "vnp_PayDate": vn_time(utcnow()),
            "vnp_ResponseCode": code,
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionStatus": code,
            "vnp_TxnRef": txn_ref,
        },
        secret,
    )
