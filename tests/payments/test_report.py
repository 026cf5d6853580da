"""The daily reconciliation report's comparison: every kind of difference is listed."""

from __future__ import annotations

from hemis.payments import reconcile

CSV = (
    "txn_ref,transaction_no,amount,pay_date,bank_code,card_type,status\n"
    "1,14000001,30000,20250729080000,NCB,ATM,paid\n"
    "2,14000002,45000,20250729081000,VCB,ATM,paid\n"
    "3,14000003,15000,20250729082000,MOMO,QRCODE,refunded\n"
    "5,14000005,60000,20250729083000,NCB,ATM,paid\n"
)


def test_every_difference_is_listed() -> None:
    settled = reconcile.parse_settlement(CSV)
    ours = {
        "1": (30_000, "paid"),  # agrees
        "2": (40_000, "paid"),  # amount differs
        "3": (15_000, "paid"),  # we did not record the refund
        "4": (15_000, "paid"),  # the gateway does not know it
    }  # and 5: paid at the gateway, missing in our ledger
    diffs = reconcile.compare(ours, settled)
    assert [(d["txn_ref"], d["kind"]) for d in diffs] == [
        ("2", "amount"),
        ("3", "status"),
        ("4", "missing_at_gateway"),
        ("5", "missing_in_ledger"),
    ]


def test_agreeing_books_have_no_difference() -> None:
    settled = reconcile.parse_settlement(CSV)
    ours = {ref: (int(row["amount"]), row["status"]) for ref, row in settled.items()}
    assert reconcile.compare(ours, settled) == []
