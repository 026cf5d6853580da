"""What the browser tests share: Debian's Chromium and its flags, the artifacts directory, and
the real server started as its own process on a seeded SQLite file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"
STARTUP_SECONDS = 120  # generous: the machine may be busy with the rest of the suite


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not installed (apt-get install chromium): browser test skipped"
    if IN_CI:
        pytest.fail(f"{reason} — it is mandatory under CI=true")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(
    database_url: str,
    workdir: Path,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """`hemis serve` on a free port (or `port`) against the database; yields its base URL once
    /login answers, stops it afterwards. The server's output goes to workdir/server.log."""
    port = port or free_port()
    env = {
        **os.environ,
        "HEMIS_DATABASE_URL": database_url,
        "HEMIS_COOKIE_SECURE": "false",
        "HEMIS_ENV": "test",
        "HEMIS_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("HEMIS_MIGRATION_DATABASE_URL", None)
    log_path = workdir / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "hemis", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited: {log_path.read_text()}")
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server not up in {STARTUP_SECONDS} s: {log_path.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def running_demo(workdir: Path, scale: float = 0.002, eid: bool = False) -> Iterator[str]:
    """`hemis demo` itself, its own process (it starts the sandbox gateway, the registry
    simulators and, with `eid`, the national e-ID simulator as its children), on a SQLite file
    and a var directory under `workdir`, every service on a free port. Yields the portal's base
    URL once it serves; the demo logins are in workdir/var/demo-logins.json. Stopped with
    SIGTERM afterwards, which stops its children too."""
    import signal

    web, gateway, population, insurance, civil_service, idp = (free_port() for _ in range(6))
    env = {
        **os.environ,
        "HEMIS_DATABASE_URL": f"sqlite:///{workdir / 'demo.db'}",
        "HEMIS_VAR_DIR": str(workdir / "var"),
        "HEMIS_PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{gateway}",
        "HEMIS_POPULATION_URL": f"http://127.0.0.1:{population}",
        "HEMIS_INSURANCE_URL": f"http://127.0.0.1:{insurance}",
        "HEMIS_CIVIL_SERVICE_URL": f"http://127.0.0.1:{civil_service}",
        "HEMIS_LOG_LEVEL": "WARNING",
    }
    for name in ("HEMIS_MIGRATION_DATABASE_URL", "HEMIS_PUBLIC_URL", "HEMIS_ENV"):
        env.pop(name, None)
    if eid:
        env["HEMIS_EID_ISSUER_URL"] = f"http://127.0.0.1:{idp}"
    else:
        env.pop("HEMIS_EID_ISSUER_URL", None)
    log_path = workdir / "demo.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hemis", "demo", "--scale", str(scale), "--port", str(web)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{web}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS + 120  # it builds the year first
        while True:
            if process.poll() is not None:
                pytest.fail(f"hemis demo exited: {log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the demo did not serve: {log_path.read_text(errors='replace')}")
            time.sleep(0.3)
        if eid:  # the e-ID simulator is the demo's last child to start
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{idp}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"no e-ID simulator: {log_path.read_text(errors='replace')}")
                time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
