"""Calling a registry that is slow, down or bursting errors: backoff with full jitter, a circuit
breaker and a token-bucket rate limit. Pure (clock and sleep injected), so tests drive time."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog): attempt n waits a uniform
    time in [0, min(cap, base * 2**n)], so retrying clients spread out instead of stampeding."""

    base: float = 0.1
    cap: float = 5.0

    def ceiling(self, attempt: int) -> float:
        return float(min(self.cap, self.base * (2 ** min(attempt, 30))))

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, self.ceiling(attempt))


class BreakerOpen(Exception):
    """The registry failed too often lately; calls are refused until the cool-down ends."""


@dataclass
class CircuitBreaker:
    """closed → (n consecutive failures) → open → (cool-down) → half-open: one trial call;
    success closes, failure re-opens."""

    failures_to_open: int
    cooldown: float
    clock: Clock = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        if self.state == "open":
            raise BreakerOpen

    def record_success(self) -> None:
        with self._lock:
            self.failures, self.opened_at = 0, None

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.state == "half_open" or self.failures >= self.failures_to_open:
                self.opened_at = self.clock()

    def wait_time(self) -> float:
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (self.clock() - self.opened_at))


@dataclass
class RateLimiter:
    """A token bucket: at most `rate` calls a second on average, bursts up to `burst`."""

    rate: float
    burst: float = 1.0
    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    tokens: float | None = None
    updated: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def acquire(self) -> float:
        """Take one token, sleeping until there is one; returns the time slept."""
        with self._lock:
            now = self.clock()
            tokens = self.burst if self.tokens is None else self.tokens
            if self.tokens is None:
                self.updated = now
            tokens = min(self.burst, tokens + (now - self.updated) * self.rate) - 1.0
            self.tokens, self.updated = tokens, now
            wait = 0.0 if tokens >= 0 else -tokens / self.rate
        if wait:
            self.sleep(wait)
        return wait
