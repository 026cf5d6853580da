"""Real processes for the HTTP tests: our app served by uvicorn (`hemis serve`) and the sandbox
gateway (`hemis gateway sandbox`), each a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from hemis.config import Settings
from tests.conftest import TestDB

IPN_PATH = "/payments/vnpay/ipn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}: not up after {timeout}s\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    db: TestDB
    tmp: Path
    profile: str = "none"
    sandbox_via_cli: bool = False
    app_port: int = field(default_factory=free_port)
    sandbox_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    def env(self) -> dict[str, str]:
        return os.environ | {
            "HEMIS_ENV": "test",
            "HEMIS_DATABASE_URL": self.db.url,
            "HEMIS_MIGRATION_DATABASE_URL": self.db.owner_url,
            "HEMIS_PAYMENT_GATEWAY_URL": self.sandbox_url,
            "HEMIS_PUBLIC_URL": self.app_url,
            "HEMIS_VAR_DIR": str(self.tmp / "var"),
            "HEMIS_COOKIE_SECURE": "false",
            "HEMIS_LOG_LEVEL": "WARNING",
        }

    def settings(self) -> Settings:
        return self.db.settings(
            payment_gateway_url=self.sandbox_url,
            public_url=self.app_url,
            var_dir=self.tmp / "var",
            gateway_timeout_seconds=2.0,
        )

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", *args], env=self.env(), stdout=out, stderr=out
            )
        self.procs[name] = proc
        return proc

    def start_app(self) -> None:
        proc = self._spawn("app", ["hemis", "serve", "--port", str(self.app_port)])
        wait_http(f"{self.app_url}/openapi.json", proc, self.tmp / "app.log")

    def start_sandbox(self) -> None:
        # The sandbox's own entry point: `hemis gateway sandbox` runs the same server but loads
        # the whole CLI first, which costs seconds on a loaded machine (test_cli covers it).
        args = ["hemis.payments.sandbox", "--port", str(self.sandbox_port)]
        if self.sandbox_via_cli:
            args = ["hemis", "gateway", "sandbox", "--port", str(self.sandbox_port)]
        args += ["--ipn-url", self.app_url + IPN_PATH, "--fault-profile", self.profile]
        proc = self._spawn("sandbox", args)
        wait_http(f"{self.sandbox_url}/healthz", proc, self.tmp / "sandbox.log")
        self.configure(retry_interval=0.2)

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)

    # --- the sandbox ------------------------------------------------------------------------

    def configure(self, **faults: Any) -> None:
        httpx.post(f"{self.sandbox_url}/sandbox/config", json=faults, timeout=10).raise_for_status()

    def state(self) -> dict[str, Any]:
        data = httpx.get(f"{self.sandbox_url}/sandbox/state", timeout=10).json()
        assert isinstance(data, dict)
        return data

    def pay(self, redirect_url: str, action: str = "pay", bank: str = "NCB") -> dict[str, str]:
        """Open the gateway's pay page and press a button; returns the return-URL parameters."""
        page = httpx.get(redirect_url, timeout=10)
        assert page.status_code == 200, page.text
        ref = dict(parse_qsl(urlsplit(redirect_url).query))["vnp_TxnRef"]
        done = httpx.post(
            f"{self.sandbox_url}/sandbox/pay",
            data={"txn_ref": ref, "action": action, "bank_code": bank},
            timeout=10,
        )
        assert done.status_code == 303, done.text
        location = done.headers["location"]
        assert location.startswith(self.app_url + "/payments/return?")
        return dict(parse_qsl(urlsplit(location).query))

    def drain(self, timeout: float = 300) -> None:
        """Wait until the sandbox has no IPN left to deliver."""
        deadline = time.monotonic() + timeout
        while self.state()["queued"]:
            assert time.monotonic() < deadline, "IPN deliveries did not drain"
            time.sleep(0.2)

    def redeliver(self, times: int) -> None:
        url = f"{self.sandbox_url}/sandbox/redeliver"
        httpx.post(url, params={"times": times, "shuffle": True}, timeout=10).raise_for_status()

    def ipn(self, params: dict[str, str]) -> str:
        answer = httpx.get(self.app_url + IPN_PATH, params=params, timeout=10)
        assert answer.status_code == 200
        return str(answer.json()["RspCode"])
