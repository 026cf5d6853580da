"""What every registry simulator shares: a FastAPI app that checks HEMIS's signature, signs its
answers, and injects faults — latency, bursts of 5xx, slow answers, malformed bodies, unsigned
or badly signed responses — at random by profile or queued one by one by a test
(`POST /_sim/faults`). `/_sim/stats` counts what was served; `/_sim/ground-truth` tells the
truth the linkage is measured against."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from hemis.config import DEV_REGISTRY_SEED
from hemis.integrations import signing


def registry_key() -> Ed25519PrivateKey:
    """The simulated registries' signing key (development only; its public half is the default
    HEMIS_REGISTRY_PUBLIC_KEY, refused in production)."""
    return Ed25519PrivateKey.from_private_bytes(DEV_REGISTRY_SEED)


FAULTS = ("5xx", "slow", "malformed", "unsigned", "bad_signature")


@dataclass(frozen=True)
class FaultProfile:
    latency_ms: float = 0.0  # added to every answer, plus up to as much again at random
    burst_p: float = 0.0  # chance a request starts a burst of 503s
    burst_len: tuple[int, int] = (2, 6)
    slow_p: float = 0.0
    malformed_p: float = 0.0
    unsigned_p: float = 0.0
    bad_signature_p: float = 0.0


PROFILES = {
    "none": FaultProfile(),
    "realistic": FaultProfile(
        latency_ms=20,
        burst_p=0.01,
        slow_p=0.003,
        malformed_p=0.003,
        unsigned_p=0.002,
        bad_signature_p=0.002,
    ),
    # Slow but faultless: long enough batches to kill a sync between two of them (tests).
    "sluggish": FaultProfile(latency_ms=120),
    "flaky": FaultProfile(
        latency_ms=20,
        burst_p=0.05,
        slow_p=0.01,
        malformed_p=0.02,
        unsigned_p=0.01,
        bad_signature_p=0.01,
    ),
}


@dataclass
class Faults:
    profile: FaultProfile
    rng: random.Random
    slow_seconds: float = 8.0
    queue: list[str] = field(default_factory=list)
    burst_left: int = 0

    def next(self) -> str | None:
        if self.queue:
            fault = self.queue.pop(0)
            return None if fault == "ok" else fault
        p = self.profile
        if self.burst_left:
            self.burst_left -= 1
            return "5xx"
        draw = self.rng.random()
        for fault, chance in (
            ("5xx", p.burst_p),
            ("slow", p.slow_p),
            ("malformed", p.malformed_p),
            ("unsigned", p.unsigned_p),
            ("bad_signature", p.bad_signature_p),
        ):
            if draw < chance:
                if fault == "5xx":
                    self.burst_left = self.rng.randint(*p.burst_len) - 1
                return fault
            draw -= chance
        return None

    def latency(self) -> float:
        ms = self.profile.latency_ms
        return (ms + self.rng.random() * ms) / 1000 if ms else 0.0


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class FaultQueue(BaseModel):
    queue: list[str] = Field(max_length=1000)


@dataclass
class SimState:
    system: str
    key: Ed25519PrivateKey
    client_key: Ed25519PublicKey
    faults: Faults
    truth: dict[str, Any]
    stats: Counter[str] = field(default_factory=Counter)
    seen_messages: set[str] = field(default_factory=set)
    received: Counter[str] = field(default_factory=Counter)  # deliveries per record ref

    def signed(self, status: int, payload: Any, in_reply_to: str, fault: str | None) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        if fault == "malformed":
            body = body[: max(1, len(body) // 2)]
        envelope = signing.sign(self.key, body, in_reply_to)
        headers = envelope.headers()
        if fault == "unsigned":
            headers = {}
        elif fault == "bad_signature":
            headers = signing.sign(self.key, body + b" ", in_reply_to).headers()
        return Response(body, status, headers=headers, media_type="application/json")


def make_app(state: SimState, handlers: dict[str, Handler]) -> FastAPI:
    app = FastAPI(title=f"{state.system} registry simulator", docs_url=None, redoc_url=None)
    app.state.sim = state

    def route(handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            state.stats["requests"] += 1
            reply_to = request.headers.get(signing.H_ID, "")
            reason = signing.check_headers(state.client_key, request.headers, raw)
            if reason is not None:
                state.stats[f"refused_{reason}"] += 1
                return state.signed(401, {"code": reason}, reply_to, None)
            if reply_to in state.seen_messages:
                state.stats["refused_replay"] += 1
                return state.signed(409, {"code": "replay"}, reply_to, None)
            state.seen_messages.add(reply_to)
            fault = state.faults.next()
            await asyncio.sleep(state.faults.latency())
            if fault:
                state.stats[f"fault_{fault}"] += 1
            if fault == "5xx":
                return state.signed(503, {"code": "unavailable"}, reply_to, None)
            if fault == "slow":
                await asyncio.sleep(state.faults.slow_seconds)
            try:
                body = json.loads(raw)
                payload = handler(body)
            except (ValueError, ValidationError) as exc:
                state.stats["bad_requests"] += 1
                return state.signed(
                    422, {"code": "invalid", "detail": str(exc)[:200]}, reply_to, None
                )
            state.stats["answered"] += 1
            for record in body.get("records") or ():
                state.received[str(record.get("ref"))] += 1
            return state.signed(200, payload, reply_to, fault)

        return endpoint

    for path, handler in handlers.items():
        app.add_api_route(path, route(handler), methods=["POST"])

    @app.post("/_sim/faults")
    def queue_faults(body: FaultQueue) -> dict[str, int]:
        unknown = [f for f in body.queue if f not in (*FAULTS, "ok")]
        if unknown:
            return {"queued": 0}
        state.faults.queue.extend(body.queue)
        return {"queued": len(body.queue)}

    @app.get("/_sim/stats")
    def stats() -> dict[str, Any]:
        return {
            **state.stats,
            "records_received": sum(state.received.values()),
            "distinct_received": len(state.received),
        }

    @app.get("/_sim/ground-truth")
    def truth() -> JSONResponse:
        return JSONResponse(state.truth)

    @app.get("/_sim/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "system": state.system}

    return app
