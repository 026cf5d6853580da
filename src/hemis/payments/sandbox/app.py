"""The sandbox gateway's HTTP face: VNPay's pay page and merchant API, plus sandbox-only routes
(`/sandbox/...`) for the settlement file, inspection, replays and fault settings."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from starlette.responses import Response

from hemis.payments.gateways import vnpay
from hemis.payments.sandbox.state import Sandbox

CHANNELS = ("NCB", "VCB", "BIDV", "AGRIBANK", "VNPAYQR", "MOMO", "VISA")


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><h1>{title}</h1>{body}</body></html>",
        status_code=status_code,
    )


def create_sandbox_app(sandbox: Sandbox) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sandbox.start()
        yield
        sandbox.stop()

    app = FastAPI(title="HEMIS sandbox gateway (VNPay 2.1.0)", lifespan=lifespan)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/paymentv2/vpcpay.html")
    def pay_page(request: Request) -> Response:
        params = dict(request.query_params)
        if not vnpay.verify(params, sandbox.secret):
            return _page("Sai chữ ký / Invalid signature", "<p>vnp_SecureHash</p>", 400)
        if params.get("vnp_TmnCode") != sandbox.tmn_code:
            return _page("Sai mã website / Unknown merchant", "", 400)
        try:
            txn = sandbox.register(params)
        except (KeyError, ValueError) as exc:
            return _page("Yêu cầu không hợp lệ / Bad request", html.escape(str(exc)), 400)
        options = "".join(f"<option>{c}</option>" for c in CHANNELS)
        ref = html.escape(txn.txn_ref)
        form = (
            "<form method='post' action='/sandbox/pay'>"
            f"<input type='hidden' name='txn_ref' value='{ref}'>"
            f"<label>Kênh / Channel <select name='bank_code'>{options}</select></label>"
            "<button name='action' value='pay'>Thanh toán / Pay</button>"
            "<button name='action' value='cancel'>Hủy / Cancel</button></form>"
        )
        info = html.escape(txn.order_info)
        return _page(
            "Cổng thanh toán thử nghiệm / Sandbox gateway",
            f"<p>{info}</p><p>{txn.amount:,} VND</p>{form}",
        )

    @app.post("/sandbox/pay")
    def pay(
        txn_ref: Annotated[str, Form()],
        action: Annotated[str, Form()] = "pay",
        bank_code: Annotated[str, Form()] = "NCB",
    ) -> Response:
        txn = sandbox.txns.get(txn_ref)
        if txn is None:
            return _page("Không có giao dịch / Unknown transaction", "", 404)
        params = sandbox.return_params(sandbox.complete(txn_ref, action == "pay", bank_code))
        return RedirectResponse(f"{txn.return_url}?{urlencode(params)}", status_code=303)

    @app.post("/merchant_webapi/api/transaction")
    async def merchant_api(request: Request) -> Response:
        try:
            body = {str(k): str(v) for k, v in (await request.json()).items()}
        except (ValueError, AttributeError):
            return JSONResponse({"vnp_ResponseCode": "03", "vnp_Message": "Invalid format"})
        command = body.get("vnp_Command", "")
        if command not in ("querydr", "refund"):
            return JSONResponse({"vnp_ResponseCode": "03", "vnp_Message": "Invalid command"})
        if not vnpay.verify_pipe(body, vnpay.command_fields(command), sandbox.secret):
            return JSONResponse({"vnp_ResponseCode": "97", "vnp_Message": "Invalid checksum"})
        fault = sandbox.query_fault()
        if fault == "5xx":
            return PlainTextResponse("Service Unavailable", status_code=503)
        if fault == "timeout":
            await asyncio.sleep(sandbox.faults.hang_seconds)
        ref = body.get("vnp_TxnRef", "")
        if command == "querydr":
            return JSONResponse(sandbox.query(ref))
        amount = vnpay.from_vnp_amount(body.get("vnp_Amount", ""))
        return JSONResponse(sandbox.refund(ref, amount, body.get("vnp_TransactionDate", "")))

    @app.get("/sandbox/settlement")
    def settlement(date: str) -> Response:
        if len(date) != 8 or not date.isdigit():
            return PlainTextResponse("date must be YYYYMMDD", status_code=400)
        return PlainTextResponse(sandbox.settlement_csv(date), media_type="text/csv")

    @app.get("/sandbox/state")
    def state() -> dict[str, Any]:
        return sandbox.snapshot()

    @app.post("/sandbox/redeliver")
    def redeliver(times: int = 1, shuffle: bool = True) -> dict[str, int]:
        return {"queued": sandbox.redeliver(times, shuffle)}

    @app.post("/sandbox/config")
    async def configure(request: Request) -> Response:
        try:
            sandbox.configure(dict(await request.json()))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(sandbox.snapshot()["faults"])

    return app
