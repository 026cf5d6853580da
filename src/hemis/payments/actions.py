"""Payments as action jobs: reconciliation (every stuck payment asked at the gateway, double
charges refunded) and a year's invoices, started from the ministry's fees page. One of each at a
time: reconciliations share one lock, invoicing one per year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hemis.actions.kinds import ActionContext, ActionKind, Params, register
from hemis.errors import ValidationFailed
from hemis.payments import reconcile, service

BACK = "/payments/ministry"
PAYMENT_KINDS = ("payments.reconcile", "payments.invoices")


def year_of(params: Params) -> int:
    value = params.get("year")
    if not isinstance(value, int) or isinstance(value, bool) or not 2000 <= value <= 2100:
        raise ValidationFailed(
            "Thiếu năm tuyển sinh.",
            "The admission year is missing.",
            details=[{"field": "year", "code": "action.year"}],
        )
    return value


def _reconcile(ctx: ActionContext, _params: Params) -> dict[str, Any]:
    summary = reconcile.settle_stuck(
        ctx.sessions,
        service.gateway_from_settings(ctx.settings),
        dt.timedelta(minutes=ctx.settings.payment_pending_minutes),
        progress=ctx.progress,
    )
    return summary.as_dict()


def _invoices(ctx: ActionContext, params: Params) -> dict[str, Any]:
    year = year_of(params)
    ctx.progress("counting", 0, 1)
    with ctx.session() as session:
        summary = service.issue_invoices(session, year)
        session.commit()
    return {"year": year, "issued": summary.issued, "existing": summary.existing}


def _back(_params: Params) -> str:
    return BACK


def _describe_year(params: Params, _lang: str) -> str:
    return str(params.get("year", ""))


register(
    ActionKind(
        "payments.reconcile",
        "Đối soát thanh toán",
        "Payment reconciliation",
        _reconcile,
        lambda _params: "payments.reconcile",
        _back,
        unit_vi="giao dịch",
        unit_en="payments",
    )
)
register(
    ActionKind(
        "payments.invoices",
        "Lập hóa đơn lệ phí",
        "Invoicing",
        _invoices,
        lambda params: f"payments.invoices:{year_of(params)}",
        _back,
        describe=_describe_year,
    )
)
