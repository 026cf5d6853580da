"""Operations endpoints, outside the OpenAPI document and without login; none shows personal data.

- /healthz: liveness — the process answers (no database).
- /readyz: readiness — the database answers and is at this code's migration head (503 if not:
  the load balancer sends no requests here until it is).
- /metrics: Prometheus text exposition, only to loopback, the trusted proxy networks
  (HEMIS_TRUSTED_PROXIES) or a caller with the bearer token HEMIS_METRICS_TOKEN; to anyone else
  it does not exist (404).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hemis.observability import metrics
from hemis.observability.readiness import Database, Migration, Readiness, Verdict
from hemis.observability.scrape import DatabaseCollector

router = APIRouter(include_in_schema=False)

_REASONS: dict[Database | Migration, tuple[str, str]] = {
    Database.unreachable: (
        "Không kết nối được cơ sở dữ liệu.",
        "The database cannot be reached.",
    ),
    Database.timeout: (
        "Cơ sở dữ liệu không trả lời kịp thời.",
        "The database did not answer in time.",
    ),
    Database.busy: (
        "Lần kiểm tra trước vẫn đang chờ cơ sở dữ liệu.",
        "The previous check is still waiting for the database.",
    ),
    Migration.behind: (
        "Lược đồ cơ sở dữ liệu không khớp phiên bản mã (chạy `hemis db upgrade`).",
        "The database schema does not match this code's version (run `hemis db upgrade`).",
    ),
    Migration.missing: (
        "Cơ sở dữ liệu chưa được khởi tạo (chạy `hemis db upgrade`).",
        "The database has not been migrated (run `hemis db upgrade`).",
    ),
}


def not_ready_body(verdict: Verdict) -> dict[str, Any]:
    reason = _REASONS.get(verdict.database) or _REASONS[verdict.migration]
    return {
        "status": "not_ready",
        "code": "not_ready",
        "message": f"{reason[0]} — {reason[1]}",
        "details": {"database": verdict.database.value, "migration": verdict.migration.value},
    }


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    readiness: Readiness = request.app.state.readiness
    verdict = await readiness.check()
    if not verdict.ready:
        return JSONResponse(not_ready_body(verdict), status_code=503)
    return JSONResponse(
        {
            "status": "ready",
            "details": {"database": verdict.database.value, "migration": verdict.migration.value},
        }
    )


def _trusted_client(request: Request) -> bool:
    """Loopback or a trusted proxy network (the address web/guards.py settled on)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer
    networks = request.app.state.ctx.settings.trusted_proxy_networks
    return address.is_loopback or any(address in network for network in networks)


def _has_token(request: Request) -> bool:
    token: str | None = request.app.state.ctx.settings.metrics_token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@router.get("/metrics")
async def prometheus_metrics(request: Request) -> Response:
    if not (_trusted_client(request) or _has_token(request)):
        raise StarletteHTTPException(404)
    collector: DatabaseCollector = request.app.state.metrics_collector
    body = await run_in_threadpool(metrics.exposition, (collector,))
    return Response(body, media_type=metrics.CONTENT_TYPE)
