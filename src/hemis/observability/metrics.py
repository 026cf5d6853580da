"""The metrics HEMIS records as things happen, and their exposition.

Counters and histograms are defined here, once, at import: a module of any layer (the payment
notification handler, the request middleware) imports the one it adds to, and imports nothing
else of HEMIS.

Several `hemis serve --workers N` processes: prometheus_client's multiprocess mode, chosen by the
library itself when PROMETHEUS_MULTIPROC_DIR is set before the first import (each process writes
its values to files there; the scrape answered by any worker sums them). Without it, the
process's default registry. The directory must be emptied when the service (re)starts
(docs/operations.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# The route label of a request no route matched (a 404, a refusal before routing): one value,
# so that scanning for addresses cannot grow the number of series.
UNMATCHED = "unmatched"

# Seconds; pages and API answers are expected well under a second, imports and exports are jobs.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "hemis_http_requests",
    "HTTP requests answered, by route template, method and status class.",
    ("route", "method", "status"),
)
HTTP_LATENCY = Histogram(
    "hemis_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template and method.",
    ("route", "method"),
    buckets=LATENCY_BUCKETS,
)
IPN_OUTCOMES = Counter(
    "hemis_payment_ipn",
    "Payment gateway notifications (IPN) handled, by our verdict.",
    ("gateway", "outcome"),
)
# Updated on the pool's checkout and checkin events, so that the sum over worker processes is
# right in multiprocess mode ("livesum": a dead process's value stops counting once its files
# are removed).
DB_POOL_CHECKED_OUT = Gauge(
    "hemis_db_pool_checked_out",
    "Database connections checked out of the pool (in use), by engine.",
    ("engine",),
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "hemis_db_pool_size",
    "Configured size of the database connection pool, by engine (summed over processes).",
    ("engine",),
    multiprocess_mode="livesum",
)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text exposition of every metric, plus `extra` collectors read now (the database's
    queue and sync counts: the same for every process, so read by the one answering)."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


class _Default(Collector):
    """The process's default registry, read through a fresh registry each scrape so that the
    per-scrape collectors are never registered globally."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()
