"""`python -m hemis.payments.sandbox`: the sandbox gateway without loading the whole CLI (starts in
a fraction of the time; the tests use it). `hemis gateway sandbox` runs the same `serve`."""

from __future__ import annotations

import argparse
import os

from hemis.config import DEV_VNPAY_HASH_SECRET


def serve(
    port: int, ipn_url: str, fault_profile: str, seed: int, host: str, tmn: str, secret: str
) -> None:
    import uvicorn

    from hemis.payments.sandbox.app import create_sandbox_app
    from hemis.payments.sandbox.state import Faults, Sandbox

    box = Sandbox(tmn, secret, ipn_url, Faults.profile(fault_profile), seed)
    uvicorn.run(create_sandbox_app(box), host=host, port=port, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hemis.payments.sandbox")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--ipn-url", default="http://127.0.0.1:8000/payments/vnpay/ipn")
    parser.add_argument("--fault-profile", default="none")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    serve(
        args.port,
        args.ipn_url,
        args.fault_profile,
        args.seed,
        args.host,
        os.environ.get("HEMIS_VNPAY_TMN_CODE", "HEMISDEV"),
        os.environ.get("HEMIS_VNPAY_HASH_SECRET", DEV_VNPAY_HASH_SECRET),
    )


if __name__ == "__main__":
    main()
