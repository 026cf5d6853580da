"""Locust file of bench_ipn.py: each simulated gateway sends the next pre-signed IPN from
$HEMIS_BENCH_IPN_FILE (one query string per line) and checks the protocol's answer."""

from __future__ import annotations

import itertools
import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PATH = "/payments/vnpay/ipn"
with open(os.environ["HEMIS_BENCH_IPN_FILE"], encoding="ascii") as fh:
    QUERIES = [line.strip() for line in fh if line.strip()]
NEXT = itertools.cycle(QUERIES)  # cycling over: later rounds are replays, answered 02
EXPECTED = {"00", "02"}


class Gateway(FastHttpUser):
    wait_time = constant(0)

    @task
    def ipn(self) -> None:
        with self.client.get(f"{PATH}?{next(NEXT)}", name=PATH, catch_response=True) as resp:
            code = resp.json().get("RspCode") if resp.status_code == 200 else None
            if code in EXPECTED:
                resp.success()
            else:
                resp.failure(f"HTTP {resp.status_code} RspCode {code}")
