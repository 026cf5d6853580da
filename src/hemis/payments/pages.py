"""Payment pages of the candidate: the invoice, paying (through the gateway), the return page and
the receipt — the status shown is always OUR ledger's, never the browser's return parameters, and
a payment the gateway may still settle reads "pending — we will confirm". The ministry's page is
in pages_ministry.py."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from hemis.admissions.queries import current_year
from hemis.admissions.service import find_registration
from hemis.db.session import HemisSession
from hemis.db.types import utcnow
from hemis.errors import HemisError, NotFound
from hemis.payments import idempotency, queries, service
from hemis.payments.api import gateway_of, intent_json
from hemis.payments.gateways import vnpay
from hemis.payments.models import PaymentIntent
from hemis.payments.rules import INTENT_LABELS, IntentStatus
from hemis.registry.models import Person
from hemis.web.csp import CSP
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import Context, get_lang
from hemis.web.portal import Candidate, error_text, local_time
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303


def _money(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", ".") + " đ"


def _show(request: Request, name: str, status_code: int = 200, **values: Any) -> Response:
    en = get_lang(request) == "en"

    def intent_status(code: str) -> str:
        pair = INTENT_LABELS.get(code, (code, code))
        return pair[1] if en else pair[0]

    context = {
        "local_time": local_time,
        "money": _money,
        "nav": "payments",
        "intent_status": intent_status,
        **values,
    }
    return render(request, name, context, status_code=status_code)


def _candidate_page(
    request: Request, c: Candidate, errors: list[str] | None = None, status_code: int = 200
) -> Response:
    year = current_year(c.own)
    invoice = service.find_invoice(c.own, year, c.person_id) if year else None
    intents = queries.intents_of(c.own, invoice.id) if invoice else []
    window = service.window_for(c.own, invoice) if invoice else None
    now = utcnow()
    response = _show(
        request,
        "payments/candidate.html",
        status_code=status_code,
        year=year,
        invoice=invoice,
        intents=intents,
        window=window,
        window_open=window is None or window.opens_at <= now < window.closes_at,
        paid=any(i.status == IntentStatus.paid.value for i in intents),
        waiting=any(i.status == IntentStatus.pending.value for i in intents),
        idempotency_key=uuid.uuid4().hex,
        errors=errors or [],
    )
    # The pay form's answer sends the browser straight to the gateway (no page in between):
    # the form's CSP must allow that redirect (browsers hold a form's redirects to form-action).
    gateway = _origin(request.app.state.ctx.settings.payment_gateway_url)
    if gateway:
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {gateway}"
        )
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


@router.get("/payments")
def candidate_invoice(request: Request, c: Candidate) -> Response:
    return _candidate_page(request, c)


@router.post("/payments/pay")
def pay(
    request: Request,
    c: Candidate,
    ctx: Context,
    _csrf: CsrfChecked,
    invoice_id: Annotated[int, Form(ge=1)],
    idempotency_key: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """A resubmitted form (double click, back button) carries the same key and replays."""
    ip = request.client.host if request.client else ""
    scope = c.own.info["scope"]

    def work(session: HemisSession) -> tuple[int, dict[str, Any]]:
        started = service.start_payment(
            session,
            ctx.settings,
            gateway_of(ctx.settings),
            invoice_id,
            person_id=c.person_id,
            ip_addr=ip,
        )
        return 201, intent_json(started.intent)

    try:
        key = idempotency.check_key(idempotency_key)
        outcome = idempotency.run(
            ctx.sessions,
            scope,
            scope.actor,
            key,
            "POST /payments/pay",
            {"invoice_id": invoice_id},
            work,
        )
    except HemisError as exc:
        return _candidate_page(request, c, error_text(request, exc), exc.status)
    if outcome.status_code >= 400:
        lang = "en" if request.cookies.get("hemis_lang") == "en" else "vi"
        text = outcome.body.get("message" if lang == "en" else "message_vi", "")
        return _candidate_page(request, c, [str(text)], outcome.status_code)
    intent = _own_intent(c, c.own.get(PaymentIntent, int(outcome.body["id"])))
    if intent.status != IntentStatus.pending.value:  # settled meanwhile: say where it stands
        return RedirectResponse(f"/payments/go/{intent.id}", status_code=SEE_OTHER)
    invoice = service.get_invoice(c.own, intent.invoice_id, c.person_id)
    url = service.checkout_url(ctx.settings, gateway_of(ctx.settings), invoice, intent, ip)
    return RedirectResponse(url, status_code=SEE_OTHER)


def _own_intent(c: Candidate, intent: PaymentIntent | None) -> PaymentIntent:
    if intent is None:
        raise NotFound("payment_intent")
    service.get_invoice(c.own, intent.invoice_id, c.person_id)
    return intent


@router.get("/payments/go/{intent_id}")
def go(request: Request, c: Candidate, ctx: Context, intent_id: int) -> Response:
    """A link to the gateway (a link, not a form: the CSP allows forms to post only to us)."""
    intent = _own_intent(c, c.own.get(PaymentIntent, intent_id))
    invoice = service.get_invoice(c.own, intent.invoice_id, c.person_id)
    ip = request.client.host if request.client else ""
    url = None
    if intent.status == IntentStatus.pending.value:
        url = service.checkout_url(ctx.settings, gateway_of(ctx.settings), invoice, intent, ip)
    return _show(request, "payments/go.html", intent=intent, invoice=invoice, url=url)


@router.get("/payments/return")
def gateway_return(request: Request, c: Candidate, ctx: Context) -> Response:
    """Where the gateway sends the browser back. Only for the screen: the IPN settles."""
    params = dict(request.query_params)
    authentic = vnpay.verify(params, ctx.settings.vnpay_secret)
    intent = queries.find_intent_by_ref(c.own, "vnpay", params.get("vnp_TxnRef", ""))
    intent = _own_intent(c, intent)
    return _show(request, "payments/status.html", intent=intent, authentic=authentic)


@router.get("/payments/intents/{intent_id}")
def intent_status(request: Request, c: Candidate, intent_id: int) -> Response:
    intent = _own_intent(c, c.own.get(PaymentIntent, intent_id))
    return _show(request, "payments/status.html", intent=intent, authentic=True)


@router.get("/payments/intents/{intent_id}/status")
def intent_status_card(request: Request, c: Candidate, intent_id: int) -> Response:
    """The status card alone: what the return page polls until the state is final."""
    intent = _own_intent(c, c.own.get(PaymentIntent, intent_id))
    return _show(request, "payments/_status_card.html", intent=intent)


@router.get("/payments/receipt/{intent_id}")
def receipt(request: Request, c: Candidate, intent_id: int) -> Response:
    intent = _own_intent(c, c.own.get(PaymentIntent, intent_id))
    if intent.status not in queries.COUNTED:
        raise NotFound("receipt", intent_id)
    invoice = service.get_invoice(c.own, intent.invoice_id, c.person_id)
    person = c.own.scalar(
        select(Person).where(Person.id == c.person_id).execution_options(person_lookup=True)
    )
    registration = find_registration(c.own, invoice.year, c.person_id)
    return _show(
        request,
        "payments/receipt.html",
        intent=intent,
        invoice=invoice,
        refund=queries.refund_of(c.own, intent.id),
        person_name=person.full_name if person else "",
        candidate_number=registration.candidate_number if registration else None,
    )
