"""`python -m hemis.identity`: the e-ID simulator without loading the whole CLI (starts in a
fraction of the time; the tests use it). `hemis idp-sim` runs the same `serve`."""

from __future__ import annotations

import argparse
import os

from hemis.config import DEV_EID_CLIENT_SECRET


def serve(
    port: int,
    host: str,
    issuer: str | None,
    client_id: str,
    secret: str,
    redirect_uris: list[str],
    source: str | None,
    rotate_seconds: float,
) -> None:
    import uvicorn

    from hemis.common.crypto import IdCipher
    from hemis.config import get_settings
    from hemis.identity.sim_app import create_idp_app
    from hemis.identity.sim_people import People
    from hemis.identity.sim_state import Client, KeyRing, Provider

    cfg = get_settings()
    provider = Provider(
        issuer=issuer or f"http://{host}:{port}",
        clients={client_id: Client(client_id, secret, tuple(redirect_uris))},
        keys=KeyRing(rotate_seconds=rotate_seconds),
    )
    # The demo nation's persons are offered on the login page (their IDs decrypted here, as the
    # national population database holds them in clear).
    people = People(source, IdCipher.from_settings(cfg.id_encryption_key, cfg.blind_index_key))
    try:
        uvicorn.run(create_idp_app(provider, people), host=host, port=port, log_level="warning")
    finally:
        people.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hemis.identity")
    parser.add_argument("--port", type=int, default=8704)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--issuer", default=None, help="default: http://HOST:PORT")
    parser.add_argument("--client-id", default=os.environ.get("HEMIS_EID_CLIENT_ID", "hemis"))
    parser.add_argument("--redirect-uri", action="append", default=[])
    parser.add_argument("--source", default=None, help="a HEMIS database whose persons to offer")
    parser.add_argument("--rotate-seconds", type=float, default=0.0)
    args = parser.parse_args()
    serve(
        args.port,
        args.host,
        args.issuer,
        args.client_id,
        os.environ.get("HEMIS_EID_CLIENT_SECRET") or DEV_EID_CLIENT_SECRET,
        args.redirect_uri or ["http://127.0.0.1:8000/eid/callback"],
        args.source,
        args.rotate_seconds,
    )


if __name__ == "__main__":
    main()
