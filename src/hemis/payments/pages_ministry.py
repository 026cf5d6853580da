"""The ministry's fees page: totals by province group, day and channel, anomalies; the year's
fee schedule and payment windows (forms validated on the server, each problem next to its
field); and the long actions — issuing the year's invoices and reconciling payments with the
gateway — started as background jobs with a progress page. Analysts see it and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import Field, ValidationError
from starlette.responses import Response

from hemis.actions import service as action_service
from hemis.actions.pages import helpers as action_helpers
from hemis.actions.rules import ACTIVE
from hemis.actions.service import ActionRunning
from hemis.actions.worker import ensure_worker
from hemis.admissions.queries import current_year
from hemis.db.types import utcnow
from hemis.errors import Forbidden, HemisError, NotFound
from hemis.payments import queries, service_admin
from hemis.payments.actions import PAYMENT_KINDS
from hemis.payments.pages import _show
from hemis.registry.schemas import Money, ProvinceCode, Schema
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import Context, PageDB, PagePrincipal, get_lang
from hemis.web.forms import (
    FormErrors,
    PageForm,
    from_hemis,
    from_validation,
    local_input,
    parse_local,
    problem,
    texts_of,
)

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303

LABELS: dict[str, tuple[str, str]] = {
    "wish_fee": ("Lệ phí mỗi nguyện vọng (đồng)", "Fee per wish (đồng)"),
    "exam_fee": ("Lệ phí dự thi (đồng)", "Exam fee (đồng)"),
    "province_group": ("Nhóm tỉnh", "Province group"),
    "opens_at": ("Mở thanh toán", "Payment opens"),
    "closes_at": ("Đóng thanh toán", "Payment closes"),
    "provinces": ("Mã các tỉnh trong nhóm", "Province codes of the group"),
}
FEE_FIELDS = ("wish_fee", "exam_fee")
WINDOW_FIELDS = ("province_group", "opens_at", "closes_at", "provinces")


class FeeForm(Schema):
    wish_fee: Money
    exam_fee: Money = 0


class WindowForm(Schema):
    province_group: Annotated[int, Field(ge=1, le=99)]
    opens_at: dt.datetime
    closes_at: dt.datetime
    provinces: list[ProvinceCode] = Field(default_factory=list, max_length=100)


def _year(session: PageDB) -> int:
    year = current_year(session)
    if year is None:
        raise NotFound("admission_year")
    return year


def _page(
    request: Request,
    db: PageDB,
    ctx: Context,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    db.rollback()  # nothing a refused form changed may show as saved
    year = current_year(db)
    now = utcnow()
    stuck_after = dt.timedelta(minutes=ctx.settings.payment_pending_minutes)
    fees = service_admin.fees_of(db, year) if year else None
    shown = {
        "wish_fee": str(fees.wish_fee) if fees else "",
        "exam_fee": str(fees.exam_fee) if fees else "0",
        "province_group": "",
        "opens_at": "",
        "closes_at": "",
        "provinces": "",
    } | (values or {})
    actions = action_service.recent_actions(db, PAYMENT_KINDS)
    return _show(
        request,
        "payments/ministry.html",
        status_code=status_code,
        year=year,
        totals=queries.totals(db, year) if year else None,
        anomalies=queries.anomalies(db, year, stuck_after, now) if year else None,
        fees=fees,
        windows=service_admin.windows_of(db, year) if year else [],
        values=shown,
        errors=errors,
        labels=LABELS,
        actions=actions,
        running={a.lock_key: a for a in actions if a.status in ACTIVE},
        saved=request.query_params.get("saved") == "1",
        local_input=local_input,
        **action_helpers(request),
    )


def _ministry(principal: PagePrincipal) -> None:
    if not principal.role.national:
        raise Forbidden()


@router.get("/payments/ministry")
def ministry(request: Request, principal: PagePrincipal, db: PageDB, ctx: Context) -> Response:
    _ministry(principal)
    return _page(request, db, ctx)


@router.post("/payments/ministry/fees")
def save_fees(
    request: Request,
    principal: PagePrincipal,
    db: PageDB,
    ctx: Context,
    _csrf: CsrfChecked,
    form: PageForm,
) -> Response:
    _ministry(principal)
    lang = get_lang(request)
    values = texts_of(form, FEE_FIELDS)
    status = 422
    try:
        data = FeeForm.model_validate({k: v for k, v in values.items() if v})
        service_admin.save_fees(db, _year(db), data.wish_fee, data.exam_fee)
    except ValidationError as exc:
        errors = from_validation(exc, LABELS, lang)
    except HemisError as exc:
        errors, status = from_hemis(exc, LABELS, lang), exc.status
    else:
        return RedirectResponse("/payments/ministry?saved=1#fees", status_code=SEE_OTHER)
    return _page(request, db, ctx, values, errors, status)


@router.post("/payments/ministry/windows")
def save_window(
    request: Request,
    principal: PagePrincipal,
    db: PageDB,
    ctx: Context,
    _csrf: CsrfChecked,
    form: PageForm,
) -> Response:
    _ministry(principal)
    lang = get_lang(request)
    values = texts_of(form, WINDOW_FIELDS)
    errors = FormErrors()
    data: dict[str, Any] = {
        "province_group": values["province_group"],
        "provinces": [
            p.strip() for p in values["provinces"].replace(";", ",").split(",") if p.strip()
        ],
    }
    for name in ("opens_at", "closes_at"):
        try:
            data[name] = parse_local(values[name])
        except ValueError:
            errors.merge(
                problem(name, LABELS, "ngày giờ không hợp lệ", "is not a valid date and time", lang)
            )
    status = 422
    if not errors:
        try:
            form_data = WindowForm.model_validate(data)
            service_admin.save_window(
                db,
                _year(db),
                form_data.province_group,
                form_data.opens_at,
                form_data.closes_at,
                list(form_data.provinces),
            )
        except ValidationError as exc:
            errors = from_validation(exc, LABELS, lang)
        except HemisError as exc:
            errors, status = from_hemis(exc, LABELS, lang), exc.status
        else:
            return RedirectResponse("/payments/ministry?saved=1#windows", status_code=SEE_OTHER)
    return _page(request, db, ctx, values, errors, status)


@router.post("/payments/ministry/{action}")
def start_action(
    request: Request,
    principal: PagePrincipal,
    db: PageDB,
    ctx: Context,
    _csrf: CsrfChecked,
    action: str,
) -> Response:
    """Issue the year's invoices, or reconcile payments, as a background job."""
    _ministry(principal)
    lang = get_lang(request)
    try:
        if action == "invoices":
            job = action_service.start_action(db, "payments.invoices", {"year": _year(db)})
        elif action == "reconcile":
            job = action_service.start_action(db, "payments.reconcile", {})
        else:
            raise NotFound("action", action[:20])
    except ActionRunning as exc:
        return RedirectResponse(f"/actions/{exc.job_id}?already=1", status_code=SEE_OTHER)
    except HemisError as exc:
        return _page(request, db, ctx, errors=from_hemis(exc, LABELS, lang), status_code=exc.status)
    ensure_worker(request.app)
    return RedirectResponse(f"/actions/{job.id}", status_code=SEE_OTHER)
