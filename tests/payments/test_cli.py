"""`hemis payments …` and `hemis gateway sandbox` argument handling (in-process, same Typer app;
the sandbox itself runs as a real process in test_contract.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from hemis.cli import payments as cli
from hemis.cli.app import app
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.payments.models import FeeSchedule, PaymentWindow
from tests.conftest import TestDB
from tests.payments import scene

runner = CliRunner()


@pytest.fixture(autouse=True)
def configured(db: TestDB, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "settings", lambda: db.settings(payment_pending_minutes=1))


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_fees_windows_invoices_and_reconcile(
    sessions: sessionmaker[HemisSession], cipher: IdCipher
) -> None:
    billed = scene.build(sessions, cipher, 3)
    code, out = invoke("payments", "fees", "--year", "2025", "--wish-fee", "-1")
    assert code == 2, out
    code, out = invoke("payments", "fees", "--year", "2025", "--wish-fee", "15000")
    assert code == 0, out
    window = ("payments", "window", "--year", "2025", "--group", "1")
    code, out = invoke(*window, "--opens", "2025-07-29T00:00", "--closes", "2025-07-28T00:00")
    assert code == 2
    assert "close after" in out
    code, out = invoke(
        *window, "--opens", "2025-07-28T17:00+00:00", "--closes", "2025-08-05T10:00+00:00",
        "--provinces", "01,79",
    )  # fmt: skip
    assert code == 0, out
    code, out = invoke("payments", "invoices", "--year", "2025")
    assert code == 0, out
    assert f"issued 0, already there {len(billed)}" in out  # re-running adds nothing
    code, out = invoke("payments", "reconcile")
    assert code == 0, out
    assert json.loads(out)["checked"] == 0
    with scoped_session(sessions, Scope.system("test")) as s:
        assert s.get(FeeSchedule, 2025).wish_fee == 15_000  # type: ignore[union-attr]
        row = s.scalars(select(PaymentWindow)).one()
        assert row.provinces == ["01", "79"]


def test_unknown_fault_profile_is_refused() -> None:
    code, out = invoke("gateway", "sandbox", "--fault-profile", "nope", "--port", "1")
    assert code == 2
    assert "unknown fault profile" in out
