"""Each IPN verdict is counted in hemis_payment_ipn_total under its outcome (docs/operations.md
alerts on `other` and on bad checksums)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.config import Settings
from hemis.db.session import HemisSession, make_engine
from hemis.payments import ipn
from hemis.payments.gateways.client import VnpayGateway
from tests.payments import scene
from tests.payments.test_ipn import start

OUTCOMES = ("ok", "already_confirmed", "wrong_amount", "bad_checksum", "order_not_found", "other")


def _counts(gateway: str) -> dict[str, float]:
    return {
        outcome: REGISTRY.get_sample_value(
            "hemis_payment_ipn_total", {"gateway": gateway, "outcome": outcome}
        )
        or 0.0
        for outcome in OUTCOMES
    }


def test_each_outcome_is_counted(
    engine: Engine,
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    offline_gateway: VnpayGateway,
    billed: list[scene.Billed],
    tmp_path: Path,
) -> None:
    gw = offline_gateway
    intent = start(sessions, settings, gw, billed[0].invoice_id)
    good = scene.ipn_params(intent.txn_ref, intent.amount)
    before = _counts(gw.name)

    ipn.handle(engine, gw, dict(good, vnp_Amount=str(int(good["vnp_Amount"]) + 100)))
    ipn.handle(engine, gw, scene.ipn_params(intent.txn_ref, intent.amount - 1))
    ipn.handle(engine, gw, scene.ipn_params("999999999", 15_000))
    ipn.handle(engine, gw, good)
    ipn.handle(engine, gw, good)
    unopenable = make_engine(f"sqlite:///{tmp_path}")  # a directory: the database fails → 99
    ipn.handle(unopenable, gw, good)
    unopenable.dispose()

    after = _counts(gw.name)
    assert {k: after[k] - before[k] for k in OUTCOMES} == {
        "ok": 1,
        "already_confirmed": 1,
        "wrong_amount": 1,
        "bad_checksum": 1,
        "order_not_found": 1,
        "other": 1,
    }
