"""Signatures, redaction and the resilience primitives, without a network."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hemis.config import Environment, Settings
from hemis.integrations import exchange, signing
from hemis.integrations.resilience import Backoff, BreakerOpen, CircuitBreaker, RateLimiter

HEMIS_KEY = signing.private_key(Settings().exchange_signing_key)
OTHER_KEY = signing.private_key("b3RoZXItc2VlZC1vdGhlci1zZWVkLW90aGVyLXNlZWQ=")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "national_id", "b", "ref"]), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.binary(max_size=300), st.binary(min_size=1, max_size=20))
def test_a_signature_covers_the_body_exactly(body: bytes, tamper: bytes) -> None:
    env = signing.sign(HEMIS_KEY, body, "reply-to")
    public = HEMIS_KEY.public_key()
    assert signing.check_headers(public, env.headers(), body) is None
    assert signing.check_headers(public, env.headers(), body + tamper) == "bad_signature"
    other = OTHER_KEY.public_key()
    assert signing.check_headers(other, env.headers(), body) == "bad_signature"


def test_unsigned_and_stale_messages_are_refused() -> None:
    public = HEMIS_KEY.public_key()
    assert signing.check_headers(public, {}, b"{}") == "unsigned"
    env = signing.sign(HEMIS_KEY, b"{}")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    stale = {**env.headers(), signing.H_TS: old}
    assert signing.check_headers(public, stale, b"{}") == "stale"


@given(json_values)
def test_redaction_leaves_no_national_id(value: Any) -> None:
    redacted = exchange.redact(value, lambda nid: "bi:" + str(len(nid)))

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "national_id" and isinstance(x, str):
                    assert x.startswith("bi:")
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(redacted)
    assert exchange.unpack(exchange.pack(redacted)) == redacted


@given(st.integers(0, 40), st.integers(0, 2**32))
def test_backoff_delay_is_jittered_under_a_growing_cap(attempt: int, seed: int) -> None:
    backoff = Backoff(base=0.1, cap=5.0)
    delay = backoff.delay(attempt, random.Random(seed))
    assert 0 <= delay <= min(5.0, 0.1 * 2**attempt)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_breaker_opens_after_failures_and_half_opens_after_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=3, cooldown=10, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(BreakerOpen):
        breaker.before_call()
    clock.now += 10
    assert breaker.state == "half_open"
    breaker.before_call()
    breaker.record_failure()  # the trial call failed: open again at once
    assert breaker.state == "open"
    clock.now += 10
    breaker.record_success()
    assert breaker.state == "closed"


@given(st.floats(1, 200), st.integers(1, 300))
def test_rate_limiter_never_exceeds_rate_plus_burst(rate: float, calls: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=rate, burst=2.0, clock=clock, sleep=clock.sleep)
    for _ in range(calls):
        limiter.acquire()
    assert calls <= rate * clock.now + 2.0 + 1e-6


def test_production_refuses_development_exchange_keys() -> None:
    with pytest.raises(ValueError, match="HEMIS_EXCHANGE_SIGNING_KEY"):
        Settings(env=Environment.production, secret_key="x" * 40)
