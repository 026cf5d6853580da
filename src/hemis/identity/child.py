"""The e-ID simulator as a child process of `hemis demo`, with HEMIS registered as its client."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from hemis.config import Settings, get_settings


@contextmanager
def idp_child(cfg: Settings, host: str, port: int) -> Iterator[str | None]:
    """Start the simulator on the port of HEMIS_EID_ISSUER_URL (if it is on this machine),
    offering the demo database's persons; yields its URL, stops it when the block ends."""
    issuer = urlsplit(cfg.eid_issuer_url)
    if issuer.hostname not in ("127.0.0.1", "localhost") or not issuer.port:
        yield None
        return
    # The portal's own address is where the provider sends the browser back; the app reads its
    # settings again, so its redirect URI is the one registered here.
    os.environ.setdefault("HEMIS_PUBLIC_URL", f"http://{host}:{port}")
    get_settings.cache_clear()
    redirect = f"{os.environ['HEMIS_PUBLIC_URL'].rstrip('/')}/eid/callback"
    env = os.environ | {"HEMIS_EID_CLIENT_SECRET": cfg.eid_secret}
    command = [sys.executable, "-m", "hemis.identity", "--port", str(issuer.port)]
    command += ["--issuer", cfg.eid_issuer_url, "--client-id", cfg.eid_client_id]
    command += ["--redirect-uri", redirect, "--source", cfg.database_url]
    proc = subprocess.Popen(command, env=env)  # noqa: S603 - our own module, fixed arguments
    try:
        yield cfg.eid_issuer_url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
