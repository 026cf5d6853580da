"""The sandbox gateway as a child process of `hemis demo`, pointed at the demo's IPN URL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from hemis.config import Settings, get_settings


@contextmanager
def sandbox_child(cfg: Settings, host: str, port: int) -> Iterator[None]:
    """Start the sandbox on the port of HEMIS_PAYMENT_GATEWAY_URL (if it is on this machine),
    tell the app where it is served, and stop the sandbox when the block ends."""
    gateway = urlsplit(cfg.payment_gateway_url)
    if gateway.hostname not in ("127.0.0.1", "localhost") or not gateway.port:
        yield
        return
    public = f"http://{host}:{port}"
    os.environ.setdefault("HEMIS_PUBLIC_URL", public)
    get_settings.cache_clear()  # the app reads its settings again, with the public URL
    env = os.environ | {
        "HEMIS_VNPAY_TMN_CODE": cfg.vnpay_tmn_code,
        "HEMIS_VNPAY_HASH_SECRET": cfg.vnpay_secret,
    }
    command = [sys.executable, "-m", "hemis.payments.sandbox", "--port", str(gateway.port)]
    command += ["--ipn-url", f"{public}/payments/vnpay/ipn"]
    proc = subprocess.Popen(command, env=env)  # noqa: S603 - our own module, fixed arguments
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
