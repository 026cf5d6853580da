"""`hemis idp-sim` serves the simulator as its own process: discovery names itself as issuer,
the key set carries key ids, and an authorization request from an unregistered redirect URI is
answered by a page, never by a redirect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.payments.harness import free_port, wait_http


def test_the_cli_serves_the_simulator(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "idp.log"
    env = os.environ | {"HEMIS_ENV": "test", "HEMIS_PUBLIC_URL": "http://127.0.0.1:9"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hemis", "idp-sim", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_http(f"{base}/healthz", proc, log)
        discovery = httpx.get(f"{base}/.well-known/openid-configuration").json()
        assert discovery["issuer"] == base
        assert discovery["code_challenge_methods_supported"] == ["S256"]
        keys = httpx.get(discovery["jwks_uri"]).json()["keys"]
        assert [k["kty"] for k in keys] == ["RSA"]
        assert all(k.get("kid") and "d" not in k for k in keys)  # public halves only
        params = {
            "client_id": "hemis",
            "redirect_uri": "http://evil.example.invalid/cb",
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
            "code_challenge": "c",
            "code_challenge_method": "S256",
        }
        answer = httpx.get(f"{base}/authorize", params=params)
        assert answer.status_code == 400
        assert "Unregistered redirect_uri" in answer.text
        registered = params | {"redirect_uri": "http://127.0.0.1:9/eid/callback"}
        assert httpx.get(f"{base}/authorize", params=registered).status_code == 200
        no_pkce = registered | {"code_challenge_method": "plain"}
        assert httpx.get(f"{base}/authorize", params=no_pkce).status_code == 400
    finally:
        proc.terminate()
        proc.wait(15)
