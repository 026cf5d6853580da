"""Payment API under /api/v1/payments.

- `GET /payments/vnpay/ipn` (outside /api/v1: no login, the signature authenticates): the
  gateway's server-to-server notification, answered `{RspCode, Message}` as VNPay 2.1.0 defines.
- `POST /intents` (a ministry administrator, e.g. a support desk paying on a candidate's behalf;
  candidates pay through the portal's pay form, which takes the same key as a hidden field) and
  `POST /intents/{id}/refund` (ministry administrator) take an `Idempotency-Key` header: the same
  key and body replay the stored response, the same key with another body is refused with 409.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.admissions import access
from hemis.common.bodies import NoBooleanNumbers
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import Forbidden, ReadOnly
from hemis.payments import idempotency, ipn, service
from hemis.payments.gateways.base import Gateway
from hemis.payments.gateways.client import VnpayGateway
from hemis.payments.models import PaymentIntent
from hemis.web.api_deps import ERROR_RESPONSES
from hemis.web.deps import Context, CurrentPrincipal
from hemis.web.openapi import IDEMPOTENT, PUBLIC

_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def payments_access(request: Request, principal: CurrentPrincipal) -> Principal:
    """Candidates pay through the portal pages (as for admissions, the API answers them 403);
    read-only roles may only read."""
    if principal.role.personal:
        raise Forbidden()
    if request.method not in _SAFE and not principal.role.writable:
        raise ReadOnly()
    return principal


router = APIRouter(
    prefix="/api/v1/payments",
    tags=["payments"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(payments_access)],
)
# The gateway's notification is not part of our REST API: no login, its signature authenticates.
gateway_router = APIRouter(tags=["payments"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


@lru_cache(maxsize=4)
def _gateway(url: str, tmn: str, secret: str, timeout: float) -> Gateway:
    return VnpayGateway(url, tmn, secret, timeout=timeout)


def gateway_of(settings: Settings) -> Gateway:
    return _gateway(
        settings.payment_gateway_url,
        settings.vnpay_tmn_code,
        settings.vnpay_secret,
        settings.gateway_timeout_seconds,
    )


@gateway_router.get(
    "/payments/vnpay/ipn", summary="VNPay IPN (server to server)", openapi_extra=PUBLIC
)
def vnpay_ipn(request: Request, ctx: Context) -> JSONResponse:
    gateway = gateway_of(ctx.settings)
    outcome = ipn.handle(ctx.notify_engine, gateway, dict(request.query_params))
    status, body = gateway.ipn_reply(outcome.value)
    return JSONResponse(body, status_code=status)


class IntentCreate(NoBooleanNumbers):
    invoice_id: int = Field(ge=1)


class RefundCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class IntentRead(BaseModel):
    id: int
    invoice_id: int
    gateway: str
    txn_ref: str
    amount: int
    status: str
    model_config = {"from_attributes": True}


def intent_json(intent: PaymentIntent) -> dict[str, Any]:
    return IntentRead.model_validate(intent).model_dump()


def _payer(principal: Principal) -> tuple[Scope, bool]:
    """The session scope of a payment request, and whether it is limited to the caller's own."""
    if principal.role is Role.candidate:
        return access.own_scope(principal), True
    if principal.role is Role.ministry_admin:
        return principal.scope(), False
    raise Forbidden()


def _person(ctx: Context, principal: Principal) -> int:
    with scoped_session(ctx.sessions, Scope.system("payments")) as session:
        return access.person_of(session, principal)


def _reply(outcome: idempotency.Outcome) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.post("/intents", status_code=201, response_model=None, openapi_extra=IDEMPOTENT)
def create_intent(
    request: Request,
    ctx: Context,
    principal: CurrentPrincipal,
    body: IntentCreate,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Start paying an invoice: a new payment intent and the gateway URL to send the payer to."""
    scope, own = _payer(principal)
    key = idempotency.check_key(key)
    person = _person(ctx, principal) if own else None
    ip = request.client.host if request.client else ""

    def work(session: HemisSession) -> tuple[int, dict[str, Any]]:
        started = service.start_payment(
            session,
            ctx.settings,
            gateway_of(ctx.settings),
            body.invoice_id,
            person_id=person,
            ip_addr=ip,
        )
        return 201, intent_json(started.intent) | {"redirect_url": started.redirect_url}

    endpoint = "POST /api/v1/payments/intents"
    return _reply(
        idempotency.run(ctx.sessions, scope, scope.actor, key, endpoint, body.model_dump(), work)
    )


@router.get("/intents/{intent_id}")
def read_intent(ctx: Context, principal: CurrentPrincipal, intent_id: int) -> IntentRead:
    scope, own = (
        _payer(principal)
        if principal.role is not Role.ministry_analyst
        else (
            principal.scope(),
            False,
        )
    )
    person = _person(ctx, principal) if own else None
    with scoped_session(ctx.sessions, scope) as session:
        intent = service.get_intent(session, intent_id)
        service.get_invoice(session, intent.invoice_id, person)  # NotFound if not theirs
        return IntentRead.model_validate(intent)


def _admin(principal: CurrentPrincipal) -> Principal:
    if principal.role is not Role.ministry_admin:
        raise Forbidden()
    return principal


@router.post("/intents/{intent_id}/refund", response_model=None, openapi_extra=IDEMPOTENT)
def refund(
    ctx: Context,
    principal: Annotated[Principal, Depends(_admin)],
    intent_id: int,
    body: RefundCreate,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Refund a paid intent in full (ministry administrators)."""
    key = idempotency.check_key(key)
    scope = principal.scope()

    def work(session: HemisSession) -> tuple[int, dict[str, Any]]:
        gateway = gateway_of(ctx.settings)
        done = service.refund_intent(session, gateway, intent_id, scope.actor, body.reason)
        intent = service.get_intent(session, intent_id)
        return 200, intent_json(intent) | {"refund_id": done.id}

    endpoint = f"POST /api/v1/payments/intents/{intent_id}/refund"
    return _reply(
        idempotency.run(ctx.sessions, scope, scope.actor, key, endpoint, body.model_dump(), work)
    )
