"""The reconciler as a scheduled huey job (SqliteHuey: no broker, one file under var_dir).

Run the consumer with `huey_consumer hemis.payments.jobs.huey`; `hemis payments reconcile` runs
the same function once. tests/payments/test_http.py runs a real consumer on an enqueued task.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huey import SqliteHuey, crontab

from hemis.config import Settings, get_settings
from hemis.db.session import make_engine, make_session_factory
from hemis.payments import reconcile, service


def reconcile_once(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    engine = make_engine(settings.database_url)
    try:
        summary = reconcile.settle_stuck(
            make_session_factory(engine),
            service.gateway_from_settings(settings),
            dt.timedelta(minutes=settings.payment_pending_minutes),
            now,
        )
        return summary.as_dict()
    finally:
        engine.dispose()


def _huey() -> SqliteHuey:
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("hemis-payments", filename=str(settings.var_dir / "jobs-payments.db"))


huey = _huey()


@huey.periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def reconcile_payments() -> dict[str, Any]:
    return reconcile_once(get_settings())
