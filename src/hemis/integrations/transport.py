"""One signed, resilient HTTP channel to one registry (httpx).

Every attempt is a new signed message; the request and whatever came back (or the timeout) are
returned as exchange-log messages for the caller to commit with its batch, so the log and the
records' statuses are written in the same transaction.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import ValidationError

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.errors import HemisError
from hemis.integrations import exchange, signing
from hemis.integrations.exchange import Message
from hemis.integrations.resilience import Backoff, BreakerOpen, CircuitBreaker, RateLimiter

T = TypeVar("T")
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class RegistryError(HemisError):
    """The registry gave no usable answer after every attempt (or the breaker is open)."""

    code = "registry_unavailable"
    status = 502

    def __init__(self, outcome: str, messages: list[Message], detail: str = "") -> None:
        super().__init__(
            "Cơ sở dữ liệu quốc gia không trả lời hợp lệ; bản ghi được đánh dấu lỗi để gửi lại.",
            "The national registry gave no valid answer; the records are marked error for retry.",
            details={"outcome": outcome, "detail": detail[:150]},
        )
        self.outcome = outcome
        self.messages = messages


@dataclass
class Reply(Generic[T]):
    value: T
    messages: list[Message]


@dataclass
class _Failure(Exception):
    outcome: str
    detail: str
    retry: bool = True


@dataclass
class Transport:
    system: str
    base_url: str
    settings: Settings
    cipher: IdCipher
    http: httpx.Client | None = None
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], None] = time.sleep
    backoff: Backoff = field(default_factory=Backoff)

    def __post_init__(self) -> None:
        s = self.settings
        self.key = signing.private_key(s.exchange_signing_key)
        self.registry_key = signing.public_key(s.registry_public_key)
        self.breaker = CircuitBreaker(
            s.registry_breaker_failures, s.registry_breaker_cooldown_seconds
        )
        self.limiter = RateLimiter(s.registry_rate_per_second, burst=2.0, sleep=self.sleep)
        if self.http is None:
            self.http = httpx.Client(
                base_url=self.base_url, timeout=httpx.Timeout(s.registry_timeout_seconds)
            )

    def close(self) -> None:
        if self.http is not None:
            self.http.close()

    def token(self, national_id: str) -> str:
        return "bi:" + self.cipher.blind_index(national_id).hex()

    def call(self, endpoint: str, payload: dict[str, Any], parse: Callable[[Any], T]) -> Reply[T]:
        """POST `payload` signed; retry transient failures with backoff and jitter; return the
        parsed, signature-checked answer with the log messages of every attempt."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        stored_request = exchange.pack(exchange.redact(payload, self.token))
        messages: list[Message] = []
        failure = _Failure("refused", "no attempt made")
        for attempt in range(self.settings.registry_max_attempts):
            if attempt:
                self.sleep(self.backoff.delay(attempt, self.rng))
            try:
                self.breaker.before_call()
            except BreakerOpen:
                failure = _Failure("breaker_open", "circuit breaker open", retry=False)
                break
            self.limiter.acquire()
            envelope = signing.sign(self.key, body)
            messages.append(self._request_message(endpoint, envelope, body, stored_request))
            try:
                value = self._attempt(endpoint, envelope, body, parse, messages)
            except _Failure as exc:
                self.breaker.record_failure()
                failure = exc
                if not exc.retry:
                    break
                continue
            self.breaker.record_success()
            return Reply(value, messages)
        raise RegistryError(failure.outcome, messages, failure.detail)

    def _attempt(
        self,
        endpoint: str,
        envelope: signing.Envelope,
        body: bytes,
        parse: Callable[[Any], T],
        messages: list[Message],
    ) -> T:
        assert self.http is not None
        headers = {**envelope.headers(), "Content-Type": "application/json"}
        try:
            response = self.http.post(endpoint, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            messages.append(self._response_message(endpoint, envelope, None, "timeout", b"", {}))
            raise _Failure("timeout", type(exc).__name__) from exc
        except httpx.TransportError as exc:
            messages.append(self._response_message(endpoint, envelope, None, "network", b"", {}))
            raise _Failure("network", type(exc).__name__) from exc
        raw = response.content
        reason = signing.check_headers(self.registry_key, response.headers, raw)
        if reason is None and response.headers.get(signing.H_REPLY) != envelope.message_id:
            reason = "bad_signature"  # a valid signature over another exchange: a replay
        status = response.status_code
        if status >= 400:
            outcome = "http_error"
            messages.append(self._response_message(endpoint, envelope, response, outcome, raw, {}))
            raise _Failure(outcome, f"HTTP {status}", retry=status in RETRYABLE_STATUS)
        if reason is not None:
            messages.append(self._response_message(endpoint, envelope, response, reason, raw, {}))
            raise _Failure(reason, "response signature refused")
        try:
            data = json.loads(raw)
            value = parse(data)
        except (ValueError, ValidationError) as exc:
            messages.append(
                self._response_message(endpoint, envelope, response, "malformed", raw, {})
            )
            raise _Failure("malformed", type(exc).__name__) from exc
        messages.append(self._response_message(endpoint, envelope, response, "ok", raw, data))
        return value

    def _request_message(
        self, endpoint: str, envelope: signing.Envelope, body: bytes, stored: bytes
    ) -> Message:
        return Message(
            system=self.system,
            direction="request",
            message_id=envelope.message_id,
            in_reply_to=None,
            endpoint=endpoint,
            http_status=None,
            outcome="sent",
            signed_at=envelope.timestamp,
            signature=envelope.signature,
            signature_ok=True,
            body_sha256=signing.body_sha256(body),
            body=stored,
        )

    def _response_message(
        self,
        endpoint: str,
        envelope: signing.Envelope,
        response: httpx.Response | None,
        outcome: str,
        raw: bytes,
        data: Any,
    ) -> Message:
        headers = response.headers if response is not None else httpx.Headers()
        # Only a valid signature over this very exchange counts (the log re-checks it).
        signed_ok = (
            response is not None
            and signing.check_headers(self.registry_key, headers, raw) is None
            and headers.get(signing.H_REPLY) == envelope.message_id
        )
        stored = (
            exchange.redact(data, self.token)
            if outcome == "ok"
            else {"raw": raw[:2000].decode("utf-8", "replace")}
        )
        return Message(
            system=self.system,
            direction="response",
            message_id=headers.get(signing.H_ID) or f"none:{envelope.message_id}"[:36],
            in_reply_to=envelope.message_id,
            endpoint=endpoint,
            http_status=None if response is None else response.status_code,
            outcome=outcome,
            signed_at=headers.get(signing.H_TS),
            signature=headers.get(signing.H_SIG),
            signature_ok=signed_ok,
            body_sha256=signing.body_sha256(raw),
            body=exchange.pack(stored),
        )
