"""`hemis idp-sim`: the national e-ID provider simulator (OpenID Connect) as its own process."""

from __future__ import annotations

import typer

from hemis.cli.common import console, settings


def idp_sim(
    port: int = typer.Option(8704, "--port", help="Port to listen on (loopback)."),
    host: str = typer.Option("127.0.0.1", "--host"),
    redirect_uri: list[str] = typer.Option(
        [],
        "--redirect-uri",
        help="A redirect URI of HEMIS (repeatable); default: HEMIS_PUBLIC_URL + /eid/callback.",
    ),
    source: str | None = typer.Option(
        None, "--source", help="A HEMIS database whose persons the login page offers."
    ),
    rotate_seconds: float = typer.Option(
        0.0, "--rotate-seconds", help="Rotate the signing key this often (0: only on request)."
    ),
) -> None:
    """Run the e-ID simulator: discovery, JWKS with key rotation, a login page to pick or type a
    citizen and an assurance level, and signed ID tokens for HEMIS (HEMIS_EID_CLIENT_ID)."""
    from hemis.identity.__main__ import serve

    cfg = settings()
    issuer = f"http://{host}:{port}"
    redirects = redirect_uri or [cfg.eid_redirect_uri]
    console.print(f"e-ID simulator on {issuer} → {', '.join(redirects)}")
    serve(
        port,
        host,
        issuer,
        cfg.eid_client_id,
        cfg.eid_secret,
        redirects,
        source,
        rotate_seconds,
    )
