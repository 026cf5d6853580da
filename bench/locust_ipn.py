"""Locust file of bench_ipn.py: each simulated gateway sends the next pre-signed IPN from
$HEMIS_BENCH_IPN_FILE (one query string per line) and checks the protocol's answer. With
$HEMIS_BENCH_IPN_USER_RATE each user sends at most that many per second (a fixed offered load);
without it, as fast as the answers come back."""

from __future__ import annotations

import itertools
import os

from locust import constant, constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

PATH = "/payments/vnpay/ipn"
with open(os.environ["HEMIS_BENCH_IPN_FILE"], encoding="ascii") as fh:
    QUERIES = [line.strip() for line in fh if line.strip()]
NEXT = itertools.cycle(QUERIES)  # cycling over: later rounds are replays, answered 02
EXPECTED = {"00", "02"}
USER_RATE = float(os.environ.get("HEMIS_BENCH_IPN_USER_RATE", "0"))


class Gateway(FastHttpUser):
    wait_time = constant_throughput(USER_RATE) if USER_RATE else constant(0)

    @task
    def ipn(self) -> None:
        with self.client.get(f"{PATH}?{next(NEXT)}", name=PATH, catch_response=True) as resp:
            code = resp.json().get("RspCode") if resp.status_code == 200 else None
            if code in EXPECTED:
                resp.success()
            else:
                resp.failure(f"HTTP {resp.status_code} RspCode {code}")
